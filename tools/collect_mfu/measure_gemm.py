"""GEMM latency on the GPU: bf16 (F.linear, what vLLM's unquantised linear
layers call) and fp8 (torch._scaled_mm, per-tensor scales, the FP8 W8A8 path).
torch is imported inside the functions only."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby

from . import gpu


@dataclass
class GemmRun:
    rows: list[tuple[int, int, int, float]] = field(default_factory=list)  # m, k, n, latency_us
    notes: list[str] = field(default_factory=list)


def _by_shape(points: list[tuple[int, int, int]]) -> list[tuple[tuple[int, int], list[int]]]:
    keyed = sorted(points, key=lambda p: (p[1], p[2], p[0]))
    return [((k, n), [m for m, _, _ in grp]) for (k, n), grp in groupby(keyed, key=lambda p: (p[1], p[2]))]


def _measure_shape(
    run: GemmRun,
    k: int,
    n: int,
    ms: list[int],
    make_fn: Callable[[int], Callable[[], object]],
    warmup: int,
    repeats: int,
) -> None:
    for m in ms:
        try:
            run.rows.append((m, k, n, gpu.time_us(make_fn(m), warmup, repeats)))
        except RuntimeError as err:
            if gpu.is_oom(err):
                gpu.release_memory()
                run.notes.append(f"skipped m={m} k={k} n={n}: out of memory")
            else:
                run.notes.append(f"skipped m={m} k={k} n={n}: {str(err).splitlines()[0]}")


def measure_bf16(points, warmup: int, repeats: int, progress: Callable[[str], None]) -> GemmRun:
    import torch
    import torch.nn.functional as F

    run = GemmRun()
    shapes = _by_shape(points)
    for i, ((k, n), ms) in enumerate(shapes, 1):
        progress(f"gemm bf16 [{i}/{len(shapes)}] k={k} n={n} ({len(ms)} M values)")
        try:
            # nn.Linear layout: weight [N, K], activations [M, K]; slice M views
            # of one buffer so each shape allocates once.
            weight = torch.randn(n, k, dtype=torch.bfloat16, device="cuda")
            acts = torch.randn(max(ms), k, dtype=torch.bfloat16, device="cuda")
        except RuntimeError as err:
            if not gpu.is_oom(err):
                raise
            gpu.release_memory()
            run.notes.append(f"skipped k={k} n={n}: out of memory")
            continue

        def make(m: int, acts=acts, weight=weight):
            x = acts[:m]
            return lambda: F.linear(x, weight)

        _measure_shape(run, k, n, ms, make, warmup, repeats)
        del weight, acts
        gpu.release_memory()
    return run


def _pad16(m: int) -> int:
    return -(-m // 16) * 16


def measure_fp8(points, warmup: int, repeats: int, progress: Callable[[str], None]) -> GemmRun:
    import torch

    run = GemmRun()
    shapes = _by_shape(points)
    scale = torch.ones((), dtype=torch.float32, device="cuda")
    for i, ((k, n), ms) in enumerate(shapes, 1):
        if k % 16 or n % 16:
            # cuBLASLt FP8 needs 16-aligned K and N; vLLM would pad the weight,
            # which is a different shape, so do not pretend to measure this one.
            run.notes.append(f"skipped fp8 k={k} n={n}: K and N must be multiples of 16")
            continue
        progress(f"gemm fp8  [{i}/{len(shapes)}] k={k} n={n} ({len(ms)} M values)")
        try:
            weight = torch.randn(n, k, dtype=torch.bfloat16, device="cuda").to(torch.float8_e4m3fn)
            acts = torch.randn(_pad16(max(ms)), k, dtype=torch.bfloat16, device="cuda").to(torch.float8_e4m3fn)
        except RuntimeError as err:
            if not gpu.is_oom(err):
                raise
            gpu.release_memory()
            run.notes.append(f"skipped fp8 k={k} n={n}: out of memory")
            continue

        def make(m: int, acts=acts, weight=weight):
            # Older PyTorch requires M % 16 == 0; vLLM pads activations the
            # same way, so the padded time is the time a real M-token step pays.
            rows = m if _fp8_accepts(m) else _pad16(m)
            x = acts[:rows]
            w_t = weight.t()  # the column-major [K, N] operand _scaled_mm expects
            _scaled_mm(x, w_t, scale)  # fail here, not inside the timing loop
            return lambda: _scaled_mm(x, w_t, scale)

        _measure_shape(run, k, n, ms, make, warmup, repeats)
        del weight, acts
        gpu.release_memory()
    return run


_ACCEPTS_ODD_M: bool | None = None


def _fp8_accepts(m: int) -> bool:
    """Whether this PyTorch takes an M that is not a multiple of 16 (probed once)."""
    global _ACCEPTS_ODD_M
    if m % 16 == 0:
        return True
    if _ACCEPTS_ODD_M is None:
        import torch

        a = torch.zeros(17, 32, device="cuda").to(torch.float8_e4m3fn)
        b = torch.zeros(32, 32, device="cuda").to(torch.float8_e4m3fn)
        one = torch.ones((), dtype=torch.float32, device="cuda")
        try:
            _scaled_mm(a, b.t(), one)
            _ACCEPTS_ODD_M = True
        except Exception:  # a shape check raises; any failure means "pad"
            _ACCEPTS_ODD_M = False
    return _ACCEPTS_ODD_M


def _scaled_mm(a, b, scale):
    import torch

    # use_fast_accum matches the production FP8 GEMMs on Hopper. PyTorch < 2.4
    # returns (out, amax); later versions return the tensor alone.
    out = torch._scaled_mm(a, b, scale_a=scale, scale_b=scale, out_dtype=torch.bfloat16, use_fast_accum=True)
    return out[0] if isinstance(out, tuple) else out
