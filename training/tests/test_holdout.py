"""What SFT holds out and GRPO practises on: whole kinds of event (groups of similar seed events) that SFT never
trains an answer for, so the stated forecast learns what the model says about the unfamiliar, and the calibration
slice. GRPO recomputes the same partition from the SFT adapter's config."""

import json
import math

import pytest

from psychohistory import grpo, modeling, sft, synthetic
from psychohistory.config import ConfigError, make_config
from psychohistory.data import select_split
from psychohistory.metrics import normalize

TASKS = ["choice", "generation", "stated"]


@pytest.fixture(scope="module")
def train():
    cases = synthetic.generate(synthetic.SyntheticConfig(n_cases=400))
    return select_split(cases, "train")


def events(cases):
    return {normalize(c["seed"]["event"]) for c in cases}


def test_similar_seed_events_group_by_kind_not_by_entity(train):
    groups = sft.similar_groups(sorted(events(train)))
    plan = synthetic.split_plan(synthetic.SyntheticConfig())
    seen_triggers = sum(len(d[1]) - len(plan.test_triggers.get(name, [])) for name, d in synthetic.DOMAINS.items())
    assert len(groups) == seen_triggers  # one group per kind of event the train split has
    trigger_of = {
        normalize(t.format(e=e)): t for ents, chains, _ in synthetic.DOMAINS.values() for t in chains for e in ents
    }
    for g in groups:  # every member is the same trigger about another entity
        assert len(g) >= 2 and len({trigger_of[e] for e in g}) == 1
    assert sft.similar_groups(
        ["nurses in chile go on strike", "nurses in japan go on strike", "new flu strain detected in chile"]
    ) == [["new flu strain detected in chile"], ["nurses in chile go on strike", "nurses in japan go on strike"]]


def test_partition_is_disjoint_whole_and_deterministic(train):
    fit, calib, unfamiliar = sft.partition(train, TASKS, 0.15, 1337)
    assert len(fit) + len(calib) + len(unfamiliar) == len(train)
    assert (
        not events(fit) & events(calib)
        and not events(fit) & events(unfamiliar)
        and not events(calib) & events(unfamiliar)
    )
    groups = sft.similar_groups(sorted(events(train)))
    held = [g for g in groups if set(g) & events(unfamiliar)]
    assert len(held) == round(len(groups) * 0.15) and all(set(g) <= events(unfamiliar) for g in held)
    again = sft.partition(list(reversed(train)), TASKS, 0.15, 1337)
    assert [events(x) for x in again] == [events(fit), events(calib), events(unfamiliar)]
    # off: the calibration slice alone, as before the option existed
    fit0, calib0, none = sft.partition(train, TASKS, 0.0, 1337)
    assert none == [] and (fit0, calib0) == sft.held_out_slice(train, 0.1, 1337)


def test_phase2_trains_no_answer_of_a_held_out_case(train):
    fit, calib, unfamiliar = sft.partition(train, TASKS, 0.15, 1337)
    answered, stated_only = sft.phase2_cases(train, fit, calib, grpo_holdout=True)
    assert answered == fit and {id(c) for c in stated_only} == {id(c) for c in calib + unfamiliar}
    answered, stated_only = sft.phase2_cases(train, fit, calib, grpo_holdout=False)
    assert {id(c) for c in answered} == {id(c) for c in fit + calib} and {id(c) for c in stated_only} == {
        id(c) for c in unfamiliar
    }


def test_grpo_practises_on_what_sft_held_out(train, tmp_path):
    adapter = tmp_path / "sft"
    sft_cfg = make_config("sft", {"unfamiliar_fraction": "0.15", "grpo_holdout": "true", "seed": "7"})
    modeling.write_adapter_meta(str(adapter), "tiny", "", "sft", vars(sft_cfg))
    cfg = make_config("grpo", {"adapter": str(adapter), "cases": "holdout", "seed": "99"})
    got = grpo.practice_cases(train, cfg)
    _, calib, unfamiliar = sft.partition(train, TASKS, 0.15, 7)  # the SFT run's seed, not GRPO's
    assert {id(c) for c in got} == {id(c) for c in calib + unfamiliar} and got
    assert grpo.practice_cases(train, make_config("grpo", {"adapter": str(adapter)})) == train  # cases=all


