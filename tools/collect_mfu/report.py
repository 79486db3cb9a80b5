"""The README.md written beside the tables: the conditions of the run, so a
table can be judged (and reproduced) long after it was measured. Pure Python."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


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
    backends: Counter = field(default_factory=Counter)  # kernel label -> cells it won
    notes: list[str] = field(default_factory=list)


def _file_lines(files: dict[str, int]) -> list[str]:
    if not files:
        return ["- (nothing measured)"]
    return [f"- `{path}`: {rows} rows" for path, rows in sorted(files.items())]


def render_readme(s: RunSummary) -> str:
    fp8 = f"{s.peak_fp8:g} TFLOP/s (dense fp8)" if s.peak_fp8 is not None else "not measured"
    winners = ", ".join(f"{k} {v}" for k, v in sorted(s.backends.items())) or "none"
    lines = [
        f"# MFU benchmark tables: {s.gpu_key}",
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
        f"- Models: {', '.join(s.models) or '(none)'}",
        f"- Attention kernel chosen per cell (fastest): {winners}",
    ]
    if s.merged:
        lines.append("- Rows measured by earlier runs and not re-measured were kept (merge);"
                     " they carry those runs' conditions.")
    lines += [
        "",
        "## Conventions",
        "",
        "- MFU = achieved FLOP/s / peak, a fraction in [0, 1] (values above 1 are clamped"
        " and reported below).",
        "- GEMM: 2*m*k*n FLOPs; `gemm_fp16.csv` runs bf16, `gemm_fp8.csv` runs"
        " torch._scaled_mm with per-tensor scales against the fp8 peak.",
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
    if s.notes:
        lines += ["", "## Notes and skipped measurements", ""]
        lines += [f"- {n}" for n in s.notes]
    return "\n".join(lines) + "\n"
