/**
 * BLIS's own traces (`blis observe`, docs/import/blis-trace.md): a YAML header
 * (`trace_version` 2 or 3) naming the model and server, a per-request CSV with microsecond
 * timestamps, and optionally the per-chunk ITL CSV. Each trace is one experiment whose
 * single point replays the requests as they were sent.
 */
import { dirname } from 'node:path/posix';
import { InputError } from '../errors.ts';
import { logFacts, serverFields } from './assemble.ts';
import {
  isItlData,
  isTraceData,
  readHeader,
  readItl,
  readTraceRows,
  type TraceHeader,
  type TraceRow,
} from './blis-trace-files.ts';
import { experimentName, type ImportContext } from './context.ts';
import { qpsPoint } from './points.ts';
import { isObject, parseJson, parseYamlObject } from './read.ts';
import { factsFromSettings, mergeFacts } from './server-facts.ts';
import { mean, percentile } from './stats.ts';
import type {
  Bundle,
  Fact,
  ImportedExperiment,
  ImportFile,
  RequestRecord,
  ServerFacts,
  SourceRef,
} from './types.ts';

const isHeader = (f: ImportFile) => /\.ya?ml$/i.test(f.rel) && /^trace_version\s*:/m.test(f.text());
const stem = (rel: string) => rel.replace(/(\.itl)?\.(ya?ml|csv)$/i, '');

export function isBlisTrace(bundle: Bundle): boolean {
  return bundle.files.some((f) => isHeader(f) || (bundle.beside !== undefined && isTraceData(f)));
}

interface TraceFiles {
  header: ImportFile;
  data: ImportFile;
  itl: ImportFile | undefined;
}

/** Header, data and ITL file of each trace: by name (`x.yaml`, `x.csv`, `x.itl.csv`), else the folder's only ones. */
function traces(bundle: Bundle): TraceFiles[] {
  const one = bundle.files.length === 1 ? bundle.files[0]! : undefined;
  if (one && bundle.beside) {
    const s = stem(one.rel);
    const header = isHeader(one) ? one : (bundle.beside(`${s}.yaml`) ?? bundle.beside(`${s}.yml`));
    const data = header === one ? bundle.beside(`${s}.csv`) : one;
    if (!header) throw new InputError(`${one.rel}: no trace header beside it (${s}.yaml)`);
    if (!data) throw new InputError(`${one.rel}: no trace data beside it (${s}.csv); pass the folder`);
    return [{ header, data, itl: bundle.beside(`${stem(data.rel)}.itl.csv`) }];
  }
  const headers = bundle.files.filter(isHeader);
  return headers.map((header) => {
    const dir = dirname(header.rel);
    const here = (p: (f: ImportFile) => boolean) =>
      bundle.files.filter((f) => dirname(f.rel) === dir && p(f));
    const only = <T>(xs: T[]) => (xs.length === 1 && here(isHeader).length === 1 ? xs[0] : undefined);
    const data = bundle.files.find((f) => f.rel === `${stem(header.rel)}.csv`) ?? only(here(isTraceData));
    if (!data)
      throw new InputError(
        `${header.rel}: no trace data: expected ${stem(header.rel)}.csv (or one per-request CSV beside a single header)`,
      );
    const itl = bundle.files.find((f) => f.rel === `${stem(data.rel)}.itl.csv`) ?? only(here(isItlData));
    return { header, data, itl };
  });
}

export function importBlisTrace(bundle: Bundle, ctx: ImportContext): ImportedExperiment[] {
  const found = traces(bundle);
  if (found.length === 0)
    throw new InputError(`${bundle.name}: no BLIS trace header (a YAML with trace_version)`);
  return found.map((t, i) => {
    const fallback =
      found.length === 1
        ? bundle.name.replace(/\.(ya?ml|csv)$/i, '')
        : stem(t.header.rel).replaceAll('/', '-');
    const model = readHeader(t.header).server?.model ?? null;
    return experiment(
      bundle,
      t,
      experimentName(ctx, { model, client: 'blis-trace', load: '' }, fallback, found.length, i),
      ctx,
    );
  });
}

