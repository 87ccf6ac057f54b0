"""The fast GptOss forward (psychohistory/fastpath.py) against transformers' eager one on the same weights and inputs:
small GptOss shapes like modeling.py's "tiny" preset, random weights spread wide enough that the top-1 token is not
a near tie, left-padded batches with evaluation's position ids, a sliding window shorter than the sequence, a peft
LoRA on attention and experts, float32 and bf16, forward and gradients, and cached greedy decoding."""

import copy

import pytest
import torch

from psychohistory import evaluate, fastpath, modeling

VOCAB = 256
# The dimensions the GptOss test models and the dense Llama one share.
DIMS = dict(
    vocab_size=VOCAB,
    hidden_size=64,
    intermediate_size=64,
    num_hidden_layers=4,
    num_attention_heads=4,
    num_key_value_heads=2,
)


def tiny_gptoss(seed: int = 0, dtype=torch.float32, window: int = 6):
    from transformers import GptOssConfig, GptOssForCausalLM

    cfg = GptOssConfig(
        **DIMS,
        head_dim=16,
        num_local_experts=4,
        num_experts_per_tok=2,
        max_position_embeddings=256,
        sliding_window=window,
        layer_types=["sliding_attention", "full_attention"] * 2,
        initializer_range=0.15,
        rope_scaling=modeling.yarn_rope(256),
        pad_token_id=0,
        eos_token_id=1,
        bos_token_id=2,
        tie_word_embeddings=False,
        attn_implementation="eager",
        use_cache=False,
    )
    torch.manual_seed(seed)
    model = GptOssForCausalLM(cfg).eval()
    with torch.no_grad():  # transformers zeroes the expert biases; random ones check they go to the right rows
        for m in model.modules():
            if isinstance(m, fastpath._classes()[1]):
                m.gate_up_proj_bias.normal_(0, 0.1)
                m.down_proj_bias.normal_(0, 0.1)
    return model.to(dtype)


def left_padded(batch: int = 6, seed: int = 1, lo: int = 5, hi: int = 20):
    g = torch.Generator().manual_seed(seed)
    seqs = [
        torch.randint(3, VOCAB, (int(n),), generator=g).tolist()
        for n in torch.randint(lo, hi + 1, (batch,), generator=g)
    ]
    ids, mask = evaluate._left_pad(seqs, 0, torch.device("cpu"))
    return ids, mask


def logits(model, ids, mask):
    with torch.no_grad():
        return evaluate._forward(model, ids, mask, ids.shape[1])  # every position, evaluation's position ids


def compare(model, ids, mask, mode="on"):
    fastpath.disable(model)
    eager = logits(model, ids, mask)
    assert fastpath.enable(model, mode)
    fast = logits(model, ids, mask)
    fastpath.disable(model)
    real = mask.bool()
    e, f = eager[real], fast[real]  # padded positions are never read
    return (e.argmax(-1) == f.argmax(-1)).float().mean().item(), (e - f).abs().max().item(), e.abs().max().item()


@pytest.mark.parametrize("backend", ["loop", "grouped"])
def test_fast_equals_eager_fp32_left_padded_sliding(monkeypatch, backend):
    monkeypatch.setattr(fastpath, "MOE_BACKEND", backend)
    model = tiny_gptoss()
    ids, mask = left_padded()
    assert ids.shape[1] > model.config.sliding_window  # the window cuts the sliding layers' context
    top1, diff, scale = compare(model, ids, mask)
    assert top1 == 1.0
    assert diff < 1e-4 * max(1.0, scale), (diff, scale)


def test_sliding_window_and_sinks_are_exercised():
    """The comparison above would pass for a wrong window or ignored sinks only if they changed nothing: they do."""
    model, ids_mask = tiny_gptoss(), left_padded()
    base = logits(model, *ids_mask)
    wide = tiny_gptoss(window=64)
    assert (logits(wide, *ids_mask) - base)[ids_mask[1].bool()].abs().max() > 1e-2
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, fastpath._classes()[0]):
                m.sinks.add_(3.0)
    assert (logits(model, *ids_mask) - base)[ids_mask[1].bool()].abs().max() > 1e-2


