"""The README.md written beside the tables: the conditions of the run, so a
table can be judged (and reproduced) long after it was measured. Pure Python."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .layout import README_MARK


@dataclass
class RunSummary:
    gpu_key: str
    device_name: str
    capability: str
    memory_gib: float
    driver: str
    cuda: str
    torch: str
    flashinfer: str | None
    date_utc: str
    command: str
    peak_bf16: float
    peak_fp8: float | None  # None when fp8 was not measured
    peak_source: str
    warmup: int
    repeats: int
    quick: bool
    merged: bool
    models: list[str] = field(default_factory=list)
    tps: tuple[int, ...] = ()
    files: dict[str, int] = field(default_factory=dict)  # relative path -> rows now in the file
    kept_files: dict[str, int] = field(default_factory=dict)  # tables of earlier runs not touched by this one
    timings: dict[str, float] = field(default_factory=dict)  # part -> seconds
    grid: dict[str, tuple[int, ...]] = field(default_factory=dict)  # axis -> values
    backends: Counter = field(default_factory=Counter)  # kernel label -> cells it won
    notes: list[str] = field(default_factory=list)


def _file_lines(files: dict[str, int]) -> list[str]:
    if not files:
        return ["- (nothing measured)"]
    return [f"- `{path}`: {rows} rows" for path, rows in sorted(files.items())]


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    return f"{seconds / 60:.1f} min"


def render_readme(s: RunSummary) -> str:
    fp8 = f"{s.peak_fp8:g} TFLOP/s (dense fp8)" if s.peak_fp8 is not None else "not measured"
    winners = ", ".join(f"{k} {v}" for k, v in sorted(s.backends.items())) or "none"
    lines = [
        f"{README_MARK}: {s.gpu_key}",
        "",
        "Written by `tools/collect_mfu` (blis-eval). Read by the roofline v2 MFU",
        "database; see tools/collect_mfu/README.md for the layout and conventions.",
        "",
        "## Conditions of the latest run",
        "",
        f"- GPU: {s.device_name} (compute capability {s.capability}, {s.memory_gib:.1f} GiB)",
        f"- Driver: {s.driver}; CUDA (PyTorch build): {s.cuda}",
        f"- PyTorch: {s.torch}; FlashInfer: {s.flashinfer or 'not installed'}",
        f"- Date (UTC): {s.date_utc}",
        f"- Command: `{s.command}`",
        f"- Peak bf16: {s.peak_bf16:g} TFLOP/s (dense); peak fp8: {fp8}; source: {s.peak_source}",
        f"- Timing: CUDA events, {s.warmup} warm-up calls, median of {s.repeats} repeats,"
        " L2 flushed before each repeat, clocks not locked",
        f"- Grid: {'--quick subset' if s.quick else 'full'}; TP {', '.join(map(str, s.tps))}",
        *[f"  - {axis}: {', '.join(map(str, values))}" for axis, values in s.grid.items()],
        f"- Models: {', '.join(s.models) or '(none)'}",
        f"- Attention kernel chosen per cell (fastest): {winners}",
    ]
    if s.timings:
        lines.append("- Time taken: " + ", ".join(f"{k} {_duration(v)}" for k, v in s.timings.items()))
    if s.merged:
        lines.append("- Rows measured by earlier runs and not re-measured were kept (merge);"
                     " they carry those runs' conditions.")
    lines += [
        "",
        "## Conventions",
        "",
        "- MFU = achieved FLOP/s / peak, a fraction in [0, 1] (values above 1 are clamped"
        " and reported below).",
        "- GEMM: 2*m*k*n FLOPs; `gemm_bench/gemm_fp16.csv` runs bf16 (F.linear) against the bf16 peak."
        " `gemm_bench/gemm_fp8.tsv` (tab-separated, same columns; not read by blis-eval, whose"
        " project layout has no fp8 table) runs torch._scaled_mm with per-tensor scales against"
        " the fp8 peak.",
        "- GEMM shapes: the per-GPU fused projections vLLM runs at each TP (QKV, O, gate_up, down,"
        " experts, router) and the whole unfused weights roofline-v2 looks up.",
        "- Prefill attention: causal, batch 1, the model's full head counts;"
        " FLOPs = 4*heads*seq_len^2*head_dim / 2.",
        "- Decode attention: one query token per request, heads = heads/TP and"
        " kv_heads = max(1, kv_heads/TP); FLOPs = 4*heads*kv_len*head_dim per request.",
        "- Latencies (µs) and the winning kernel of each attention cell are in"
        " `attention_latency.json`.",
        "",
        "## Files",
        "",
        *_file_lines(s.files),
    ]
    if s.kept_files:
        lines += ["", "Kept from earlier runs (not re-measured by the latest one):", ""]
        lines += _file_lines(s.kept_files)
    if s.notes:
        lines += ["", "## Notes and skipped measurements", ""]
        lines += [f"- {n}" for n in s.notes]
    return "\n".join(lines) + "\n"