/** Header's `server:` block as facts. */
function headerFacts(h: TraceHeader, file: string): ServerFacts {
  const s = h.server ?? {};
  const fact = <T>(value: T | undefined, key: string): Fact<T> | undefined =>
    value === undefined || value === '' ? undefined : { value, file, key: `server.${key}` };
  const out: ServerFacts = {};
  const set = <K extends keyof ServerFacts>(k: K, v: ServerFacts[K]) => {
    if (v) out[k] = v;
  };
  set('model', fact(s.model, 'model'));
  set('tp', fact(s.tensor_parallel, 'tensor_parallel'));
  set('maxNumSeqs', fact(s.max_num_seqs, 'max_num_seqs'));
  set('blockSize', fact(s.block_size, 'block_size'));
  set('gpuMemoryUtilization', fact(s.gpu_memory_utilization, 'gpu_memory_utilization'));
  set('maxModelLen', fact(s.max_model_len, 'max_model_len'));
  return out;
}

/** A server config beside the trace: a JSON or YAML of vLLM arguments (top level or under `server`/`config`). */
function besideConfigFacts(bundle: Bundle, t: TraceFiles): ServerFacts {
  const dir = dirname(t.header.rel);
  const files = bundle.files.filter(
    (f) => f !== t.header && dirname(f.rel) === dir && /\.(json|ya?ml)$/i.test(f.rel) && !isHeader(f),
  );
  return mergeFacts(
    ...files.map((f) => {
      let doc: unknown;
      try {
        doc = f.rel.endsWith('.json') ? parseJson(f) : parseYamlObject(f);
      } catch {
        return {};
      }
      for (const key of ['server_config', 'vllm_config', 'config', 'server', '']) {
        const obj = key === '' ? doc : isObject(doc) ? doc[key] : undefined;
        if (isObject(obj)) {
          const facts = factsFromSettings(obj, f.rel, key);
          if (Object.keys(facts).length > 0) return facts;
        }
      }
      return {};
    }),
  );
}

function experiment(bundle: Bundle, t: TraceFiles, name: string, ctx: ImportContext): ImportedExperiment {
  const h = readHeader(t.header);
  const rows = readTraceRows(t.data);
  const where = `${t.header.rel}: experiment "${name}"`;
  const models = [...new Set(rows.map((r) => r.model).filter(Boolean))];
  if (models.length > 1)
    throw new InputError(
      `${t.data.rel}: model: the trace mixes ${models.length} models (${models.join(', ')}); import one model's rows`,
    );
  const rowModel: ServerFacts = models[0]
    ? { model: { value: models[0], file: t.data.rel, key: 'model' } }
    : {};
  const facts = mergeFacts(
    headerFacts(h, t.header.rel),
    rowModel,
    besideConfigFacts(bundle, t),
    logFacts(bundle, ctx.flags, dirname(t.header.rel)),
  );
  const server = serverFields(facts, ctx.flags, where);
  const provenance: SourceRef[] = [...server.provenance];
  const warmUp = h.warm_up_requests ?? 0;
  const measured = rows.filter((r) => r.requestId >= warmUp);
  if (measured.length < rows.length)
    provenance.push({
      field: 'qps_sweeps (trace)',
      file: t.header.rel,
      key: 'warm_up_requests',
      note: `${rows.length - measured.length} warm-up requests (request_id < ${warmUp}) left out, as blis calibrate does`,
    });
  const records = measured.map(record);
  const ok = records.filter((r) => r.ok);
  const unfinished = measured.filter((r, i) => r.status === 'ok' && !records[i]!.ok).length;
  if (unfinished > 0)
    provenance.push({
      field: 'qps_sweeps (trace).num_failures',
      file: t.data.rel,
      note: `${unfinished} requests with status ok but no usable first/last chunk time or output count as failed`,
    });
  provenance.push({
    field: 'qps_sweeps (trace).trace',
    file: t.data.rel,
    key: 'send_time_us, first_chunk_time_us, last_chunk_time_us, server_input_tokens | input_tokens + prefix_length, output_tokens',
    note: 'arrival = send time (arrival_time_us where 0); TTFT and E2E from the send time, as blis calibrate measures them',
  });
  const start = Math.min(...measured.map(startUs));
  const end = Math.max(...measured.map((r) => r.lastChunkUs));
  const itl = t.itl ? chunkGaps(t.itl, rows, measured) : undefined;
  const { point, trace, skipped } = qpsPoint(
    {
      label: 'trace',
      file: t.data.rel,
      rate: null,
      achievedRate: end > start ? ok.length / ((end - start) / 1e6) : null,
      sent: measured.length,
      failed: measured.length - ok.length,
      records,
      summary: {},
      input: null,
      output: null,
      extra: itl ?? {},
    },
    name,
    ctx,
    provenance,
  );
  if (!point) throw new InputError(`${where}: ${skipped}`);
  if (itl)
    provenance.push({
      field: 'qps_sweeps (trace).blis_observe_itl_*',
      file: t.itl!.rel,
      note: 'gaps between consecutive chunks (> 0), as blis observe prints its ITL',
    });
  const sessions = new Set(measured.map((r) => r.session).filter(Boolean)).size;
  const json = {
    experiment_name: name,
    ...server.fields,
    workload_config: {
      workload_family: 'blis-observe',
      trace_version: h.trace_version,
      mode: h.mode ?? null,
      workload_spec: h.workload_spec ?? null,
      workload_seed: h.workload_seed ?? null,
      warm_up_requests: warmUp,
      server_type: h.server?.type ?? null,
      measured_rtt_ms: h.network?.measured_rtt_ms ?? null,
      sessions,
    },
    qps_sweeps: [point],
    provenance,
    imported_from: {
      format: 'blis-trace',
      files: [t.header.rel, t.data.rel, ...(t.itl ? [t.itl.rel] : [])],
    },
  };
  const mode = h.mode && h.mode !== 'real' ? `, mode ${h.mode} (simulated by BLIS, not measured)` : '';
  const describe = `trace v${h.trace_version}, ${ok.length} of ${measured.length} requests per-request${itl ? ' (+ ITL)' : ''}${mode}, KV blocks: ${server.kvSource}`;
  return { json, traces: trace ? [trace] : [], describe };
}

