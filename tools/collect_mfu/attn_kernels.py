"""Attention kernel builders. Each returns a zero-argument callable that runs
one attention call on freshly allocated bf16 inputs; the caller times it.

Candidates: FlashInfer (when importable, the kernel vLLM uses on many
setups) and every backend of torch's scaled_dot_product_attention that this
PyTorch can force (flash, cuDNN, memory-efficient). The caller keeps the
fastest, because "the fastest kernel available" differs by GPU and shape.
torch and flashinfer are imported inside the functions only.
"""

from __future__ import annotations

from collections.abc import Callable

PAGE_SIZE = 16  # vLLM's default KV block size
_WORKSPACE_BYTES = 128 * 1024 * 1024


def _randn(*shape):
    import torch

    return torch.randn(*shape, dtype=torch.bfloat16, device="cuda")


def sdpa_backends() -> list[tuple[str, object]]:
    """(label, SDPBackend or None); None means "let PyTorch choose"."""
    try:
        from torch.nn.attention import SDPBackend
    except ImportError:  # PyTorch < 2.3 cannot force a backend this way
        return [("sdpa", None)]
    wanted = (("sdpa-flash", "FLASH_ATTENTION"), ("sdpa-cudnn", "CUDNN_ATTENTION"),
              ("sdpa-efficient", "EFFICIENT_ATTENTION"))
    return [(label, getattr(SDPBackend, name)) for label, name in wanted if hasattr(SDPBackend, name)]


def _sdpa_call(q, k, v, causal: bool, backend, gqa: bool) -> Callable[[], object]:
    import torch.nn.functional as F

    kwargs = {"is_causal": causal}
    if gqa:
        kwargs["enable_gqa"] = True
    if backend is None:
        return lambda: F.scaled_dot_product_attention(q, k, v, **kwargs)
    from torch.nn.attention import sdpa_kernel

    def run():
        with sdpa_kernel(backend):
            return F.scaled_dot_product_attention(q, k, v, **kwargs)

    return run


def _sdpa(q, k, v, causal: bool, backend) -> Callable[[], object]:
    """q [B, H, S, D], k/v [B, KV, L, D]; validated by one call before returning.

    GQA goes through enable_gqa where the backend takes it (flash, PyTorch >=
    2.5). Otherwise the KV heads are expanded once, outside the timing; the
    callable then carries variant "+repeat_kv" because it reads group-times
    more KV than a native GQA kernel, which matters for decode.
    """
    group = q.shape[1] // k.shape[1]
    fn = _sdpa_call(q, k, v, causal, backend, gqa=group > 1)
    try:
        fn()
        return fn
    except (TypeError, RuntimeError) as err:
        if group == 1 or _is_oom(err):
            raise
    k, v = k.repeat_interleave(group, dim=1), v.repeat_interleave(group, dim=1)
    fn = _sdpa_call(q, k, v, causal, backend, gqa=False)
    fn()
    fn.variant = "+repeat_kv"
    return fn


def _is_oom(err: BaseException) -> bool:
    return "out of memory" in str(err).lower()


def sdpa_prefill(heads: int, kv_heads: int, head_dim: int, seq: int, backend) -> Callable[[], object]:
    q = _randn(1, heads, seq, head_dim)
    k, v = _randn(1, kv_heads, seq, head_dim), _randn(1, kv_heads, seq, head_dim)
    return _sdpa(q, k, v, True, backend)


def sdpa_decode(heads: int, kv_heads: int, head_dim: int, batch: int, kv_len: int, backend):
    # One query token per request; all requests share kv_len, no mask needed.
    q = _randn(batch, heads, 1, head_dim)
    k, v = _randn(batch, kv_heads, kv_len, head_dim), _randn(batch, kv_heads, kv_len, head_dim)
    return _sdpa(q, k, v, False, backend)


def flashinfer_available() -> bool:
    try:
        import flashinfer  # noqa: F401
    except Exception:
        return False
    return True


def flashinfer_prefill(heads: int, kv_heads: int, head_dim: int, seq: int) -> Callable[[], object]:
    import flashinfer

    q = _randn(seq, heads, head_dim)  # NHD: [tokens, heads, head_dim]
    k, v = _randn(seq, kv_heads, head_dim), _randn(seq, kv_heads, head_dim)
    fn = lambda: flashinfer.single_prefill_with_kv_cache(q, k, v, causal=True)  # noqa: E731
    fn()
    return fn


def _decode_wrapper(flashinfer, workspace, group: int):
    # Tensor-core decode pays off for wide GQA groups; old releases lack the flag.
    try:
        return flashinfer.BatchDecodeWithPagedKVCacheWrapper(workspace, "NHD", use_tensor_cores=group >= 4)
    except TypeError:
        return flashinfer.BatchDecodeWithPagedKVCacheWrapper(workspace, "NHD")


def flashinfer_decode(heads: int, kv_heads: int, head_dim: int, batch: int, kv_len: int):
    import flashinfer
    import torch

    pages_per_req = -(-kv_len // PAGE_SIZE)
    total_pages = batch * pages_per_req
    cache = _randn(total_pages, 2, PAGE_SIZE, kv_heads, head_dim)
    i32 = {"dtype": torch.int32, "device": "cuda"}
    indptr = torch.arange(batch + 1, **i32) * pages_per_req
    indices = torch.arange(total_pages, **i32)
    last_len = torch.full((batch,), kv_len - (pages_per_req - 1) * PAGE_SIZE, **i32)
    workspace = torch.empty(_WORKSPACE_BYTES, dtype=torch.uint8, device="cuda")
    wrapper = _decode_wrapper(flashinfer, workspace, heads // kv_heads)
    args = (indptr, indices, last_len, heads, kv_heads, head_dim, PAGE_SIZE)
    if hasattr(wrapper, "plan"):  # FlashInfer >= 0.2
        try:
            wrapper.plan(*args, pos_encoding_mode="NONE", q_data_type=torch.bfloat16,
                         kv_data_type=torch.bfloat16)
        except TypeError:
            wrapper.plan(*args, pos_encoding_mode="NONE", data_type=torch.bfloat16)
        run = wrapper.run
    else:
        wrapper.begin_forward(*args, pos_encoding_mode="NONE", data_type=torch.bfloat16)
        run = wrapper.forward
    q = _randn(batch, heads, head_dim)
    fn = lambda: run(q, cache)  # noqa: E731
    fn()
    return fn
