"""A fast forward path for transformers' GptOss classes (4.57), swapped in per module instance and reversible.

transformers' GptOss inference path (CUDA, not training) computes every expert for every token and keeps the ones the
router chose (32 experts, 4 active: 8x the expert FLOPs), and its attention with sinks is eager (the score matrix in
the model dtype, several copies). Here:

- experts: the (token, expert) pairs the router chose, sorted by expert, go through one grouped GEMM per projection
  (`torch._grouped_mm`, bf16 on Hopper) or, elsewhere, a loop over the experts hit; the maths is GptOssExperts'
  (interleaved gate/up columns, clamps, alpha 1.702, (up + 1) * glu, routing weight, bias per expert).
- attention: scaled_dot_product_attention with the sink as one extra key whose value is zero. Its logit must be the
  per-head sink for every query, so q gets one extra component 1 and the sink key carries sink/scale there (the other
  keys 0): q·k_sink·scale = sink, exactly eager's concatenated sink column, and the mask (transformers' own eager
  mask: causal, sliding window, left padding, packed sequences) stays (B, 1, Q, K) + a zero column, broadcast over
  heads. Head dim is padded to a multiple of 8 and the keys to a multiple of 16 (kernel alignment; the spare keys
  masked), which changes no score.

Everything else (embeddings, norms, router, rotary, the KV cache, peft's LoRA layers on q/k/v/o) is transformers' own:
the patched forwards call the modules' own projections, and peft's `target_parameters` on experts parametrizes
`gate_up_proj` / `down_proj` during the wrapper's forward, which the fast experts read like eager does.

    fastpath.enable(model, "auto")   # on for CUDA, eager elsewhere; "on" / "off"; returns whether it is on
    fastpath.disable(model)          # the eager forwards again
"""

from __future__ import annotations

import logging
import types

import torch
import torch.nn.functional as F

log = logging.getLogger("psychohistory")

MODES = ("auto", "on", "off")
MOE_BACKEND = "auto"  # auto | grouped | loop (tests force one; auto = grouped GEMM on CUDA Hopper bf16, else loop)
_TAG = "_psychohistory_fast"


# ---- experts -------------------------------------------------------------------------------------------------------


def _grouped_ok(x: torch.Tensor, w: torch.Tensor) -> bool:
    if MOE_BACKEND != "auto":
        return MOE_BACKEND == "grouped"
    return (
        hasattr(torch, "_grouped_mm")
        and x.is_cuda
        and x.dtype == torch.bfloat16
        and w.dtype == torch.bfloat16
        and torch.cuda.get_device_capability(x.device) >= (9, 0)
        and x.shape[-1] % 8 == 0
        and w.shape[-1] % 8 == 0
    )


def _expert_matmul(x: torch.Tensor, w: torch.Tensor, counts: torch.Tensor, offs: torch.Tensor) -> torch.Tensor:
    """x: rows sorted by expert (counts[e] rows for expert e); w: (experts, in, out) -> (rows, out)."""
    global MOE_BACKEND
    if _grouped_ok(x, w):
        try:
            return torch._grouped_mm(x, w.to(x.dtype), offs=offs)
        except RuntimeError as e:  # a kernel this build lacks: the loop computes the same, slower
            if MOE_BACKEND != "auto":
                raise
            log.warning(
                "fast forward: torch._grouped_mm failed (%s); the experts use the per-expert loop from now on",
                str(e).splitlines()[0],
            )
            MOE_BACKEND = "loop"
    outs = []
    for e, xs in enumerate(torch.split(x, counts.tolist())):
        if xs.shape[0]:
            outs.append(xs @ w[e])
    return torch.cat(outs) if outs else x.new_zeros(0, w.shape[-1])


