"""A whole collector run with the GPU replaced by a deterministic synthetic
backend, for tests only (test/tools/collect-mfu.test.ts checks that
`blis-eval bench validate` accepts what it writes).

    python3 tools/collect_mfu/tests/synthetic_run.py [collect_mfu arguments]

Nothing is measured: latencies come from a roofline of an H100 (fixed
efficiencies plus a launch floor), so the tables are made up and the
README.md says so at the top. This is deliberately not a flag of the
collector itself, so nobody can produce such tables by accident.
"""

from __future__ import annotations

import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _paths  # noqa: E402,F401  (puts collect_mfu on sys.path)
from collect_mfu import cli, gpu, layout, measure_attn, measure_gemm  # noqa: E402
from collect_mfu.measure_attn import AttnRun  # noqa: E402
from collect_mfu.measure_gemm import GemmRun  # noqa: E402

DEVICE = gpu.DeviceInfo(
    name="SYNTHETIC test backend (no GPU)", capability=(9, 0), memory_gib=80.0,
    driver="none (synthetic)", cuda="none (synthetic)", torch="none (synthetic)", flashinfer=None,
)
BANNER = ("> **SYNTHETIC TABLES, NOT MEASUREMENTS.** Written by tools/collect_mfu/tests/synthetic_run.py"
          " for tests: latencies come from a fixed H100 roofline, no GPU ran anything. Never use them"
          " for predictions.")

# An H100-like roofline: peaks, fractions reached, and a launch floor in µs.
PEAK_BF16, PEAK_FP8, BW = 989.5e12, 1978.9e12, 3.35e12
GEMM_EFF, ATTN_EFF, BW_EFF, FLOOR_US = 0.72, 0.55, 0.8, 4.0


def _us(flops: float, peak: float, nbytes: float) -> float:
    return max(flops / (peak * GEMM_EFF), nbytes / (BW * BW_EFF)) * 1e6 + FLOOR_US


def fake_bf16(points, warmup, repeats, progress):
    return GemmRun(rows=[(m, k, n, _us(2.0 * m * k * n, PEAK_BF16, 2.0 * (m * k + k * n + m * n)))
                         for m, k, n in points])


def fake_fp8(points, warmup, repeats, progress):
    return GemmRun(rows=[(m, k, n, _us(2.0 * m * k * n, PEAK_FP8, m * k + k * n + 2.0 * m * n))
                         for m, k, n in points])


def fake_prefill(key, seqs, warmup, repeats, progress):
    rows = []
    for s in seqs:
        flops = 2.0 * key.heads * s * s * key.head_dim
        rows.append((s, flops / (PEAK_BF16 * ATTN_EFF) * 1e6 + FLOOR_US, "synthetic"))
    return AttnRun(rows=rows)


def fake_decode(target, cells, warmup, repeats, progress):
    rows = []
    for b, kv in cells:
        nbytes = 2.0 * b * kv * target.kv_heads * target.key.head_dim * 2
        rows.append((b, kv, nbytes / (BW * BW_EFF) * 1e6 + FLOOR_US, "synthetic"))
    return AttnRun(rows=rows)


def main(argv: list[str]) -> int:
    patches = [
        mock.patch.object(gpu, "device_info", return_value=DEVICE),
        mock.patch.object(gpu, "free_memory_bytes", return_value=int(DEVICE.memory_gib * 2**30)),
        mock.patch.object(gpu, "release_memory"),
        mock.patch.object(measure_gemm, "measure_bf16", side_effect=fake_bf16),
        mock.patch.object(measure_gemm, "measure_fp8", side_effect=fake_fp8),
        mock.patch.object(measure_attn, "measure_prefill", side_effect=fake_prefill),
        mock.patch.object(measure_attn, "measure_decode", side_effect=fake_decode),
    ]
    for p in patches:
        p.start()
    try:
        code = cli.main(argv)
    finally:
        mock.patch.stopall()
    if code == 0:
        # Mark every README this run wrote; the first line stays the collector's
        # own, so a later synthetic run still recognises the folder as its own.
        out = Path(argv[argv.index("--out") + 1]) if "--out" in argv else None
        for readme in (out.rglob(layout.README) if out else []):
            lines = readme.read_text(encoding="utf-8").splitlines(keepends=True)
            if lines and BANNER not in "".join(lines):
                readme.write_text(lines[0] + "\n" + BANNER + "\n" + "".join(lines[1:]), encoding="utf-8")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
