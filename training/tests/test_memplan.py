"""The memory plan's arithmetic (psychohistory/memplan.py): parameter counts pinned by hand, the shared vectors of
schemas/memory-plan.json (the TypeScript suite checks the same ones), verdicts and fixes, the defaults it assumes,
and bench/memory.py on the tiny shape on CPU, where peft's real trainable count must equal the plan's."""

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

from psychohistory import config, memplan

TRAINING = Path(__file__).resolve().parents[1]
EXPERTS = "mlp.experts.gate_up_proj,mlp.experts.down_proj"


def gpt_oss():
    return memplan.resolve_model("openai/gpt-oss-20b")[1]


def test_gpt_oss_20b_parameter_counts():
    counts = memplan.param_counts(gpt_oss())
    assert counts["total"] == 20_914_757_184  # "20.9 B" of the model card
    assert 3.6e9 < counts["active"] < 3.62e9  # "3.6 B active"
    # q,k,v,o per layer: r·(2880+4096) + 2·r·(2880+512) + r·(4096+2880) = 20 736·r, × 24 layers
    assert memplan.lora_params(gpt_oss(), "q_proj,k_proj,v_proj,o_proj", "", 64)["total"] == 31_850_496
    assert memplan.lora_params(gpt_oss(), "q_proj,k_proj,v_proj,o_proj", "", 16)["total"] == 7_962_624
    # peft's ParamWrapper: rank r per expert, r·32·((2880+5760) + (2880+2880)) per layer = 460 800·r, × 24
    lp = memplan.lora_params(gpt_oss(), "q_proj,k_proj,v_proj,o_proj", EXPERTS, 64)
    assert (lp["experts"], lp["total"]) == (707_788_800, 739_639_296)


def test_smollm2_counts_and_dense_models_ignore_expert_targets():
    s = memplan.resolve_model("HuggingFaceTB/SmolLM2-135M-Instruct")[1]
    assert memplan.param_counts(s)["total"] == 134_515_008
    assert memplan.lora_params(s, "q_proj,k_proj,v_proj,o_proj", EXPERTS, 8)["experts"] == 0
    assert memplan.lora_params(s, "all-linear", "", 8)["total"] == 30 * 8 * (
        (576 + 576) + 2 * (576 + 192) + (576 + 576) + 2 * (576 + 1536) + (1536 + 576)
    )


@pytest.mark.parametrize(
    "name, key",
    [
        ("openai/gpt-oss-20b", "gpt-oss-20b"),
        ("unsloth/gpt-oss-20b", "gpt-oss-20b"),
        ("/data/models/gpt-oss-20b/", "gpt-oss-20b"),
        ("tiny", "tiny"),
        ("smollm2-135m", "smollm2-135m"),
    ],
)
def test_model_names_resolve(name, key):
    assert memplan.resolve_model(name)[0] == key


def test_a_path_matches_by_its_hub_name_only():
    assert memplan.resolve_model("/cache/models/smollm2-135m")[0] == "smollm2-135m"
    assert memplan.resolve_model("someone/small") is None  # not the local "small" preset


def vectors():
    return memplan.facts()["vectors"]


@pytest.mark.parametrize("vector", vectors(), ids=[v["name"] for v in vectors()])
def test_shared_vectors(vector):
    got, want = memplan.vector_expected(vector), vector["expected"]
    assert got["verdict"] == want["verdict"]
    if "trainableParams" not in want:
        return
    assert (got["trainableParams"], got["params"], got["peakPhase"], got["fixes"], got["message"]) == (
        want["trainableParams"],
        want["params"],
        want["peakPhase"],
        want["fixes"],
        want["message"],
    )
    for k in ("allocatedGiB", "totalGiB"):
        assert got[k] == pytest.approx(want[k], abs=2e-3)
    assert got["breakdown"] == pytest.approx(want["breakdown"], abs=2e-3)
    assert sum(got["breakdown"].values()) == pytest.approx(got["totalGiB"], abs=1e-2)


def test_the_vectors_cover_each_verdict_and_the_four_20b_configs():
    verdicts = {v["expected"]["verdict"] for v in vectors()}
    assert verdicts == {"fits", "tight", "no-fit", "unknown"}
    names = {v["name"] for v in vectors()}
    assert {
        "gpt-oss-20b bf16 attention r=8",
        "gpt-oss-20b bf16 attention r=64",
        "gpt-oss-20b bf16 experts r=8",
        "gpt-oss-20b bf16 experts r=64",
    } <= names


