"""A real run: identify the GPU and its peaks, measure each part of the plan,
turn latencies into MFU and write every table as soon as it is measured (so
an interrupted run keeps what it finished), then the README."""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import gpu, latency_log, layout
from .csv_io import write_table, write_text_atomic
from .flops import clamp_mfu, decode_attn_flops, gemm_flops, mfu, prefill_attn_flops
from .models import ModelArch
from .peaks import PeakError, Peaks, detect_family, find_gpu_entry, load_hardware_config, resolve_peaks, variant_warning
from .report import RunSummary, render_readme
from .shapes import AttnKey, DecodeTarget, Plan, decode_cells

DECODE_MEMORY_FRACTION = 0.8  # of free memory for one cell's KV cache; the rest is kernel workspace


def _progress(text: str) -> None:
    print(f"[collect_mfu] {text}", file=sys.stderr, flush=True)


class _Clamps:
    """Counts MFUs above 1 (the configured peak is too low for this GPU)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, value: float) -> float:
        clamped, hit = clamp_mfu(value)
        self.count += hit
        return clamped


def gemm_table(rows, peak_tflops: float, clamp) -> list[tuple]:
    return [(m, k, n, lat, clamp(mfu(gemm_flops(m, k, n), lat, peak_tflops))) for m, k, n, lat in rows]


def prefill_table(key: AttnKey, rows, peak_tflops: float, clamp) -> list[tuple]:
    return [(s, clamp(mfu(prefill_attn_flops(key.heads, s, key.head_dim), lat, peak_tflops))) for s, lat, _ in rows]


def decode_table(target: DecodeTarget, rows, peak_tflops: float, clamp) -> list[tuple]:
    hd = target.key.head_dim
    return [
        (b, kv, clamp(mfu(decode_attn_flops(target.heads, kv, hd, b), lat, peak_tflops)))
        for b, kv, lat, _ in rows
    ]


def _peaks(args: argparse.Namespace, device_name: str) -> tuple[Peaks, str | None]:
    """The peaks, and a warning when the entry may describe another board variant."""
    name = args.gpu or detect_family(device_name) or device_name
    config = load_hardware_config(args.hardware_config)
    peaks = resolve_peaks(config, name, args.peak_tflops, args.peak_tflops_fp8, str(args.hardware_config))
    hit = find_gpu_entry(config, name) if config else None
    warning = None
    if args.peak_tflops is None:
        warning = variant_warning(device_name, peaks.gpu_key, hit[1] if hit else None)
    return peaks, warning


@dataclass
class _Run:
    """What the measuring steps share: where to write and what to report."""

    args: argparse.Namespace
    plan: Plan
    peaks: Peaks
    summary: RunSummary
    base: Path
    clamp: _Clamps = field(default_factory=_Clamps)
    latencies: dict = field(default_factory=latency_log.empty)

    def save(self, path: Path, header, rows, key_columns: int, delimiter: str = ",") -> None:
        rel = path.relative_to(self.base).as_posix()
        self.summary.files[rel] = write_table(path, header, rows, key_columns, not self.args.fresh, delimiter)

    def save_latencies(self) -> None:
        latency_log.save(layout.latency_json(self.base), self.latencies)


def _gemm(r: _Run, do_bf16: bool, do_fp8: bool) -> None:
    from . import measure_gemm

    jobs = []
    if do_bf16:
        jobs.append(("bf16", measure_gemm.measure_bf16, r.peaks.bf16_tflops, layout.gemm_csv(r.base), ","))
    if do_fp8:
        jobs.append(("fp8", measure_gemm.measure_fp8, r.peaks.fp8_tflops, layout.gemm_fp8_table(r.base),
                     layout.FP8_DELIMITER))
    for label, measure, peak, path, delimiter in jobs:
        started = time.monotonic()
        result = measure(r.plan.gemm_points(), r.args.warmup, r.args.repeats, _progress)
        r.summary.notes.extend(result.notes)
        if result.rows:
            rows = gemm_table(result.rows, peak, r.clamp)
            r.save(path, layout.GEMM_HEADER, rows, layout.GEMM_KEY_COLUMNS, delimiter)
        r.summary.timings[f"GEMM {label}"] = time.monotonic() - started


def _prefill(r: _Run) -> None:
    from . import measure_attn

    started = time.monotonic()
    for key in r.plan.prefill_keys:
        result = measure_attn.measure_prefill(key, r.plan.prefill_seq, r.args.warmup, r.args.repeats, _progress)
        r.summary.notes.extend(f"prefill {key.name}: {n}" for n in result.notes)
        if not result.rows:
            continue
        r.summary.backends.update(row[-1] for row in result.rows)
        rows = prefill_table(key, result.rows, r.peaks.bf16_tflops, r.clamp)
        r.save(layout.prefill_csv(r.base, key.name), layout.PREFILL_HEADER, rows, layout.PREFILL_KEY_COLUMNS)
        latency_log.add_prefill(r.latencies, key.name, result.rows)
        r.save_latencies()
    r.summary.timings["prefill attention"] = time.monotonic() - started


def _decode(r: _Run) -> None:
    from . import measure_attn

    started = time.monotonic()
    for target in r.plan.decode_targets:
        # Cells whose KV cache cannot fit are left out (not written as zeros).
        gpu.release_memory()
        budget = int(gpu.free_memory_bytes() * DECODE_MEMORY_FRACTION)
        cells = decode_cells(target, r.plan.decode_batch, r.plan.decode_kv, budget)
        left_out = len(r.plan.decode_batch) * len(r.plan.decode_kv) - len(cells)
        if left_out:
            r.summary.notes.append(f"decode {target.key.name} tp{target.tp}: {left_out} cells left out,"
                                   f" their KV cache exceeds {budget / 2**30:.1f} GiB")
        result = measure_attn.measure_decode(target, cells, r.args.warmup, r.args.repeats, _progress)
        r.summary.notes.extend(f"decode {target.key.name} tp{target.tp}: {n}" for n in result.notes)
        if not result.rows:
            continue
        r.summary.backends.update(row[-1] for row in result.rows)
        rows = decode_table(target, result.rows, r.peaks.bf16_tflops, r.clamp)
        path = layout.decode_csv(r.base, target.key.name, target.tp)
        r.save(path, layout.DECODE_HEADER, rows, layout.DECODE_KEY_COLUMNS)
        latency_log.add_decode(r.latencies, target.key.name, target.tp, result.rows)
        r.save_latencies()
    r.summary.timings["decode attention"] = time.monotonic() - started


def _prepare_folder(base: Path, fresh: bool) -> str | None:
    """Refuse to mix measured rows into tables of another origin; with --fresh,
    empty the folder. Returns an error message, or None to go ahead."""
    if fresh:
        gone = layout.clear(base)
        if gone:
            _progress(f"--fresh: removed {len(gone)} files from {base}")
        return None
    foreign = layout.foreign_tables(base)
    if foreign:
        return (f"{base} holds {len(foreign)} tables this tool did not write (e.g. {foreign[0].relative_to(base)});"
                " merging measured rows into them would mix two origins. Write elsewhere"
                " (e.g. --out bench_data_measured) or pass --fresh to replace that folder's tables.")
    return None


def run(plan: Plan, models: list[ModelArch], args: argparse.Namespace) -> int:
    try:
        info = gpu.device_info()
    except (ImportError, RuntimeError) as err:
        print(f"collect_mfu: cannot measure on a GPU here ({err}); --dry-run needs neither", file=sys.stderr)
        return 2
    try:
        peaks, variant = _peaks(args, info.name)
    except (PeakError, ValueError, OSError) as err:
        print(f"collect_mfu: {err}", file=sys.stderr)
        return 2
    base = layout.gpu_root(args.out, peaks.dir_name)
    if base != args.out and (args.out / "gemm_bench").is_dir():
        print(f"collect_mfu: --out {args.out} is the folder of another GPU's tables, not a bench-data root"
              f" (this GPU's folder is named {peaks.dir_name})", file=sys.stderr)
        return 2
    problem = _prepare_folder(base, args.fresh)
    if problem:
        print(f"collect_mfu: {problem}", file=sys.stderr)
        return 2
    parts = set(args.parts)
    do_fp8 = "fp8" in parts and info.supports_fp8
    summary = RunSummary(
        gpu_key=peaks.gpu_key, device_name=info.name, capability="{}.{}".format(*info.capability),
        memory_gib=info.memory_gib, driver=info.driver, cuda=info.cuda, torch=info.torch,
        flashinfer=info.flashinfer, date_utc=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        command=shlex.join(getattr(sys, "orig_argv", sys.argv)), peak_bf16=peaks.bf16_tflops,
        peak_fp8=peaks.fp8_tflops if do_fp8 else None, peak_source=peaks.source,
        warmup=args.warmup, repeats=args.repeats, quick=args.quick, merged=not args.fresh,
        models=[m.name for m in models], tps=plan.tps, notes=list(peaks.warnings if do_fp8 else []),
    )
    if variant:
        summary.notes.append(variant)
        _progress(f"WARNING: {variant}")
    if "fp8" in parts and not info.supports_fp8:
        summary.notes.append(f"fp8 GEMM skipped: compute capability {summary.capability} < 8.9")
    summary.grid = {"M": plan.m_grid, "prefill seq_len": plan.prefill_seq, "decode batch": plan.decode_batch,
                    "decode kv_len": plan.decode_kv}
    r = _Run(args, plan, peaks, summary, base)
    if not args.fresh:
        r.latencies = latency_log.load(layout.latency_json(base))
    _progress(f"{info.name} -> {peaks.gpu_key}; peak bf16 {peaks.bf16_tflops:g} TFLOP/s; writing {base}")
    try:
        if "gemm" in parts or do_fp8:
            _gemm(r, "gemm" in parts, do_fp8)
        if "prefill" in parts:
            _prefill(r)
        if "decode" in parts:
            _decode(r)
    finally:
        # Also on Ctrl-C: the README must describe whatever tables exist now.
        if r.clamp.count:
            summary.notes.append(f"{r.clamp.count} MFU values above 1 were clamped: check the peak ({peaks.source})")
        if summary.files:
            summary.kept_files = {
                rel: rows for rel, rows in layout.table_rows(base).items() if rel not in summary.files
            }
            write_text_atomic(layout.readme_path(base), render_readme(summary))
    _progress(f"done: {len(summary.files)} files under {base}")
    return 0
