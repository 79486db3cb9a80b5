import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { errorRows } from '../eval/stats.ts';
import type { EvalRun } from '../eval/types.ts';
import { writeFileAtomic } from '../fs-atomic.ts';
import { renderErrorsCsv } from './errors-csv.ts';
import { renderHtml } from './html.ts';
import { renderSummaryMd } from './summary-md.ts';

/**
 * Writes a run's report directory: results.json (the run itself), errors.csv, summary.md and
 * index.html. Everything is rendered before the first write, so a rendering error leaves no
 * half-written directory; each file is written atomically. Returns the paths written, in order.
 */
export async function writeReportFiles(dir: string, run: EvalRun): Promise<string[]> {
  const files: [string, string][] = [
    ['results.json', `${JSON.stringify(run, null, 2)}\n`],
    ['errors.csv', renderErrorsCsv(errorRows(run.points))],
    ['summary.md', renderSummaryMd(run)],
    ['index.html', await renderHtml(run)],
  ];
  mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    writeFileAtomic(path, text);
    written.push(path);
  }
  return written;
}
