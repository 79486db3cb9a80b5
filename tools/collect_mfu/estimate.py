"""Rough wall-clock estimate of a run, for --dry-run. Pure Python.

A roofline of the benchmark itself: every timed call costs its kernel (the
larger of FLOPs at a typical efficiency and bytes at a typical bandwidth),
plus the L2 flush before each timed repeat, plus fixed host costs per point
(synchronisation, allocation, freeing). It is a planning figure, not a
promise: real runs differ by up to about 2x (clocks, kernels that fail and
are skipped, FlashInfer absent or compiling its kernels on first use,
allocator behaviour).
"""

from __future__ import annotations

from dataclasses import dataclass

from .gpu import FLUSH_BYTES
from .shapes import Plan, decode_cells, decode_kv_bytes

# Typical fractions of peak the kernels reach on large shapes.
GEMM_EFF = 0.7
PREFILL_EFF = 0.5
BW_EFF = 0.8
KERNEL_FLOOR_S = 5e-6  # smallest kernel time (launch, tail)
POINT_HOST_S = 3e-3  # events, two synchronisations, Python, per timed point
# Per kernel and cell: allocate, validate, gc.collect + empty_cache, and
# (cuDNN) an execution plan per new shape.
ATTN_KERNEL_HOST_S = 0.1
STARTUP_S = 30.0  # import torch, CUDA context, cuBLAS/cuDNN handles
RANDN_BW_EFF = 0.3  # torch.randn fill rate as a fraction of peak bandwidth
GEMM_SHAPE_HOST_S = 0.05  # allocate the operands of one (k, n) shape
# Attention kernels timed per cell: FlashInfer, SDPA flash, SDPA cuDNN.
ATTN_KERNELS = 3


@dataclass
class Device:
    peak_bf16_tflops: float
    peak_fp8_tflops: float
    bw_tbs: float

    def compute_s(self, flops: float, fp8: bool = False) -> float:
        peak = self.peak_fp8_tflops if fp8 else self.peak_bf16_tflops
        return flops / (peak * 1e12)

    def bytes_s(self, nbytes: float, eff: float = BW_EFF) -> float:
        return nbytes / (self.bw_tbs * 1e12 * eff)


def _timed(kernel_s: float, warmup: int, repeats: int, dev: Device) -> float:
    return (warmup + repeats) * kernel_s + repeats * dev.bytes_s(FLUSH_BYTES) + POINT_HOST_S


def gemm_seconds(plan: Plan, warmup: int, repeats: int, dev: Device, fp8: bool = False) -> float:
    width = 1 if fp8 else 2
    total = 0.0
    for k, n in plan.gemm_shapes():
        total += GEMM_SHAPE_HOST_S
        for m in plan.m_grid:
            flops = 2.0 * m * k * n
            nbytes = width * (m * k + k * n) + 2 * m * n
            kernel = max(dev.compute_s(flops, fp8) / GEMM_EFF, dev.bytes_s(nbytes), KERNEL_FLOOR_S)
            total += _timed(kernel, warmup, repeats, dev)
    return total


def prefill_seconds(plan: Plan, warmup: int, repeats: int, dev: Device) -> float:
    total = 0.0
    for key in plan.prefill_keys:
        for s in plan.prefill_seq:
            flops = 2.0 * key.heads * s * s * key.head_dim
            kernel = max(dev.compute_s(flops) / PREFILL_EFF, KERNEL_FLOOR_S)
            total += ATTN_KERNELS * (_timed(kernel, warmup + 1, repeats, dev) + ATTN_KERNEL_HOST_S)
    return total


def decode_seconds(plan: Plan, warmup: int, repeats: int, dev: Device, budget_bytes: int | None) -> float:
    total = 0.0
    for target in plan.decode_targets:
        for b, kv in decode_cells(target, plan.decode_batch, plan.decode_kv, budget_bytes):
            nbytes = decode_kv_bytes(target, b, kv)
            kernel = max(dev.bytes_s(nbytes), KERNEL_FLOOR_S)
            fill = dev.bytes_s(nbytes, RANDN_BW_EFF)
            total += ATTN_KERNELS * (_timed(kernel, warmup + 1, repeats, dev) + fill + ATTN_KERNEL_HOST_S)
    return total


def estimate_seconds(
    plan: Plan,
    parts: set[str],
    warmup: int,
    repeats: int,
    dev: Device,
    budget_bytes: int | None,
) -> dict[str, float]:
    """Seconds per part of `parts` (gemm, fp8, prefill, decode)."""
    out: dict[str, float] = {"startup": STARTUP_S}
    if "gemm" in parts:
        out["gemm"] = gemm_seconds(plan, warmup, repeats, dev)
    if "fp8" in parts:
        out["fp8"] = gemm_seconds(plan, warmup, repeats, dev, fp8=True)
    if "prefill" in parts:
        out["prefill"] = prefill_seconds(plan, warmup, repeats, dev)
    if "decode" in parts:
        out["decode"] = decode_seconds(plan, warmup, repeats, dev, budget_bytes)
    return out


def format_duration(seconds: float) -> str:
    minutes = seconds / 60.0
    if minutes < 1:
        return "<1 min"
    if minutes < 90:
        return f"{minutes:.0f} min"
    return f"{minutes / 60:.1f} h"
