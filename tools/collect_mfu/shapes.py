"""Shape planner: which GEMMs and attention cells to measure. Pure Python.

The grids below are the documented measurement points (see README.md). The
simulator interpolates linearly between them, so they are dense where the
serving engine actually lands (chunked-prefill sizes, decode batch sizes).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import ModelArch

# M = tokens in the step. Powers of two 1..16384 already contain the usual
# chunked-prefill chunk sizes (256..8192) and vLLM's default
# max_num_batched_tokens values (512 in V0 chunked prefill, 2048 for V1
# `vllm serve`, 8192 / 16384 for V1 on large-memory GPUs). The 1.5x2^k points
# tighten linear interpolation where prefill chunks between those land.
M_POWERS = tuple(2**i for i in range(15))
M_MIDPOINTS = (384, 768, 1536, 3072, 6144, 12288)
M_GRID = tuple(sorted(set(M_POWERS) | set(M_MIDPOINTS)))
TP_CHOICES = (1, 2, 4, 8)
# roofline-v2 looks prefill MFU up at power-of-two buckets 512..65536 (its
# monotone mode at the request's own length, hence the short ones too).
PREFILL_SEQ = (128, 256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536)
DECODE_BATCH = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512)
DECODE_KV = (256, 512, 1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072)

# --quick: every model, a thin slice of each grid (all values are members of
# the full grids, so a quick table is a subset of a full one).
QUICK_M_GRID = (1, 16, 128, 512, 2048, 8192)
QUICK_TPS = (1, 2)
QUICK_PREFILL_SEQ = (1024, 4096, 16384)
QUICK_DECODE_BATCH = (1, 16, 128)
QUICK_DECODE_KV = (1024, 8192, 32768)

BF16_BYTES = 2


@dataclass(frozen=True, order=True)
class AttnKey:
    """Model-level attention shape; names the bench_data folder, e.g. 32-8-128."""

    heads: int
    kv_heads: int
    head_dim: int

    @property
    def name(self) -> str:
        return f"{self.heads}-{self.kv_heads}-{self.head_dim}"


@dataclass(frozen=True, order=True)
class DecodeTarget:
    """Per-GPU decode kernel shape: the key's heads split over `tp` GPUs."""

    key: AttnKey
    tp: int
    heads: int
    kv_heads: int


# Origin.tp of the shapes roofline-v2 looks up: whole (unsplit) weights, used at every TP.
V2_TP = 0


@dataclass(frozen=True)
class Origin:
    model: str
    tp: int  # V2_TP (0) for a roofline-v2 lookup shape
    proj: str

    def label(self) -> str:
        if self.tp == V2_TP:
            return f"{self.model} roofline-v2 {self.proj}"
        return f"{self.model} tp{self.tp} {self.proj}"


@dataclass
class Plan:
    m_grid: tuple[int, ...]
    tps: tuple[int, ...]
    # (k, n) -> where the shape comes from; insertion order is irrelevant, the
    # accessors sort so output never depends on model order.
    gemm: dict[tuple[int, int], list[Origin]] = field(default_factory=dict)
    prefill_keys: list[AttnKey] = field(default_factory=list)
    prefill_seq: tuple[int, ...] = ()
    decode_targets: list[DecodeTarget] = field(default_factory=list)
    decode_batch: tuple[int, ...] = ()
    decode_kv: tuple[int, ...] = ()
    skipped: list[str] = field(default_factory=list)

    def gemm_shapes(self) -> list[tuple[int, int]]:
        return sorted(self.gemm)

    def gemm_points(self) -> list[tuple[int, int, int]]:
        """(m, k, n) in the order the CSV lists them."""
        return [(m, k, n) for k, n in self.gemm_shapes() for m in self.m_grid]


def split_heads(model: ModelArch, tp: int) -> tuple[int, int] | str:
    """Per-GPU (heads, kv_heads) under tensor parallelism, or why `tp` is invalid.

    Follows vLLM: query heads must divide evenly; KV heads are split when there
    are at least `tp` of them and replicated (1 per GPU) otherwise.
    """
    if model.heads % tp:
        return f"{model.heads} attention heads not divisible by TP {tp}"
    if model.kv_heads >= tp:
        if model.kv_heads % tp:
            return f"{model.kv_heads} KV heads not divisible by TP {tp}"
        return model.heads // tp, model.kv_heads // tp
    if tp % model.kv_heads:
        return f"TP {tp} not a multiple of {model.kv_heads} KV heads"
    return model.heads // tp, 1