def test_no_fit_names_the_cause_and_the_fixes():
    verdict, gib, message = memplan.check_fields(
        "openai/gpt-oss-20b", target_parameters=EXPERTS, lora_rank=64, batch_size=4, gpu="A10G"
    )
    assert verdict == "no-fit" and gib > 40
    assert message.startswith("GPT-OSS-20B (bf16) with expert LoRA r=64, batch 4 × 512 tokens needs ~")
    assert "A10G has 22.5 GiB (24 GB): does not fit. Fix: pick A100-80GB or H100" in message
    # no single change fits a 24 GB card; attention-only LoRA and 4-bit loading together do
    assert 'attention-only LoRA (target_parameters="") and load_in_4bit=true (unsloth)' in message


def test_fits_and_tight():
    verdict, _, message = memplan.check_fields("openai/gpt-oss-20b", batch_size=4, gpu="H100")
    assert verdict == "fits" and message.endswith("H100 has 79.7 GiB (80 GB): fits.")
    tight = [v for v in vectors() if v["expected"]["verdict"] == "tight"][0]
    verdict, _, message = memplan.check(tight["config"], tight["gpu"], tight["kind"])
    assert verdict == "tight" and "tight (over 90 %)" in message and "Fix:" in message


def test_unknown_model_or_gpu_is_never_a_refusal():
    assert memplan.check_fields("someone/other-model", gpu="T4")[0] == "unknown"
    cfg = config.make_config("sft", {"base_model": "smollm2-135m", "gpu": "cpu"})
    assert memplan.check(cfg)[0] == "unknown"
    assert memplan.require_fit(cfg)[0] == "unknown"


def test_job_configs_and_require_fit():
    cfg = config.make_config("sft", {"base_model": "openai/gpt-oss-20b", "gpu": "A10G"})
    with pytest.raises(memplan.MemoryPlanError, match="A10G .* does not fit"):
        memplan.require_fit(cfg)
    assert memplan.check(cfg, "H100")[0] == "fits"
    assert memplan.check(config.make_config("eval", {"base_model": "openai/gpt-oss-20b"}), "A100")[0] == "no-fit"
    grpo = memplan.recipe_of(config.make_config("grpo", {"base_model": "openai/gpt-oss-20b"}))
    assert grpo.max_seq_length == 512 + config.GRPOConfig().max_completion_length and grpo.lora_rank == 4
    assert memplan.gpu_info("h100:2")[0] == "H100" and memplan.gpu_info("A100")[0] == "A100-40GB"


def test_gradient_checkpointing_off_costs_every_layer():
    on = memplan.plan(memplan.Recipe(model="openai/gpt-oss-20b", batch_size=4))
    off = memplan.plan(memplan.Recipe(model="openai/gpt-oss-20b", batch_size=4, gradient_checkpointing=False))
    assert off.breakdown["activations"] > 10 * on.breakdown["activations"]


def test_gpu_table_matches_the_price_table():
    prices = json.loads((memplan.schema_dir() / "gpu-prices.json").read_text())["usdPerSecond"]
    assert set(memplan.facts()["gpus"]) == set(prices)


def test_memplan_imports_no_torch():
    code = "import sys; import psychohistory.memplan; assert 'torch' not in sys.modules, 'torch imported'"
    subprocess.run([sys.executable, "-c", code], cwd=TRAINING, check=True)


def test_bench_on_the_tiny_shape_on_cpu(tmp_path):
    """bench/memory.py end to end, small: peft's trainable counts equal the plan's, the peak is measured."""
    spec = importlib.util.spec_from_file_location("bench_memory", TRAINING / "bench" / "memory.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    out = tmp_path / "memory.json"
    results = bench.main(
        [
            "--shape=tiny",
            "--configs=att-r8,exp-r8",
            "--batch=2",
            "--seq=16",
            "--steps=2",
            f"--out={out}",
            "--device=cpu",
        ]
    )
    assert json.loads(out.read_text()) == results
    assert results["params"] == results["planParams"]
    for r in results["configs"]:
        assert r["trainableParams"] == r["planTrainableParams"]
        assert r["measuredPeakGiB"] > memplan.plan(memplan.Recipe(model="tiny")).breakdown["weights"]
        assert set(r["phasesGiB"]) == {"forward", "backward", "optimizer"} and r["secondsPerStep"] > 0


def test_the_device_in_hand_overrides_the_table():
    cfg = config.make_config("sft", {"base_model": "openai/gpt-oss-20b", "batch_size": 4})
    verdict, _, message = memplan.check(cfg, "NVIDIA H200", gpu_gib=139.8)
    assert verdict == "fits" and "NVIDIA H200 has 139.8 GiB: fits." in message
    verdict, _, message = memplan.check(cfg, "NVIDIA A10G", gpu_gib=22.3)
    assert verdict == "no-fit" and "Fix: pick A100-80GB or H100, or load_in_4bit=true" in message
