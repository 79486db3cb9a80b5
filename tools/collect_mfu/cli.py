"""Command line: parse and check arguments, build the plan, then either list it
(--dry-run, no torch import) or hand it to collect.run (needs a GPU).

Exit codes follow the project: 0 ok, 2 bad input or usage, 3 internal error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .models import ModelConfigError, load_models
from .shapes import TP_CHOICES, build_plan

REPO = Path(__file__).resolve().parents[2]
PARTS = ("gemm", "fp8", "prefill", "decode")


def _csv_list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def _tp_list(text: str) -> list[int]:
    try:
        tps = [int(t) for t in _csv_list(text)]
    except ValueError:
        raise argparse.ArgumentTypeError(f"--tp must be integers, got {text!r}") from None
    bad = [t for t in tps if t not in TP_CHOICES]
    if bad or not tps:
        raise argparse.ArgumentTypeError(f"--tp values must be among {TP_CHOICES}, got {text!r}")
    return tps


def _parts(text: str) -> list[str]:
    parts = _csv_list(text)
    bad = [p for p in parts if p not in PARTS]
    if bad or not parts:
        raise argparse.ArgumentTypeError(f"--parts must be among {','.join(PARTS)}, got {text!r}")
    return parts


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="collect_mfu",
        description="Measure GEMM and attention MFU on this GPU and write bench_data/<gpu>/ tables.",
    )
    p.add_argument("--out", type=Path, default=REPO / "bench_data",
                   help="bench-data root: tables go to OUT/<gpu>/ (default: bench_data/); an OUT already named"
                        " for the GPU (e.g. bench_data_measured/h100) is used as the GPU folder itself")
    p.add_argument("--model-configs", type=Path, default=REPO / "model_configs",
                   help="folder of <model>/config.json (default: model_configs/)")
    p.add_argument("--hardware-config", type=Path, default=REPO / "hardware_config.json",
                   help="peaks file (default: hardware_config.json at the repo root)")
    p.add_argument("--models", type=_csv_list, action="extend", help="comma list of model folder names or globs")
    p.add_argument("--tp", type=_tp_list, action="extend", help="comma list of TP degrees (default 1,2,4,8)")
    p.add_argument("--gpu", help="hardware_config GPU name (default: detected from the device name)")
    p.add_argument("--peak-tflops", type=float, help="override the dense bf16 peak, TFLOP/s")
    p.add_argument("--peak-tflops-fp8", type=float, help="override the dense fp8 peak, TFLOP/s")
    p.add_argument("--parts", type=_parts, default=list(PARTS), help=f"subset of {','.join(PARTS)} (default: all)")
    p.add_argument("--quick", action="store_true", help="small subset of every grid (a few minutes)")
    p.add_argument("--dry-run", action="store_true", help="list the shapes, outputs and a time estimate, then exit; needs no GPU or torch")
    p.add_argument("--warmup", type=int, help="warm-up calls per point (default 10, quick 3)")
    p.add_argument("--repeats", type=int, help="timed repeats per point, median kept (default 30, quick 10)")
    p.add_argument("--memory-gb", type=float,
                   help="dry run only: GPU memory assumed when listing decode cells"
                        " (default: MemoryGiB of --gpu in hardware_config.json, else 80)")
    p.add_argument("--fresh", action="store_true",
                   help="empty the GPU folder first (tables, README.md, SOURCE.md) instead of merging rows")
    return p


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    args.warmup = args.warmup if args.warmup is not None else (3 if args.quick else 10)
    args.repeats = args.repeats if args.repeats is not None else (10 if args.quick else 30)
    if args.warmup < 0 or args.repeats < 1:
        print("collect_mfu: --warmup must be >= 0 and --repeats >= 1", file=sys.stderr)
        return 2
    for name in ("peak_tflops", "peak_tflops_fp8", "memory_gb"):
        value = getattr(args, name)
        if value is not None and value <= 0:
            print(f"collect_mfu: --{name.replace('_', '-')} must be positive", file=sys.stderr)
            return 2
    try:
        models = load_models(args.model_configs, args.models)
    except ModelConfigError as err:
        print(f"collect_mfu: {err}", file=sys.stderr)
        return 2
    plan = build_plan(models, tuple(args.tp) if args.tp else None, quick=args.quick)

    if args.dry_run:
        from .dryrun import render_dry_run

        print(render_dry_run(plan, models, args), end="")
        return 0

    from .collect import run

    try:
        return run(plan, models, args)
    except KeyboardInterrupt:
        print("collect_mfu: interrupted; tables written so far are complete files", file=sys.stderr)
        return 3
