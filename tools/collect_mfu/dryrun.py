"""--dry-run listing: what a real run would measure, where it would write, and
about how long it would take. Pure Python: it must work on a laptop without
torch or a GPU."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import layout
from .estimate import Device, estimate_seconds, format_duration
from .models import ModelArch
from .peaks import PeakError, Peaks, dir_name_for, find_gpu_entry, load_hardware_config, resolve_peaks
from .shapes import Plan, decode_cells

# Same share of free memory the real run gives a decode cell's KV cache.
DECODE_MEMORY_FRACTION = 0.8
DEFAULT_MEMORY_GIB = 80.0
# Estimates without --gpu: an H100 SXM (hardware_config.json's figures).
FALLBACK_DEVICE = Device(989.5, 1978.9, 3.35)


def _lookup(args: argparse.Namespace) -> tuple[str | None, Peaks | None]:
    """(output folder name, peaks) for --gpu; (None, None) without it."""
    if not args.gpu:
        return None, None
    try:
        config = load_hardware_config(args.hardware_config)
    except (OSError, ValueError, PeakError):
        config = None
    hit = find_gpu_entry(config, args.gpu) if config else None
    try:
        peaks = resolve_peaks(config, args.gpu, args.peak_tflops, args.peak_tflops_fp8)
    except PeakError:
        peaks = None
    return dir_name_for(hit[0] if hit else args.gpu) or None, peaks


def _ints(values) -> str:
    return ",".join(str(v) for v in values)


def render_dry_run(plan: Plan, models: list[ModelArch], args: argparse.Namespace) -> str:
    parts = set(args.parts)
    gpu_dir, peaks = _lookup(args)
    memory_gib = args.memory_gb or (peaks.memory_gib if peaks and peaks.memory_gib else DEFAULT_MEMORY_GIB)
    out: list[str] = []
    add = out.append
    add("collect_mfu dry run: nothing measured, torch not imported")
    add(f"grid: {'quick subset' if args.quick else 'full'}; warm-up {args.warmup}, repeats {args.repeats}")
    add(f"models ({len(models)}): {', '.join(m.name for m in models)}")
    add(f"tensor parallel: {_ints(plan.tps)}")
    for reason in plan.skipped:
        add(f"  skipped {reason}")

    shapes = plan.gemm_shapes()
    gemm_points = len(shapes) * len(plan.m_grid)
    add("")
    add(f"GEMM: {len(shapes)} (k, n) shapes x {len(plan.m_grid)} M values = {gemm_points} points per dtype")
    add("  (each shape's origins: the per-GPU fused projections vLLM runs at each TP, and the whole")
    add("  unfused weights roofline-v2 looks up)")
    dtypes = (["bf16"] if "gemm" in parts else []) + (["fp8 (if compute capability >= 8.9)"] if "fp8" in parts else [])
    add(f"  dtypes: {' + '.join(dtypes) or 'none (--parts)'}")
    add(f"  M: {_ints(plan.m_grid)}")
    for k, n in shapes:
        add(f"  k={k} n={n}: {', '.join(o.label() for o in plan.gemm[(k, n)])}")

    add("")
    prefill_rows = len(plan.prefill_keys) * len(plan.prefill_seq)
    add(f"prefill attention: {len(plan.prefill_keys)} keys x {len(plan.prefill_seq)} seq_len = {prefill_rows} rows")
    add(f"  seq_len: {_ints(plan.prefill_seq)}")
    for key in plan.prefill_keys:
        add(f"  {key.name}")

    budget = int(memory_gib * 2**30 * DECODE_MEMORY_FRACTION)
    cells_total = 0
    add("")
    add(f"decode attention: {len(plan.decode_targets)} (key, TP) tables")
    add(f"  batch: {_ints(plan.decode_batch)}")
    add(f"  kv_len: {_ints(plan.decode_kv)}")
    add(f"  cells listed if the KV cache fits {DECODE_MEMORY_FRACTION:g} x {memory_gib:g} GiB"
        " (a real run uses the free memory it finds)")
    for t in plan.decode_targets:
        cells = decode_cells(t, plan.decode_batch, plan.decode_kv, budget)
        cells_total += len(cells)
        full = len(plan.decode_batch) * len(plan.decode_kv)
        add(f"  {t.key.name} tp{t.tp} (per GPU {t.heads}-{t.kv_heads}-{t.key.head_dim}): {len(cells)}/{full} cells")

    base = layout.gpu_root(Path(args.out), gpu_dir or "<gpu>")
    add("")
    add("output:" + ("" if gpu_dir else " (<gpu> is the hardware_config name of the detected GPU; pass --gpu to see it)"))
    if "gemm" in parts:
        add(f"  {layout.gemm_csv(base)}")
    if "fp8" in parts:
        add(f"  {layout.gemm_fp8_table(base)}  (not read by blis-eval; see README)")
    if "prefill" in parts:
        add(f"  {layout.prefill_csv(base, '<H>-<KV>-<hd>')}")
    if "decode" in parts:
        add(f"  {layout.decode_csv(base, '<H>-<KV>-<hd>', '<N>')}")
    if "prefill" in parts or "decode" in parts:
        add(f"  {layout.latency_json(base)}")
    add(f"  {layout.readme_path(base)}")
    if gpu_dir and not args.fresh and layout.foreign_tables(base):
        add(f"  NOTE: {base} holds tables this tool did not write; a real run will refuse to merge into it")
        add("        (choose another --out, e.g. bench_data_measured, or pass --fresh to replace them)")

    add("")
    counted = {"gemm": gemm_points, "fp8": gemm_points, "prefill": prefill_rows, "decode": cells_total}
    total = sum(v for k, v in counted.items() if k in parts)
    add(f"total: {total} measurements ({', '.join(f'{k} {counted[k]}' for k in args.parts)})")

    if peaks is not None:
        dev = Device(peaks.bf16_tflops, peaks.fp8_tflops, peaks.bw_tbs or FALLBACK_DEVICE.bw_tbs)
        on = f"{peaks.gpu_key} ({dev.peak_bf16_tflops:g} TFLOP/s bf16, {dev.bw_tbs:g} TB/s)"
    else:
        dev = FALLBACK_DEVICE
        on = "an H100 SXM (pass --gpu for another GPU)"
    secs = estimate_seconds(plan, parts, args.warmup, args.repeats, dev, budget)
    detail = ", ".join(f"{k} {format_duration(v)}" for k, v in secs.items())
    add(f"estimated time on {on}: ~{format_duration(sum(secs.values()))} ({detail});"
        " a rough model: real runs may take up to 2x")
    return "\n".join(out) + "\n"