def bf16_pair():
    """The same well-conditioned weights in float32 and bf16: small body weights, a router whose biases settle most
    choices (random routers flip experts on bf16 rounding, and a flipped expert moves a logit by whole units in
    eager and fast alike), a wide lm_head so that most top-1 tokens are not near ties."""
    model = tiny_gptoss()
    torch.manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" not in name:
                p.normal_(0, 0.05)
        model.lm_head.weight.normal_(0, 0.5)
        for m in model.modules():
            if isinstance(m, fastpath._classes()[0]):
                m.sinks.normal_(0, 1.0)
            if type(m).__name__ == "GptOssTopKRouter":
                m.bias.copy_(torch.arange(m.bias.numel(), dtype=torch.float32) * 2.0)
                m.weight.mul_(0.1)
    return model, copy.deepcopy(model).to(torch.bfloat16)


def test_fast_equals_eager_bf16():
    """bf16: the fast path is as close to the float32 model as eager bf16 is, close to eager bf16, and picks eager's
    top-1 wherever the top-1 is decided by more than the bf16 error (random weights leave some near ties, which
    eager bf16 itself flips against float32)."""
    m32, m16 = bf16_pair()
    ids, mask = left_padded(batch=16, lo=20, hi=40, seed=3)
    real = mask.bool()
    ref = logits(m32, ids, mask)[real]
    eager = logits(m16, ids, mask)[real]
    assert fastpath.enable(m16, "on")
    fast = logits(m16, ids, mask)[real]
    scale = ref.abs().max().item()
    err_eager, err_fast = (eager - ref).abs().max().item(), (fast - ref).abs().max().item()
    assert err_fast <= 1.5 * err_eager and err_eager < 0.02 * scale, (err_fast, err_eager, scale)
    assert (fast - eager).abs().max().item() <= 0.02 * scale
    top2 = ref.topk(2, -1).values
    decided = (top2[:, 0] - top2[:, 1]) > 2 * max(err_eager, err_fast)
    assert decided.sum() >= 0.8 * len(ref)
    agree = (fast.argmax(-1) == eager.argmax(-1))[decided].float().mean().item()
    assert agree >= 0.999, agree
    top1 = lambda x: (x.argmax(-1) == ref.argmax(-1)).float().mean().item()  # noqa: E731
    assert top1(fast) >= top1(eager) - 0.02, (top1(fast), top1(eager))


def lora(model, experts: bool):
    from peft import LoraConfig, get_peft_model

    lc = LoraConfig(
        r=4,
        lora_alpha=8,
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj"],
        target_parameters=["mlp.experts.gate_up_proj", "mlp.experts.down_proj"] if experts else None,
        init_lora_weights=False,
        bias="none",
        task_type="CAUSAL_LM",
    )  # random B: a real change
    torch.manual_seed(5)
    return get_peft_model(model, lc)


@pytest.mark.parametrize("experts", [False, True])
def test_fast_equals_eager_with_lora(experts):
    base = tiny_gptoss()
    ids, mask = left_padded(seed=7)
    plain = logits(base, ids, mask)
    model = lora(copy.deepcopy(base), experts)
    assert (logits(model, ids, mask) - plain)[mask.bool()].abs().max() > 1e-3  # the adapter changes the logits
    top1, diff, scale = compare(model, ids, mask)
    assert top1 == 1.0 and diff < 1e-4 * max(1.0, scale), (top1, diff, scale)


@pytest.mark.parametrize("backend", ["loop", "grouped"])
def test_lora_gradients_match_eager(monkeypatch, backend):
    """Training through the fast path (GRPO's policy) gives eager's LoRA gradients."""
    monkeypatch.setattr(fastpath, "MOE_BACKEND", backend)
    model = lora(tiny_gptoss(), experts=True).train()
    ids, mask = left_padded(seed=9)
    pos = (mask.cumsum(-1) - 1).clamp(min=0)
    labels = ids.masked_fill(mask == 0, -100)

    def grads():
        model.zero_grad(set_to_none=True)
        model(input_ids=ids, attention_mask=mask, position_ids=pos, labels=labels).loss.backward()
        return {n: p.grad.clone() for n, p in model.named_parameters() if p.requires_grad}

    fastpath.disable(model)
    eager = grads()
    fastpath.enable(model, "on")
    fast = grads()
    fastpath.disable(model)
    assert len(eager) >= 24 and eager.keys() == fast.keys()  # q,k,v,o and both expert params, 4 layers
    for n in eager:
        assert torch.allclose(eager[n], fast[n], rtol=1e-3, atol=1e-6), n


