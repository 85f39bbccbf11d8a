"""Each lever moves its own mechanism in the expected direction (fixed seeds, small region).

Every comparison is paired: the same seed with and without the lever, and the model draws each
mechanism from its own random stream, so unrelated draws do not move. Totals are summed over
eight years and two seeds; the stated margins are far above the run-to-run noise at these sizes.
"""

from functools import cache

import pytest

from sim.model.model import RegionModel

from conftest import SMALL, run_model

YEARS = 8
SEEDS = (1, 2)


@cache
def totals(policy: str, **overrides) -> dict[str, float]:
    out: dict[str, float] = {}
    for seed in SEEDS:
        s = run_model(policy=policy, years=YEARS, rng=seed, **overrides).series().iloc[1:]
        for col in s.columns:
            out[col] = out.get(col, 0.0) + float(s[col].sum())
        out["end_shortage_rate"] = out.get("end_shortage_rate", 0.0) + s.shortage_rate.iloc[
            -1
        ] / len(SEEDS)
    return out


def base() -> dict[str, float]:
    return totals("isolated")


def test_regional_matching_spreads_shortage():
    lever = totals("isolated+regional_matching")
    assert lever["shortage_gini"] < base()["shortage_gini"]


def test_regional_matching_loses_fewer_seekers():
    lever = totals("isolated+regional_matching")
    # fewer seekers lost where the boards' search is short (one application in one round; with
    # the default 4 x 2 applications a seeker reaches nearly every one of the small region's 4
    # boards, and the seekers both arms lose are those whose contract fits no open vacancy)
    short = {"hiring_rounds": 1, "applications_per_round": 1}
    assert (
        totals("isolated+regional_matching", **short)["seekers_unplaced"]
        < 0.9 * totals("isolated", **short)["seekers_unplaced"]
    )
    assert lever["cost_regional_matching_eur"] > 0 and base()["cost_regional_matching_eur"] == 0


def test_no_poaching_cuts_moves_between_schools():
    assert totals("isolated+no_poaching")["hires_mover"] < 0.5 * base()["hires_mover"]


def test_shared_appointments_use_surplus_hours_under_pupil_decline():
    decline = {"pupil_trend_per_year": -0.02}
    lever = totals("isolated+shared_appointments", **decline)
    alone = totals("isolated", **decline)
    assert lever["shared_appointments"] > 20 and alone["shared_appointments"] == 0
    # the lever puts surplus hours to use: those left after the boards' own moves go to other
    # boards. (Until issue 10 this line read "vacancies fall"; over 12 paired seeds the vacancy
    # difference was -0.6 +- 4.4 fte before the supply rework and +6.4 +- 5.4 after it: no
    # effect above noise, the old pass came from two lucky seeds.)
    assert lever["surplus_fte"] < 0.5 * alone["surplus_fte"]


def test_joint_induction_lowers_starter_attrition():
    lever = totals("isolated+joint_induction")
    assert lever["exits_left_education"] < base()["exits_left_education"]
    assert lever["cost_joint_induction_eur"] > 0


def test_joint_side_entrant_programme_places_more_and_loses_fewer():
    lever = totals("isolated+joint_side_entrant_programme")
    placed_share = lever["hires_side_entrant"] / lever["side_entrant_applicants"]
    assert placed_share > 1.2 * base()["hires_side_entrant"] / base()["side_entrant_applicants"]
    # dropout at a rate where the small region sees enough of it (30%; the calibrated 2.25% a year
    # leaves a handful of dropouts in eight years, too few to compare)
    often = {"side_entrant_dropout_per_year": 0.3}
    lever = totals("isolated+joint_side_entrant_programme", **often)
    alone = totals("isolated", **often)
    assert (
        lever["side_entrant_dropouts"] / lever["hires_side_entrant"]
        < 0.9 * alone["side_entrant_dropouts"] / alone["hires_side_entrant"]
    )


def test_internship_pool_keeps_interns_in_the_region():
    lever = totals("isolated+internship_pool")
    assert lever["internships_outside"] < 0.7 * base()["internships_outside"]
    assert lever["graduates_seeking"] > base()["graduates_seeking"]


def test_outreach_raises_training_intake():
    assert totals("isolated+outreach")["students_intake"] > base()["students_intake"] + 20


def test_dual_qualification_qualifies_teachers_in_a_second_subject():
    lever = totals("isolated+dual_qualification")
    assert lever["dual_qualified"] > 10 and base()["dual_qualified"] == 0
    assert lever["cost_dual_qualification_eur"] > 0


def test_slow_finisher_help_raises_graduation():
    lever = totals("isolated+slow_finisher_help")
    assert lever["students_graduated"] > base()["students_graduated"]
    assert lever["cost_slow_finisher_help_eur"] > 0


def test_qualification_experiment_turns_open_into_hidden_shortage():
    # the initial census: the staff it counts are the same with and without the lever, so
    # open shortage turns into hidden shortage one for one. The cap is set at the low end of its
    # plausible range (0.05) so that it binds at most schools: how often the fitted cap binds in
    # the small region depends on its pupil mix, not on the lever. The size of the cut still
    # varies by seed, so it is checked on the two seeds together, like the totals below.
    binding = {**SMALL, "unqualified_cap_share": 0.05}
    open_first = open_lever = 0.0
    for seed in SEEDS:
        first = RegionModel(rng=seed, **binding).series().iloc[0]
        lever = (
            RegionModel(policy="isolated+qualification_experiment", rng=seed, **binding)
            .series()
            .iloc[0]
        )
        open_first += first.vacancy_fte
        open_lever += lever.vacancy_fte
        assert lever.vacancy_fte <= first.vacancy_fte
        assert lever.unqualified_fte > first.unqualified_fte
        assert lever.vacancy_fte + lever.unqualified_fte == pytest.approx(
            first.vacancy_fte + first.unqualified_fte
        )
    assert open_lever < 0.9 * open_first
    # and over the years, after the paths part
    lever = totals("isolated+qualification_experiment", unqualified_cap_share=0.05)
    alone = totals("isolated", unqualified_cap_share=0.05)
    assert lever["vacancy_fte"] < alone["vacancy_fte"]
    assert lever["unqualified_fte"] > alone["unqualified_fte"]

    # the shortage shifts from open to hidden: the hidden share of it rises by 3 points or
    # more (until issue 10 this read "hidden shortage 10% higher", a size that depended on the
    # baseline's level)
    def hidden_share(t: dict[str, float]) -> float:
        return t["unqualified_fte"] / (t["unqualified_fte"] + t["vacancy_fte"])

    assert hidden_share(lever) > hidden_share(alone) + 0.03


@pytest.mark.parametrize("policy", ["collaborative"])
def test_collaboration_lowers_shortage(policy):
    collab = totals(policy)
    assert collab["end_shortage_rate"] < base()["end_shortage_rate"] - 0.005
    assert (collab["vacancy_fte"] + collab["unqualified_fte"]) < 0.9 * (
        base()["vacancy_fte"] + base()["unqualified_fte"]
    )
    assert collab["lever_cost_eur"] > 0