def experts_forward(self, hidden_states: torch.Tensor, router_indices=None, routing_weights=None) -> torch.Tensor:
    """GptOssExperts.forward, each token through its top-k experts only."""
    shape = hidden_states.shape
    x = hidden_states.reshape(-1, self.hidden_size)
    top_k = router_indices.shape[-1]
    flat = router_indices.reshape(-1)  # (tokens * k,) expert of each pair
    order = torch.argsort(flat, stable=True)
    expert = flat[order]
    token = order // top_k  # token of each sorted pair
    weight = routing_weights.gather(1, router_indices).reshape(-1)[order]
    counts = torch.bincount(flat, minlength=self.num_experts)
    offs = torch.cumsum(counts, 0).to(torch.int32)
    gate_up = _expert_matmul(x[token], self.gate_up_proj, counts, offs) + self.gate_up_proj_bias[expert]
    gate, up = gate_up[..., ::2], gate_up[..., 1::2]
    gate = gate.clamp(min=None, max=self.limit)
    up = up.clamp(min=-self.limit, max=self.limit)
    glu = gate * torch.sigmoid(gate * self.alpha)
    out = _expert_matmul(((up + 1) * glu).contiguous(), self.down_proj, counts, offs) + self.down_proj_bias[expert]
    out = out * weight[:, None]
    return torch.zeros_like(x).index_add_(0, token, out.to(x.dtype)).view(shape)


# ---- attention -----------------------------------------------------------------------------------------------------


def _default_mask(q_len: int, k_len: int, window, dtype, device) -> torch.Tensor:
    """Causal (bottom-right aligned: the queries are the last q_len of k_len positions) and sliding-window mask, as an
    additive (1, 1, Q, K) bias; used only when the model passes none."""
    qi = torch.arange(k_len - q_len, k_len, device=device)[:, None]
    ki = torch.arange(k_len, device=device)[None, :]
    ok = ki <= qi
    if window:
        ok &= ki > qi - window
    return torch.zeros(q_len, k_len, dtype=dtype, device=device).masked_fill(~ok, torch.finfo(dtype).min)[None, None]


def sdpa_with_sinks(module, query, key, value, attention_mask, scaling: float, dropout: float = 0.0) -> torch.Tensor:
    """Eager GptOss attention (softmax over the scores and one sink logit per head, the sink's share dropped) through
    scaled_dot_product_attention. query (B, H, Q, D), key/value (B, KVH, K, D); returns (B, Q, H, D)."""
    b, h, q_len, d = query.shape
    rep = h // key.shape[1]
    if rep > 1:  # GQA by repetition: enable_gqa is not taken by every fused backend
        key = key[:, :, None].expand(b, key.shape[1], rep, *key.shape[2:]).reshape(b, h, *key.shape[2:])
        value = value[:, :, None].expand(b, value.shape[1], rep, *value.shape[2:]).reshape(b, h, *value.shape[2:])
    k_len = key.shape[2]
    extra = 8 - d % 8  # >= 1 column: the sink's; the rest zero padding to a multiple of 8
    spare = -(k_len + 1) % 16  # masked zero keys after the sink: the mask's rows aligned to 16 (no copy in the kernel)
    dt, dev = query.dtype, query.device
    one = torch.zeros(extra, dtype=dt, device=dev)
    one[0] = 1
    q = torch.cat([query, one.expand(b, h, q_len, extra)], -1)
    sink = torch.zeros(b, h, 1 + spare, d + extra, dtype=dt, device=dev)
    sink[:, :, 0, d] = (module.sinks.to(torch.float32) / scaling).to(dt).view(1, h)
    k = torch.cat([F.pad(key.to(dt), (0, extra)), sink], 2)
    v = F.pad(value.to(dt), (0, extra, 0, 1 + spare))
    if attention_mask is None:
        mask = _default_mask(q_len, k_len, module.sliding_window, dt, dev)
    else:
        mask = attention_mask[:, :, :, :k_len]
        if mask.dtype == torch.bool:
            mask = torch.zeros(mask.shape, dtype=dt, device=mask.device).masked_fill(~mask, torch.finfo(dt).min)
    mask = F.pad(mask.to(dt), (0, 1))  # the sink column: never masked, so no row is empty
    if spare:
        mask = F.pad(mask, (0, spare), value=torch.finfo(dt).min)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=dropout, scale=scaling)
    return out[..., :d].transpose(1, 2)


