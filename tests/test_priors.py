"""Priors and evidence grades of the parameters: every uncertain value has both, the shapes
map quantiles to the right values, and docs/parameters.md is what the parameter object says."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from sim.cli import PARAMETERS_DOC, main, parameters_markdown
from sim.fit.calibration import FREE_PARAMETERS
from sim.model.parameters import Parameters
from sim.model.priors import Prior, PriorError

NOT_UNCERTAIN = {
    "start_year": "the first census year is a choice of the study",
    "initial_shortage_by_subject": "seen by subject [S]; only the arts-and-sport row is [E]",
    # the region's size is set by each scenario (rijnmond 62k pupils, netherlands 950k): a
    # range in the parameter object would fit one scenario only
    "pupils_total": "sized per scenario",
    "school_sites": "sized per scenario",
}


def test_every_uncertain_parameter_has_a_grade_and_a_prior():
    info = Parameters.info()
    for name, i in info.items():
        if i.prior is not None:
            assert i.grade in ("S", "D", "E"), name
        uncertain = "assumption" in i.source or "[E]" in i.source or "fitted" in i.source
        if uncertain and not i.boolean and name not in NOT_UNCERTAIN:
            # calibrated profiles (exit hazards) are fitted element by element: held fixed
            if name in ("exit_hazard_by_age", "starter_exit_hazard"):
                continue
            assert i.prior is not None, f"{name}: uncertain ({i.source[:40]}...) but no prior"


def test_the_issue_s_parameters_without_a_range_now_have_one():
    info = Parameters.info()
    for name in (
        "attractiveness_vmbo_weight",
        "mover_attractiveness_margin",
        "workload_threshold",
        "hidden_workload_weight",
        "share_vmbo",
        "share_vwo_of_havo_vwo",
        "initial_shortage_school_sd",
        "subject_demand_share",
        "graduate_subject_share",
    ):
        assert info[name].prior is not None, name


def test_calibrated_parameters_are_graded_derived_and_centred_on_the_fit():
    info = Parameters.info()
    scalars = {f.name for f in FREE_PARAMETERS if not f.index}
    scalars |= {n for f in FREE_PARAMETERS for n, _ in f.tied}
    for name in scalars:
        assert info[name].grade == "D", name
        assert info[name].prior.shape == "truncnorm", name


def test_lever_effects_without_a_measured_size_are_graded_estimated_and_reach_no_effect():
    info = Parameters.info()
    for name, no_effect in (
        ("induction_exit_rr", 1.0),  # the US trial found none, the Dutch one 0.86 (n.s.)
        ("supported_side_entrant_dropout_rr", 1.0),
        ("outreach_choice_rr", 1.0),
        ("slow_finisher_graduation_rr", 1.0),
    ):
        prior = info[name].prior
        assert info[name].grade == "E"
        assert prior.low <= no_effect <= prior.high, name


def test_shapes_map_quantiles_through_their_inverse_cdf():
    u = np.array([0.0, 0.25, 0.5, 0.75, 0.999999])
    assert Prior("x", "uniform", 2, 4).ppf(u, 3) == pytest.approx([2, 2.5, 3, 3.5, 4], abs=1e-5)
    log = Prior("x", "loguniform", 1, 100).ppf(np.array([0.5]), 10)
    assert log == pytest.approx([10.0])  # the geometric middle
    tri = Prior("x", "triangular", 0.6, 1.0).ppf(u, 0.75)
    expected = stats.triang((0.75 - 0.6) / 0.4, loc=0.6, scale=0.4).ppf(u)
    assert tri == pytest.approx(expected)
    tn = Prior("x", "truncnorm", 0.0, 8.0).ppf(np.array([0.5]), 4.0)
    assert tn == pytest.approx([4.0])  # the median of a symmetric cut normal is its centre
    ints = Prior("x", "uniform", 2, 8, integer=True).ppf(np.linspace(0, 0.9999, 700), 4)
    assert sorted(set(ints)) == [2, 3, 4, 5, 6, 7, 8]
    assert all(isinstance(v, int) for v in ints)
    prof = Prior("x", "dirichlet", concentration=50.0)
    draws = prof.ppf(np.random.default_rng(0).random((400, 3)), (0.2, 0.3, 0.5))
    mean = np.mean(draws, axis=0)
    assert mean == pytest.approx([0.2, 0.3, 0.5], abs=0.02)
    assert all(abs(sum(d) - 1) < 1e-9 for d in draws)


def test_width_shrinks_towards_the_point_and_zero_collapses_onto_it():
    prior = Prior("x", "uniform", 0.0, 1.0)
    assert prior.ppf(np.array([0.0, 0.999999]), 0.8, width=0.5) == pytest.approx(
        [0.4, 0.9], abs=1e-5
    )
    assert prior.ppf(np.array([0.1, 0.9]), 0.8, width=0.0) == [0.8, 0.8]
    assert (
        Prior("x", "dirichlet", concentration=9.0).ppf(np.ones((2, 2)) / 3, (0.4, 0.6), 0)
        == [(0.4, 0.6)] * 2
    )


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"shape": "beta", "low": 0, "high": 1}, "beta"),
        ({"shape": "uniform", "low": 2, "high": 1}, "not increasing"),
        ({"shape": "loguniform", "low": 0, "high": 1}, "above 0"),
        ({"shape": "dirichlet"}, "concentration"),
    ],
)
def test_bad_priors_are_named(kwargs, words):
    with pytest.raises(PriorError, match=words):
        Prior("some_parameter", **kwargs)


def test_params_command_shows_grade_and_prior(capsys):
    assert main(["params", "--group", "policy_levers"]) == 0
    text = capsys.readouterr().out
    assert "induction_exit_rr" in text
    assert "evidence: E; prior: triangular 0.6-1 (mode: point value)" in text


def test_the_parameter_document_is_not_stale():
    assert PARAMETERS_DOC.read_text(encoding="utf-8") == parameters_markdown(), (
        "docs/parameters.md is stale: run `python -m sim params --write-doc`"
    )
    assert "| `induction_exit_rr` | 0.75 | ratio | E | triangular 0.6-1" in parameters_markdown()
