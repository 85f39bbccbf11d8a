"""Supported ranges of calibrated parameters: measured from the calibration's search history,
written into the calibrated block, read and checked by the scenario loader, and used by the
parameter draws as the calibrated parameter's prior support."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from sim.batch.runner import Arm, Design, Uncertainty
from sim.cli import main as cli_main
from sim.fit.calibration import (
    BEGIN_MARK,
    END_MARK,
    FreeParameter,
    resolve_free_parameters,
    support_tolerance,
    supported_range_entries,
    supported_ranges,
    write_calibrated_block,
)
from sim.model.parameters import Parameters
from sim.model.scenarios import SCENARIO_DIR, ScenarioError, load_scenario

SMALL = {"pupils_total": 3000, "school_sites": 6, "school_boards": 3}


# ------------------------------------------------------------------ the rule
def test_tolerance_is_a_quarter_of_the_best_with_a_floor():
    assert support_tolerance(0.2) == pytest.approx(0.25)  # 0.2 + 0.05
    assert support_tolerance(0.02) == pytest.approx(0.03)  # 0.02 + the floor 0.01
    assert support_tolerance(0.0) == pytest.approx(0.01)


def test_supported_range_spans_the_values_of_evaluations_near_the_best():
    # best 0.04 -> tolerance 0.04 + max(0.01, 0.01) = 0.05
    history = [
        (1, 0.10, [0.5, 1.0]),  # too far from the best
        (2, 0.045, [0.6, 1.0]),
        (3, 0.04, [0.7, 1.2]),  # the best
        (4, 0.0501, [0.9, 2.0]),  # just outside
        (5, 0.05, [0.7, 0.8]),  # on the limit: kept
    ]
    ranges = supported_ranges(history, ["a", "b"])
    assert ranges == {"a": (0.6, 0.7), "b": (0.8, 1.2)}


def test_supported_range_uses_the_relative_tolerance_for_a_poor_fit():
    # best 0.2 -> tolerance 0.25
    history = [(1, 0.2, [1.0]), (2, 0.249, [1.5]), (3, 0.251, [3.0]), (4, 0.24, [0.5])]
    assert supported_ranges(history, ["a"]) == {"a": (0.5, 1.5)}


def test_supported_range_refuses_an_empty_or_mismatched_history():
    with pytest.raises(ValueError, match="empty"):
        supported_ranges([], ["a"])
    with pytest.raises(ValueError, match="2 values per evaluation for 1 labels"):
        supported_ranges([(1, 0.1, [1.0, 2.0])], ["a"])


def test_entries_keep_scalar_parameters_with_a_prior_and_scale_tied_ones():
    free = resolve_free_parameters(
        (
            FreeParameter("starter_exit_hazard", 0.05, 0.35, (0,)),
            FreeParameter.plausible("returner_rate"),
            FreeParameter.plausible(
                "graduate_entry_interned_in_region", tied=(("graduate_entry_other", 0.5),)
            ),
        )
    )
    ranges = {
        "starter_exit_hazard[0]": (0.1, 0.2),
        "returner_rate": (0.08, 0.12),
        "graduate_entry_interned_in_region": (0.56, 0.64),
    }
    entries = supported_range_entries(ranges, free)
    assert set(entries) == {
        "returner_rate",
        "graduate_entry_interned_in_region",
        "graduate_entry_other",
    }
    assert entries["graduate_entry_other"] == pytest.approx((0.28, 0.32))


# ------------------------------------------------------------------ the file and the loader
@pytest.fixture
def scenario_copy(tmp_path):
    """rijnmond.toml without its calibrated block, in a temporary folder."""
    path = tmp_path / "region.toml"
    lines = (SCENARIO_DIR / "rijnmond.toml").read_text(encoding="utf-8").splitlines()
    if BEGIN_MARK in lines:
        del lines[lines.index(BEGIN_MARK) : lines.index(END_MARK) + 1]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def with_ranges(path, supported, values=None):
    write_calibrated_block(
        path, values or {"returner_rate": 0.1, "stopgap_fill_share": 0.5}, {}, [], supported
    )
    return load_scenario(path)


def test_written_ranges_are_read_back(scenario_copy):
    scenario = with_ranges(scenario_copy, {"returner_rate": (0.09, 0.11)})
    text = scenario_copy.read_text(encoding="utf-8")
    assert "supported_range.returner_rate = [0.09, 0.11]" in text
    assert scenario.supported_ranges == {"returner_rate": (0.09, 0.11)}
    assert "supported_range" not in scenario.parameter_overrides
    # rewriting the block replaces the ranges
    scenario = with_ranges(scenario_copy, {"stopgap_fill_share": (0.4, 0.6)})
    assert scenario.supported_ranges == {"stopgap_fill_share": (0.4, 0.6)}


def test_a_scenario_without_ranges_keeps_the_documented_priors(scenario_copy):
    scenario = load_scenario(scenario_copy)
    assert scenario.supported_ranges == {}
    info = Parameters.info()
    for name in ("returner_rate", "stopgap_fill_share", "workload_exit_sensitivity"):
        assert scenario.prior_of(name) == info[name].prior


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("supported_range.no_such_thing = [0.1, 0.2]", "no_such_thing: no such parameter"),
        ("supported_range.starter_exit_hazard = [0.1, 0.2]", "scalar parameter with a prior"),
        (
            "supported_range.returner_rate = [0.12, 0.08]",
            r"value \[0.12, 0.08\]; allowed: low <= high",
        ),
        ("supported_range.returner_rate = [-0.1, 0.2]", r"bounds 0.0 to 1.0"),
        (
            "supported_range.returner_rate = [0.11, 0.2]",
            "does not contain the scenario's value 0.1",
        ),
        ("supported_range.returner_rate = [0.1]", r"allowed: \[low, high\], two numbers"),
        ('supported_range.returner_rate = ["a", 0.2]', r"allowed: \[low, high\], two numbers"),
        ("supported_range = 3", "must be a table"),
    ],
)
def test_bad_ranges_are_refused_naming_file_key_and_value(scenario_copy, line, message):
    text = scenario_copy.read_text(encoding="utf-8")
    text = text.replace("[parameters]\n", f"[parameters]\nreturner_rate = 0.1\n{line}\n", 1)
    scenario_copy.write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError, match=message) as err:
        load_scenario(scenario_copy)
    assert str(scenario_copy) in str(err.value)
    assert "supported_range" in str(err.value)


# ------------------------------------------------------------------ the draws
def draws_of(path, name, n=40, width=1.0):
    design = Design(
        "supported",
        (Arm("isolated", "isolated"),),
        n,
        3,
        scenario=str(path),
        overrides=SMALL,
        uncertainty=Uncertainty(width=width, vary_layout=False),
    )
    return design, np.array([d[name] for d in design.parameter_draws()])


def test_draws_of_a_calibrated_parameter_stay_in_the_supported_range(scenario_copy):
    _, wide = draws_of(scenario_copy, "returner_rate")
    # without ranges the documented prior (0.03-0.2) is used: draws leave 0.09-0.11
    assert wide.min() < 0.09 and wide.max() > 0.11
    with_ranges(scenario_copy, {"returner_rate": (0.09, 0.11)})
    design, narrow = draws_of(scenario_copy, "returner_rate")
    assert narrow.min() >= 0.09 and narrow.max() <= 0.11
    assert narrow.std() > 0  # still drawn, not held
    assert "the scenario's supported range" in design.priors()["returner_rate"].describe()
    # truncated normal centred on the fitted value: the median draw is near it
    assert np.median(narrow) == pytest.approx(0.1, abs=0.003)


def test_a_collapsed_supported_range_draws_the_fitted_value(scenario_copy):
    with_ranges(scenario_copy, {"returner_rate": (0.1, 0.1)})
    _, values = draws_of(scenario_copy, "returner_rate", n=8)
    assert (values == 0.1).all()


def test_ranges_change_only_their_own_parameters_draws(scenario_copy):
    design, _ = draws_of(scenario_copy, "returner_rate")
    # the design reads the file when asked: keep what it gives before the file changes
    before, before_digest = design.parameter_draws(), design.to_dict()["uncertainty"]["priors"]
    with_ranges(scenario_copy, {"returner_rate": (0.09, 0.11)})
    after, after_digest = design.parameter_draws(), design.to_dict()["uncertainty"]["priors"]
    assert any(a["returner_rate"] != b["returner_rate"] for a, b in zip(before, after, strict=True))
    for a, b in zip(before, after, strict=True):
        assert {k: v for k, v in a.items() if k != "returner_rate"} == {
            k: v for k, v in b.items() if k != "returner_rate"
        }
    # the design's folder changes with the prior it draws from
    assert before_digest != after_digest


def test_params_cli_shows_the_range_a_scenario_uses(scenario_copy, capsys):
    with_ranges(scenario_copy, {"returner_rate": (0.09, 0.11)})
    assert cli_main(["params", "--scenario", str(scenario_copy)]) == 0
    out = capsys.readouterr().out
    block = out[out.index("returner_rate = 0.1 ") :].split("\n", 4)[:4]
    assert re.search(r"prior: truncnorm 0.09-0.11 \(the scenario's supported range\)", block[3])


def test_sensitivity_table_names_the_prior_the_draws_used():
    from sim.batch import uncertainty as unc

    rng = np.random.default_rng(3)
    n = 30
    draws = pd.DataFrame(
        {"replication": range(n), "draw": range(n), "returner_rate": rng.uniform(0.09, 0.11, n)}
    )
    diff = draws.assign(difference=draws["returner_rate"] * 10 + rng.normal(0, 0.01, n))
    prior = Parameters.info()["returner_rate"].prior
    documented = unc.sensitivity(diff, draws)
    narrowed = unc.sensitivity(diff, draws, priors={"returner_rate": prior.with_range(0.09, 0.11)})
    row = {t["assumption"]: t["prior"] for _, t in narrowed.iterrows()}
    assert row["returner_rate"].startswith("truncnorm 0.09-0.11 (the scenario's supported range)")
    row = {t["assumption"]: t["prior"] for _, t in documented.iterrows()}
    assert row["returner_rate"].startswith("truncnorm 0.03-0.2 ")


def test_an_extending_scenario_drops_the_range_of_a_value_it_sets(tmp_path, monkeypatch):
    import shutil

    import sim.model.scenarios as scenarios

    for f in ("rijnmond.toml", "rijnmond-schools.csv"):
        shutil.copy(SCENARIO_DIR / f, tmp_path / f)
    monkeypatch.setattr(scenarios, "SCENARIO_DIR", tmp_path)
    with_ranges(
        tmp_path / "rijnmond.toml",
        {"returner_rate": (0.09, 0.11), "stopgap_fill_share": (0.4, 0.6)},
    )
    child = tmp_path / "child.toml"
    child.write_text(
        '[scenario]\nname = "child"\ndescription = "x"\nlayout_seed = 1\nextends = "rijnmond"\n\n'
        "[parameters]\nreturner_rate = 0.05\n",
        encoding="utf-8",
    )
    scenario = load_scenario(child)  # 0.05 lies outside the base's 0.09-0.11: not inherited
    assert scenario.supported_ranges == {"stopgap_fill_share": (0.4, 0.6)}
