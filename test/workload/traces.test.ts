import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { parseTraceCsv } from '../../src/workload/traces.ts';

const CSV = [
  'arrival_time,model,session,prefill_tokens,decode_tokens',
  '0.5,m,s,"[1,2,3]","[4,5]"',
  '0.1,m,s,"[10, 11]",[12]',
  '',
  '0.1,m,s,"[20]","[]"',
  '0.0000015,m,s,"[30]","[31]"',
].join('\n');

describe('CSV traces', () => {
  it('parses rows, converts seconds to truncated µs and sorts stably by arrival', () => {
    const reqs = parseTraceCsv(CSV);
    expect(reqs.map((r) => [r.id, r.arrival])).toEqual([
      ['request_3', 1],
      ['request_1', 100000],
      ['request_2', 100000],
      ['request_0', 500000],
    ]);
    const byId = new Map(reqs.map((r) => [r.id, r]));
    expect(Array.from(byId.get('request_0')!.input)).toEqual([1, 2, 3]);
    expect(Array.from(byId.get('request_0')!.output)).toEqual([4, 5]);
    expect(Array.from(byId.get('request_1')!.input)).toEqual([10, 11]);
    expect(byId.get('request_2')!.output.length).toBe(0);
  });

  it('stops at the first row past the horizon', () => {
    expect(parseTraceCsv(CSV, { horizon: 499_999 }).map((r) => r.id)).toEqual([]);
    expect(parseTraceCsv(CSV, { horizon: 500_000 }).map((r) => r.id)).toEqual([
      'request_3',
      'request_1',
      'request_2',
      'request_0',
    ]);
    const later = 'h\n0.1,a,b,[1],[2]\n0.9,a,b,[1],[2]\n0.2,a,b,[1],[2]\n';
    expect(parseTraceCsv(later, { horizon: 500_000 }).map((r) => r.id)).toEqual(['request_0']);
  });

  it('accepts a header-only file', () => {
    expect(parseTraceCsv('a,b,c,d,e\n')).toEqual([]);
  });

  it('names the line and column of a bad row', () => {
    const expectError = (text: string, ...parts: string[]) => {
      try {
        parseTraceCsv(text, { source: 'trace.csv' });
        expect.unreachable('should have thrown');
      } catch (err) {
        expect(err).toBeInstanceOf(InputError);
        for (const p of parts) expect((err as Error).message).toContain(p);
      }
    };
    expectError('h\n0.1,a,b,[1],[2]\nsoon,a,b,[1],[2]\n', 'trace.csv line 3', 'column 1');
    expectError('h\n0.1,a,b,"[1,",[2]\n', 'line 2', 'column 4');
    expectError('h\n0.1,a,b,[1],[2.5]\n', 'line 2', 'column 5', 'element 0');
    expectError('h\n0.1,a,b,[1]\n', 'line 2', 'at least 5 columns');
    expectError('h\n-1,a,b,[1],[2]\n', 'line 2');
    expectError('h\n0.1,a,b,"[1],[2]\n', 'trace.csv', 'malformed CSV');
  });
});