def _ceil_div(a: int, b: int) -> int:
    # MLP widths that do not split evenly would be padded; every model in
    # model_configs/ splits evenly, so this only guards odd custom configs.
    return -(-a // b)


def projections(model: ModelArch, tp: int) -> list[tuple[str, int, int]]:
    """(name, K, N) of every linear projection one GPU runs per layer at `tp`."""
    split = split_heads(model, tp)
    if isinstance(split, str):
        return []
    heads, kv_heads = split
    hd, hidden = model.head_dim, model.hidden
    out = [
        ("qkv", hidden, (heads + 2 * kv_heads) * hd),
        ("o", heads * hd, hidden),
    ]
    for i, inter in enumerate(model.dense_intermediates):
        suffix = "" if i == 0 else "_mlp"
        part = _ceil_div(inter, tp)
        out.append((f"gate_up{suffix}", hidden, 2 * part))
        out.append((f"down{suffix}", part, hidden))
    if model.expert_intermediate is not None:
        part = _ceil_div(model.expert_intermediate, tp)
        out.append(("expert_gate_up", hidden, 2 * part))
        out.append(("expert_down", part, hidden))
        if model.num_experts > 1:
            # The router is replicated on every GPU (vLLM ReplicatedLinear).
            out.append(("router", hidden, model.num_experts))
    if model.shared_intermediate is not None:
        part = _ceil_div(model.shared_intermediate, tp)
        out.append(("shared_gate_up", hidden, 2 * part))
        out.append(("shared_down", part, hidden))
    return out


def roofline_v2_gemms(model: ModelArch) -> list[tuple[str, int, int]]:
    """(name, K, N) of the weights blis-eval's roofline-v2 looks MFU up for
    (src/latency/roofline-v2.ts): whole, unfused matrices (Q, K and V, O, gate,
    up, down; router, shared and routed experts), whose time it then divides
    by TP. Measuring them exactly spares the nearest-shape fallback."""
    hd, d = model.head_dim, model.hidden
    q, kv = model.heads * hd, model.kv_heads * hd
    out = [("q", d, q), ("k/v", d, kv), ("o", q, d)]
    for inter in model.dense_intermediates:
        out += [("gate/up", d, inter), ("down", inter, d)]
    if model.expert_intermediate is not None:
        if model.num_experts > 1:
            out.append(("router", d, model.num_experts))
        if model.shared_intermediate is not None:
            out += [("shared_gate/up", d, model.shared_intermediate), ("shared_down", model.shared_intermediate, d)]
        out += [("expert_gate/up", d, model.expert_intermediate), ("expert_down", model.expert_intermediate, d)]
    return out


def attn_key(model: ModelArch) -> AttnKey:
    return AttnKey(model.heads, model.kv_heads, model.head_dim)


def decode_kv_bytes(target: DecodeTarget, batch: int, kv_len: int) -> int:
    """Bytes of the bf16 K and V cache one decode cell allocates."""
    return 2 * batch * kv_len * target.kv_heads * target.key.head_dim * BF16_BYTES


def decode_cells(
    target: DecodeTarget,
    batches: tuple[int, ...],
    kv_lens: tuple[int, ...],
    budget_bytes: int | None,
) -> list[tuple[int, int]]:
    """(batch, kv_len) cells whose KV cache fits the budget (None: all)."""
    return [
        (b, kv)
        for b in batches
        for kv in kv_lens
        if budget_bytes is None or decode_kv_bytes(target, b, kv) <= budget_bytes
    ]


def build_plan(models: list[ModelArch], tps: tuple[int, ...] | None = None, quick: bool = False) -> Plan:
    wanted = tuple(sorted(set(tps or TP_CHOICES)))
    if quick:
        # Keep the user's TP filter but thin it; never end up with no TP at all.
        wanted = tuple(t for t in wanted if t in QUICK_TPS) or wanted[:1]
    plan = Plan(
        m_grid=QUICK_M_GRID if quick else M_GRID,
        tps=wanted,
        prefill_seq=QUICK_PREFILL_SEQ if quick else PREFILL_SEQ,
        decode_batch=QUICK_DECODE_BATCH if quick else DECODE_BATCH,
        decode_kv=QUICK_DECODE_KV if quick else DECODE_KV,
    )
    keys: set[AttnKey] = set()
    targets: set[DecodeTarget] = set()
    for model in models:
        key = attn_key(model)
        served = False
        for tp in wanted:
            split = split_heads(model, tp)
            if isinstance(split, str):
                plan.skipped.append(f"{model.name} TP{tp}: {split}")
                continue
            served = True
            keys.add(key)
            targets.add(DecodeTarget(key, tp, split[0], split[1]))
            for proj, k, n in projections(model, tp):
                plan.gemm.setdefault((k, n), []).append(Origin(model.name, tp, proj))
        if served:
            # TP-independent: roofline-v2 divides the whole weight's time by TP.
            for proj, k, n in roofline_v2_gemms(model):
                origins = plan.gemm.setdefault((k, n), [])
                if Origin(model.name, V2_TP, proj) not in origins:
                    origins.append(Origin(model.name, V2_TP, proj))
    plan.prefill_keys = sorted(keys)
    plan.decode_targets = sorted(targets)
    return plan