/** BLIS replays a request at its send time; generated traces have none before the first arrival. */
const startUs = (r: TraceRow) => (r.sendUs > 0 ? r.sendUs : r.arrivalUs);

/** A row in the ground truth's units; TTFT is not measured without streaming. */
function record(r: TraceRow): RequestRecord {
  const s = startUs(r);
  const ttft = r.firstChunkUs - s;
  const e2e = r.lastChunkUs - s;
  const ok = r.status === 'ok' && ttft > 0 && e2e >= ttft && r.outputTokens > 0;
  return {
    startS: s / 1e6,
    inputTokens: r.serverInputTokens > 0 ? r.serverInputTokens : r.inputTokens + r.prefixLength,
    outputTokens: r.outputTokens,
    ttftMs: ok && r.streaming !== false ? ttft / 1000 : null,
    e2eMs: ok ? e2e / 1000 : null,
    ok,
  };
}

/** The client's ITL from the chunk file: every positive gap between consecutive chunks (ms). */
function chunkGaps(f: ImportFile, all: readonly TraceRow[], measured: readonly TraceRow[]) {
  const chunks = readItl(f, new Set(all.map((r) => r.requestId)));
  const keep = new Set(measured.map((r) => r.requestId));
  const gaps: number[] = [];
  for (const [id, ts] of chunks)
    if (keep.has(id))
      for (let i = 1; i < ts.length; i++) if (ts[i]! > ts[i - 1]!) gaps.push((ts[i]! - ts[i - 1]!) / 1000);
  if (gaps.length === 0) return undefined;
  const sorted = gaps.sort((a, b) => a - b);
  return {
    blis_observe_itl_mean_ms: mean(sorted),
    blis_observe_itl_p50_ms: percentile(sorted, 50),
    blis_observe_itl_p90_ms: percentile(sorted, 90),
    blis_observe_itl_p99_ms: percentile(sorted, 99),
    blis_observe_itl_requests: [...chunks.keys()].filter((id) => keep.has(id)).length,
  };
}