def test_grpo_holdout_refuses_an_adapter_that_saw_every_answer(train, tmp_path):
    adapter = tmp_path / "sft"
    modeling.write_adapter_meta(str(adapter), "tiny", "", "sft", vars(make_config("sft", {})))
    with pytest.raises(ConfigError, match="--grpo_holdout=true"):
        grpo.practice_cases(train, make_config("grpo", {"adapter": str(adapter), "cases": "holdout"}))
    with pytest.raises(ConfigError, match="expected all or holdout"):
        grpo.practice_cases(train, make_config("grpo", {"cases": "some"}))


def test_temperature_flattens_a_confidently_wrong_readout_beyond_five():
    # An unfamiliar kind of event: the readout puts 0.9 on a wrong candidate in 9 of 10 levels. The honest statement
    # is close to flat, which needs a temperature far above 5 (where the grid used to stop).
    readouts = [[0.9, 0.05, 0.05]] * 10
    labels = [[0, 1, 0]] * 9 + [[1, 0, 0]]
    t = sft.fit_temperature(readouts, labels)
    assert t > 5.0
    flat = sft.temper(readouts[0], t)
    assert max(flat) - min(flat) < 0.2


def test_a_readout_that_beats_no_flat_forecast_is_said_exactly_uniform():
    # Wrong as often as chance allows: any ordering the statement keeps costs skill, so T = infinity.
    readouts = [[0.6, 0.3, 0.1]] * 9
    labels = [[1, 0, 0], [0, 1, 0], [0, 0, 1]] * 3
    t = sft.fit_temperature(readouts, labels)
    assert math.isinf(t)
    assert sft.temper(readouts[0], t) == [1 / 3] * 3
    assert json.dumps({"statedTemperature": sft.finite(t)}, allow_nan=False)  # the run store is read by JSON.parse


def test_temperature_keeps_an_informative_readout_sharp():
    readouts = [[0.8, 0.1, 0.1]] * 10
    labels = [[1, 0, 0]] * 8 + [[0, 1, 0], [0, 0, 1]]
    assert 0.7 < sft.fit_temperature(readouts, labels) < 1.4


def test_grpo_scales_rewards_as_asked_and_refuses_what_trl_does_not_know(tmp_path):
    """scale_rewards reaches TRL (none by default: see test_grpo_scaling.py), and with it the keys named alike."""
    cfg = make_config("grpo", {"scale_rewards": "group", "beta": "0.1", "temperature": "0.7", "num_generations": "8"})
    args = grpo.training_args(cfg, str(tmp_path))
    assert (args.scale_rewards, args.beta, args.temperature, args.num_generations) == ("group", 0.1, 0.7, 8)
    assert grpo.training_args(make_config("grpo", {}), str(tmp_path)).scale_rewards == "none"
    with pytest.raises(ConfigError, match="expected group, batch or none"):
        grpo.training_args(make_config("grpo", {"scale_rewards": "std"}), str(tmp_path))


def test_grpo_shares_one_rollout_across_steps_when_asked(tmp_path):
    """steps_per_generation=4: one batched generation round feeds 4 optimizer steps (0 keeps TRL's one)."""
    four = grpo.training_args(make_config("grpo", {"steps_per_generation": "4", "batch_size": "8"}), str(tmp_path))
    assert four.steps_per_generation == 4 and four.generation_batch_size == 32
    assert grpo.training_args(make_config("grpo", {}), str(tmp_path)).steps_per_generation == 1
    with pytest.raises(ConfigError, match="steps_per_generation"):
        grpo.training_args(make_config("grpo", {"steps_per_generation": "-1"}), str(tmp_path))
