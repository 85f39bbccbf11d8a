import math

import pytest

from sim.model.model import RegionModel
from sim.model.parameters import GROUPS, ParameterError, Parameters, parameter_names


def test_every_parameter_is_documented():
    infos = Parameters.info()
    assert len(infos) == len(parameter_names()) > 50
    for info in infos.values():
        assert info.doc and info.unit and info.group in GROUPS
        assert (
            info.source.startswith("model design")
            or "assumption" in info.source
            or "[" in info.source
        )
        if info.plausible is not None:
            lo, hi = info.plausible
            assert lo < hi
            assert info.ge is None or lo >= info.ge
            assert info.le is None or hi <= info.le


def test_uncertain_values_carry_a_range():
    # a scalar default whose source is an assumption must say how wide it may be
    for info in Parameters.info().values():
        if "assumption" in info.source and not info.sequence and not info.boolean:
            assert info.plausible is not None or any(ch.isdigit() for ch in info.source), info.name


def test_defaults_are_valid_and_overrides_apply():
    p = Parameters.build({"pupils_total": 5000, "pupils_per_teacher_fte": 20})
    assert p.pupils_total == 5000 and p.pupils_per_teacher_fte == 20.0
    assert Parameters.build().with_overrides(induction_exit_rr=0.5).induction_exit_rr == 0.5


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"pupils_totl": 10}, ["pupils_totl", "did you mean 'pupils_total'"]),
        ({"pupils_total": "many"}, ["pupils_total", "'many'", "whole number"]),
        ({"pupils_total": 1.5}, ["pupils_total", "1.5", "whole number"]),
        ({"induction_exit_rr": 1.7}, ["induction_exit_rr", "1.7", "[0, 1]"]),
        ({"pupil_trend_per_year": math.nan}, ["pupil_trend_per_year", "nan", "finite"]),
        ({"staff_cost_eur_per_fte": math.inf}, ["staff_cost_eur_per_fte", "inf", "finite"]),
        ({"feedbacks": 1}, ["feedbacks", "1", "true or false"]),
        ({"school_sites": 0}, ["school_sites", "0", "[1, 5000]"]),
        ({"hiring_rounds": 0}, ["hiring_rounds", "0", "[1, 20]"]),
        ({"applications_per_round": 2.5}, ["applications_per_round", "2.5", "whole number"]),
        ({"match_fte_tolerance": -0.1}, ["match_fte_tolerance", "-0.1", "[0, 1]"]),
        ({"graduate_quit_per_round": 1.5}, ["graduate_quit_per_round", "1.5", "[0, 1]"]),
        ({"board_size_exponent": -1.0}, ["board_size_exponent", "-1.0", "[0, 5]"]),
        ({"school_sites": 5000, "pupils_total": 100}, ["school_sites", "5000", "at most"]),
        ({"subject_demand_share": [0.5, 0.5]}, ["subject_demand_share", "7 values"]),
        ({"age_distribution": [0.5, 0.5, 0.5, 0.5, 0.5]}, ["age_distribution", "add up to 1"]),
        (
            {"exit_hazard_by_age": [0.1, 0.1, "x", 0.1, 0.1]},
            ["exit_hazard_by_age", "finite numbers"],
        ),
    ],
)
def test_bad_values_are_named_with_what_is_allowed(values, words):
    with pytest.raises(ParameterError) as err:
        Parameters.build(values)
    for word in words:
        assert word in str(err.value)


def test_model_rejects_bad_input_before_building(monkeypatch):
    built = []
    monkeypatch.setattr(RegionModel, "_build_region", lambda self, layout: built.append(1))
    with pytest.raises(ParameterError, match="unknown parameter 'induction_rr'"):
        RegionModel(induction_rr=0.5)
    with pytest.raises(ParameterError, match="rng"):
        RegionModel(rng="forty-two")
    with pytest.raises(ParameterError, match="rng"):
        RegionModel(rng=-3)
    assert built == []
