"""A real run: identify the GPU and its peaks, measure each part of the plan,
turn latencies into MFU and write every table as soon as it is measured (so
an interrupted run keeps what it finished), then the README."""

from __future__ import annotations

import argparse
import datetime as dt
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path

from . import gpu, latency_log, layout
from .csv_io import write_table, write_text_atomic
from .flops import clamp_mfu, decode_attn_flops, gemm_flops, mfu, prefill_attn_flops
from .models import ModelArch
from .peaks import PeakError, Peaks, detect_family, load_hardware_config, resolve_peaks
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


def _peaks(args: argparse.Namespace, device_name: str) -> Peaks:
    name = args.gpu or detect_family(device_name) or device_name
    config = load_hardware_config(args.hardware_config)
    return resolve_peaks(config, name, args.peak_tflops, args.peak_tflops_fp8, str(args.hardware_config))


@dataclass
class _Run:
    """What the measuring steps share: where to write and what to report."""

    args: argparse.Namespace
    plan: Plan
    peaks: Peaks
    summary: RunSummary
    clamp: _Clamps = field(default_factory=_Clamps)
    latencies: dict = field(default_factory=latency_log.empty)

    @property
    def root(self) -> Path:
        return self.args.out

    @property
    def base(self) -> Path:
        return layout.gpu_root(self.root, self.peaks.dir_name)

    def save(self, path: Path, header, rows, key_columns: int) -> None:
        rel = str(path.relative_to(self.base))
        self.summary.files[rel] = write_table(path, header, rows, key_columns, not self.args.fresh)

    def save_latencies(self) -> None:
        latency_log.save(layout.latency_json(self.root, self.peaks.dir_name), self.latencies)


def _gemm(r: _Run, do_bf16: bool, do_fp8: bool) -> None:
    from . import measure_gemm

    jobs = [("fp16", measure_gemm.measure_bf16, r.peaks.bf16_tflops)] if do_bf16 else []
    if do_fp8:
        jobs.append(("fp8", measure_gemm.measure_fp8, r.peaks.fp8_tflops))
    for dtype, measure, peak in jobs:
        result = measure(r.plan.gemm_points(), r.args.warmup, r.args.repeats, _progress)
        r.summary.notes.extend(result.notes)
        if result.rows:
            path = layout.gemm_csv(r.root, r.peaks.dir_name, dtype)
            r.save(path, layout.GEMM_HEADER, gemm_table(result.rows, peak, r.clamp), layout.GEMM_KEY_COLUMNS)


def _prefill(r: _Run) -> None:
    from . import measure_attn

    for key in r.plan.prefill_keys:
        result = measure_attn.measure_prefill(key, r.plan.prefill_seq, r.args.warmup, r.args.repeats, _progress)
        r.summary.notes.extend(f"prefill {key.name}: {n}" for n in result.notes)
        if not result.rows:
            continue
        r.summary.backends.update(row[-1] for row in result.rows)
        rows = prefill_table(key, result.rows, r.peaks.bf16_tflops, r.clamp)
        r.save(layout.prefill_csv(r.root, r.peaks.dir_name, key.name), layout.PREFILL_HEADER, rows,
               layout.PREFILL_KEY_COLUMNS)
        latency_log.add_prefill(r.latencies, key.name, result.rows)
        r.save_latencies()


def _decode(r: _Run) -> None:
    from . import measure_attn

    for target in r.plan.decode_targets:
        # Cells whose KV cache cannot fit are left out (not written as zeros).
        gpu.release_memory()
        budget = int(gpu.free_memory_bytes() * DECODE_MEMORY_FRACTION)
        cells = decode_cells(target, r.plan.decode_batch, r.plan.decode_kv, budget)
        result = measure_attn.measure_decode(target, cells, r.args.warmup, r.args.repeats, _progress)
        r.summary.notes.extend(f"decode {target.key.name} tp{target.tp}: {n}" for n in result.notes)
        if not result.rows:
            continue
        r.summary.backends.update(row[-1] for row in result.rows)
        rows = decode_table(target, result.rows, r.peaks.bf16_tflops, r.clamp)
        path = layout.decode_csv(r.root, r.peaks.dir_name, target.key.name, target.tp)
        r.save(path, layout.DECODE_HEADER, rows, layout.DECODE_KEY_COLUMNS)
        latency_log.add_decode(r.latencies, target.key.name, target.tp, result.rows)
        r.save_latencies()


def run(plan: Plan, models: list[ModelArch], args: argparse.Namespace) -> int:
    try:
        info = gpu.device_info()
    except (ImportError, RuntimeError) as err:
        print(f"collect_mfu: cannot measure on a GPU here ({err}); --dry-run needs neither", file=sys.stderr)
        return 2
    try:
        peaks = _peaks(args, info.name)
    except (PeakError, ValueError, OSError) as err:
        print(f"collect_mfu: {err}", file=sys.stderr)
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
    if "fp8" in parts and not info.supports_fp8:
        summary.notes.append(f"fp8 GEMM skipped: compute capability {summary.capability} < 8.9")
    r = _Run(args, plan, peaks, summary)
    if not args.fresh:
        r.latencies = latency_log.load(layout.latency_json(r.root, peaks.dir_name))
    _progress(f"{info.name} -> {peaks.gpu_key}; peak bf16 {peaks.bf16_tflops:g} TFLOP/s; writing {r.base}")
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
            write_text_atomic(layout.readme_path(r.root, peaks.dir_name), render_readme(summary))
    _progress(f"done: {len(summary.files)} files under {r.base}")
    return 0