def test_cached_greedy_decoding_matches_eager():
    """generate() with a KV cache (decode steps of one query against the cache, sliding layers included)."""
    model = tiny_gptoss()
    model.config.use_cache = True
    ids, mask = left_padded(batch=4, seed=11)
    kw = dict(attention_mask=mask, max_new_tokens=12, do_sample=False, pad_token_id=0, eos_token_id=None)
    with torch.no_grad():
        eager = model.generate(ids, **kw)
        fastpath.enable(model, "on")
        fast = model.generate(ids, **kw)
    assert torch.equal(eager, fast)


def test_modes_and_reversibility():
    model = tiny_gptoss()
    assert not fastpath.enable(model, "auto")  # CPU: auto is eager
    assert not fastpath.is_enabled(model)
    assert fastpath.enable(model, "on") and fastpath.is_enabled(model)
    assert not fastpath.enable(model, "off") and not fastpath.is_enabled(model)
    assert all("forward" not in m.__dict__ for m in fastpath.targets(model))  # the class forwards again
    with pytest.raises(ValueError, match="fast_forward='fast'.*auto, on, off"):
        fastpath.enable(model, "fast")


def test_a_dense_model_is_left_alone():
    """The smollm2-135m preset is a LlamaForCausalLM: no GptOss module, no patch, the same logits."""
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    model = LlamaForCausalLM(LlamaConfig(**DIMS)).eval()
    ids, mask = left_padded(batch=3)
    before = logits(model, ids, mask)
    assert not fastpath.enable(model, "on")
    assert all("forward" not in m.__dict__ for m in model.modules())
    assert torch.equal(before, logits(model, ids, mask))


def test_evaluation_scores_the_same_through_the_fast_path(small_cases):
    """The tiny preset through evaluation's own scoring (letter readout, stated forecast and predictions generated
    with a KV cache, teacher-forced NLL): the same numbers with --fast_forward=on as eager."""
    from psychohistory import matching, modeling

    model, tok = modeling.load("tiny")
    cases = [c for c in small_cases if c["split"] == "eval"][:3]
    matcher = matching.Matcher(embeddings=False)

    def score():
        return evaluate.score_cases(model, tok, cases, 90210, 8, 8, matcher, max_stated_tokens=12)

    eager = score()
    assert fastpath.enable(model, "on")
    fast = score()
    fastpath.disable(model)
    assert len(eager) == len(fast) >= 3
    for e, f in zip(eager, fast):
        assert f["probs"] == pytest.approx(e["probs"], abs=1e-5)
        assert f["nll"] == pytest.approx(e["nll"], rel=1e-5)
        assert (f["statedText"], f["prediction"]) == (e["statedText"], e["prediction"])


@pytest.mark.parametrize("kind", ["eval", "sft"])
def test_a_bad_mode_fails_the_job_before_any_model_loads(tmp_path, small_cases, kind):
    from psychohistory import jobs, synthetic

    ds = tmp_path / "cases.jsonl"
    ds.write_text(synthetic.to_jsonl(small_cases[:4]))
    out = jobs.run(kind, {"run_dir": str(tmp_path / "run"), "dataset": str(ds), "fast_forward": "yes"})
    assert out["state"] == "failed" and "fast_forward='yes'" in out["error"] and "auto, on, off" in out["error"]


