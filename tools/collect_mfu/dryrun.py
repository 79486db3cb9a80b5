"""--dry-run listing: what a real run would measure and where it would write.
Pure Python: it must work on a laptop without torch or a GPU."""

from __future__ import annotations

import argparse
from pathlib import Path

from . import layout
from .models import ModelArch
from .peaks import PeakError, dir_name_for, find_gpu_entry, load_hardware_config
from .shapes import Plan, decode_cells

# Same share of free memory the real run gives a decode cell's KV cache.
DECODE_MEMORY_FRACTION = 0.8


def _gpu_dir(args: argparse.Namespace) -> str:
    if not args.gpu:
        return "<gpu>"
    try:
        config = load_hardware_config(args.hardware_config)
    except (OSError, ValueError, PeakError):
        config = None
    hit = find_gpu_entry(config, args.gpu) if config else None
    return dir_name_for(hit[0] if hit else args.gpu) or "<gpu>"


def _ints(values) -> str:
    return ",".join(str(v) for v in values)


def render_dry_run(plan: Plan, models: list[ModelArch], args: argparse.Namespace) -> str:
    parts = set(args.parts)
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
    dtypes = (["bf16"] if "gemm" in parts else []) + (["fp8 (if compute capability >= 8.9)"] if "fp8" in parts else [])
    add(f"  dtypes: {' + '.join(dtypes) or 'none (--parts)'}")
    add(f"  M: {_ints(plan.m_grid)}")
    for k, n in shapes:
        origins = ", ".join(f"{o.model} tp{o.tp} {o.proj}" for o in plan.gemm[(k, n)])
        add(f"  k={k} n={n}: {origins}")

    add("")
    prefill_rows = len(plan.prefill_keys) * len(plan.prefill_seq)
    add(f"prefill attention: {len(plan.prefill_keys)} keys x {len(plan.prefill_seq)} seq_len = {prefill_rows} rows")
    add(f"  seq_len: {_ints(plan.prefill_seq)}")
    for key in plan.prefill_keys:
        add(f"  {key.name}")

    budget = int(args.memory_gb * 2**30 * DECODE_MEMORY_FRACTION)
    cells_total = 0
    add("")
    add(f"decode attention: {len(plan.decode_targets)} (key, TP) tables")
    add(f"  batch: {_ints(plan.decode_batch)}")
    add(f"  kv_len: {_ints(plan.decode_kv)}")
    add(f"  cells listed if the KV cache fits {DECODE_MEMORY_FRACTION:g} x {args.memory_gb:g} GiB"
        " (a real run uses the free memory it finds)")
    for t in plan.decode_targets:
        cells = decode_cells(t, plan.decode_batch, plan.decode_kv, budget)
        cells_total += len(cells)
        full = len(plan.decode_batch) * len(plan.decode_kv)
        add(f"  {t.key.name} tp{t.tp} (per GPU {t.heads}-{t.kv_heads}-{t.key.head_dim}): {len(cells)}/{full} cells")

    gpu = _gpu_dir(args)
    root = Path(args.out)
    add("")
    add("output:")
    if "gemm" in parts:
        add(f"  {layout.gemm_csv(root, gpu, 'fp16')}")
    if "fp8" in parts:
        add(f"  {layout.gemm_csv(root, gpu, 'fp8')}")
    if "prefill" in parts:
        add(f"  {layout.prefill_csv(root, gpu, '<H>-<KV>-<hd>')}")
    if "decode" in parts:
        add(f"  {layout.decode_csv(root, gpu, '<H>-<KV>-<hd>', 0).with_name('mha_decode_fp16_tp<N>.csv')}")
    if "prefill" in parts or "decode" in parts:
        add(f"  {layout.latency_json(root, gpu)}")
    add(f"  {layout.readme_path(root, gpu)}")
    add("")
    counted = {
        "gemm": gemm_points,
        "fp8": gemm_points,
        "prefill": prefill_rows,
        "decode": cells_total,
    }
    total = sum(v for k, v in counted.items() if k in parts)
    add(f"total: {total} measurements ({', '.join(f'{k} {counted[k]}' for k in args.parts)})")
    return "\n".join(out) + "\n"
