"""FLOP conventions and the MFU arithmetic. Pure Python.

These conventions are part of the table format: the simulator multiplies the
same FLOP counts back by 1/(peak x MFU) to get time, so a different
convention here would silently scale every predicted latency.
"""

from __future__ import annotations

import math


def gemm_flops(m: int, k: int, n: int) -> float:
    """One multiply-add per (m, k, n) triple = 2 FLOPs."""
    return 2.0 * m * k * n


def prefill_attn_flops(heads: int, seq_len: int, head_dim: int) -> float:
    """Causal self-attention of one sequence: QK^T and PV are 2 GEMMs of
    2*seq*seq*head_dim FLOPs per head each (4*H*s^2*d non-causal), halved
    because the causal mask skips the upper triangle.

    BLIS instead divides the non-causal count by 1.8 when it converts an MFU
    back to time; see README.md for the consequence.
    """
    return 4.0 * heads * seq_len * seq_len * head_dim / 2.0


def decode_attn_flops(heads: int, kv_len: int, head_dim: int, batch: int = 1) -> float:
    """One new query token per request against kv_len cached tokens:
    QK^T and PV are 2*kv_len*head_dim FLOPs per head each. `heads` is the
    per-GPU head count (heads / TP) the kernel actually runs."""
    return 4.0 * heads * kv_len * head_dim * batch


def achieved_tflops(flops: float, latency_us: float) -> float:
    if latency_us <= 0 or not math.isfinite(latency_us):
        raise ValueError(f"latency must be a positive finite number of microseconds, got {latency_us}")
    return flops / (latency_us * 1e-6) / 1e12


def mfu(flops: float, latency_us: float, peak_tflops: float) -> float:
    """Achieved FLOP/s over the peak, as a fraction (unclamped)."""
    if peak_tflops <= 0 or not math.isfinite(peak_tflops):
        raise ValueError(f"peak TFLOP/s must be positive, got {peak_tflops}")
    return achieved_tflops(flops, latency_us) / peak_tflops


def clamp_mfu(value: float) -> tuple[float, bool]:
    """Clamp to [0, 1] for the table; the flag says a clamp happened, which
    means the peak in hardware_config.json is below what the GPU delivered
    (boost clocks, wrong SKU) and is worth a warning rather than a crash."""
    if value > 1.0:
        return 1.0, True
    if value < 0.0:
        return 0.0, True
    return value, False