def test_grpo_trains_through_the_fast_path(tmp_path, small_cases):
    """One GRPO step with --fast_forward=on and LoRA on the experts too: sampling with a cache, the policy's and the
    reference's log-probabilities, the backward through peft's parametrized expert weights."""
    from psychohistory import jobs, synthetic

    ds = tmp_path / "cases.jsonl"
    ds.write_text(synthetic.to_jsonl(small_cases[:8]))
    out = jobs.run(
        "grpo",
        {
            "run_dir": str(tmp_path / "grpo"),
            "dataset": str(ds),
            "max_steps": 1,
            "batch_size": 4,
            "num_generations": 2,
            "max_completion_length": 8,
            "save_steps": 1000,
            "target_parameters": "mlp.experts.gate_up_proj,mlp.experts.down_proj",
            "fast_forward": "on",
        },
    )
    assert out["state"] == "succeeded", out["error"]
    assert "fast forward on for" in (tmp_path / "grpo" / "logs.txt").read_text()


def test_sft_trains_through_the_fast_path(tmp_path, small_cases):
    """Both SFT phases (letters, then the stated forecast from the model's own readouts) with --fast_forward=on and
    packed batches: the measured 1.6x of packing over padding holds only through the fast path."""
    from psychohistory import jobs, synthetic

    ds = tmp_path / "cases.jsonl"
    ds.write_text(synthetic.to_jsonl(small_cases[:8]))
    common = {"dataset": str(ds), "max_steps": 1, "batch_size": 4, "save_steps": 1000, "packing": True}
    out = jobs.run("sft", {"run_dir": str(tmp_path / "sft"), "fast_forward": "on", **common})
    assert out["state"] == "succeeded", out["error"]
    assert "fast forward on for" in (tmp_path / "sft" / "logs.txt").read_text()
    out = jobs.run("sft", {"run_dir": str(tmp_path / "eager"), "fast_forward": "auto", **common})  # CPU: eager
    assert out["state"] == "succeeded", out["error"]
    assert "fast forward on for" not in (tmp_path / "eager" / "logs.txt").read_text()


def test_the_service_loads_its_arms_with_the_key():
    from psychohistory import serve
    from psychohistory.config import make_config

    on = serve.load_arms(make_config("serve", {"fast_forward": "on", "cpu_threads": 0}))
    assert fastpath.is_enabled(on[0].model)
    auto = serve.load_arms(make_config("serve", {"cpu_threads": 0}))  # the default: eager on CPU
    assert not fastpath.is_enabled(auto[0].model)


def test_attention_without_a_mask_is_causal_with_the_window():
    """sdpa_with_sinks given no mask (bottom-right causal, the module's sliding window) equals transformers' eager
    attention given that mask explicitly, for a prefill and for one query against a longer cache."""
    from transformers.models.gpt_oss.modeling_gpt_oss import eager_attention_forward

    model = tiny_gptoss()
    attn = model.model.layers[0].self_attn  # a sliding layer, window 6
    torch.manual_seed(1)
    for q_len, k_len in ((10, 10), (1, 12)):
        q, k, v = torch.randn(2, 4, q_len, 16), torch.randn(2, 2, k_len, 16), torch.randn(2, 2, k_len, 16)
        mask = fastpath._default_mask(q_len, k_len, attn.sliding_window, torch.float32, q.device)
        assert mask[0, 0, -1].gt(-1).sum() == min(k_len, attn.sliding_window)  # the last query sees the window
        eager, _ = eager_attention_forward(attn, q, k, v, mask.expand(2, 1, q_len, k_len), attn.scaling)
        fast = fastpath.sdpa_with_sinks(attn, q, k, v, None, attn.scaling)
        assert torch.allclose(eager, fast, atol=1e-5)


def test_auto_leaves_classes_someone_else_patched(monkeypatch):
    """unsloth patches the GptOss classes' forwards: auto keeps theirs, on replaces them."""
    attn_cls, _ = fastpath._classes()

    def theirs(self, *a, **kw):
        raise AssertionError("not called here")

    theirs.__module__ = "unsloth_zoo.temporary_patches"
    monkeypatch.setattr(attn_cls, "forward", theirs)
    model = tiny_gptoss()
    monkeypatch.setattr(fastpath, "wanted", lambda mode, dev: mode != "off")  # as if on CUDA
    assert not fastpath.enable(model, "auto") and not fastpath.is_enabled(model)
    assert fastpath.enable(model, "on") and fastpath.is_enabled(model)