def attention_forward(
    self, hidden_states, position_embeddings, attention_mask, past_key_values=None, cache_position=None, **kwargs
):
    """GptOssAttention.forward with sdpa_with_sinks in place of the eager attention function."""
    from transformers.models.gpt_oss.modeling_gpt_oss import apply_rotary_pos_emb

    past_key_values = past_key_values if past_key_values is not None else kwargs.pop("past_key_value", None)
    input_shape = hidden_states.shape[:-1]
    hidden_shape = (*input_shape, -1, self.head_dim)
    query_states = self.q_proj(hidden_states).view(hidden_shape).transpose(1, 2)
    key_states = self.k_proj(hidden_states).view(hidden_shape).transpose(1, 2)
    value_states = self.v_proj(hidden_states).view(hidden_shape).transpose(1, 2)
    cos, sin = position_embeddings
    query_states, key_states = apply_rotary_pos_emb(query_states, key_states, cos, sin)
    if past_key_values is not None:
        key_states, value_states = past_key_values.update(
            key_states, value_states, self.layer_idx, {"cache_position": cache_position}
        )
    out = sdpa_with_sinks(
        self,
        query_states,
        key_states,
        value_states,
        attention_mask,
        self.scaling,
        self.attention_dropout if self.training else 0.0,
    )
    return self.o_proj(out.reshape(*input_shape, -1).contiguous()), None


# ---- switching -----------------------------------------------------------------------------------------------------


def _classes():
    from transformers.models.gpt_oss import modeling_gpt_oss as m

    return m.GptOssAttention, m.GptOssExperts


def _stock(module) -> bool:
    """Whether the module's class forward is transformers' own (unsloth and kernels hubs patch the classes)."""
    return getattr(type(module).forward, "__module__", "") == "transformers.models.gpt_oss.modeling_gpt_oss"


def targets(model) -> list:
    attn_cls, experts_cls = _classes()
    return [m for m in model.modules() if isinstance(m, (attn_cls, experts_cls))]


def is_enabled(model) -> bool:
    mods = targets(model)
    return bool(mods) and all(getattr(m, _TAG, False) for m in mods)


def check(mode: str) -> str:
    """`mode` if it is one of MODES (jobs call this before loading a model), else a ValueError naming the fix."""
    if mode not in MODES:
        raise ValueError(
            f"fast_forward={mode!r}: expected one of {', '.join(MODES)} (auto = on for CUDA, eager elsewhere)"
        )
    return mode


def wanted(mode: str, dev: torch.device) -> bool:
    return check(mode) == "on" or (mode == "auto" and dev.type == "cuda")


def enable(model, mode: str = "auto") -> bool:
    """Swap the fast forwards into every GptOss attention and experts module of `model` (a transformers or peft
    model) when `mode` asks for it; returns whether the fast path is on. Not a GptOss model: nothing changes."""
    dev = next(model.parameters()).device
    if not wanted(mode, dev):
        disable(model)
        return False
    mods = targets(model)
    if not mods:
        log.info("fast forward: %s is not a GptOss model; its own forward is used", type(model).__name__)
        return False
    impl = getattr(model.config, "_attn_implementation", "eager")
    if impl != "eager":  # the fast attention reads eager's 4-D masks; flash kernels get other masks
        log.info(
            "fast forward: the model runs attention %r, not eager; leaving it as it is (fix: load it with "
            "attn_implementation='eager' to use the fast path)",
            impl,
        )
        return False
    if mode == "auto" and not all(_stock(m) for m in mods):
        log.info(
            "fast forward: the GptOss classes are already patched (unsloth?); leaving them as they are "
            "(fix: --fast_forward=on to use ours)"
        )
        return False
    attn_cls, _ = _classes()
    for m in mods:
        fn = attention_forward if isinstance(m, attn_cls) else experts_forward
        m.forward = types.MethodType(fn, m)
        setattr(m, _TAG, True)
    log.info(
        "fast forward on for %d GptOss modules (experts: grouped GEMM on Hopper bf16, else a per-expert "
        "loop; attention: sdpa with the sink as an extra key)",
        len(mods),
    )
    return True


def disable(model) -> None:
    """Back to the class forwards (eager)."""
    for m in targets(model):
        if getattr(m, _TAG, False):
            del m.forward
            delattr(m, _TAG)
