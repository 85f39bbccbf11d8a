"""Schools that respond when short: part-timers asked for extra hours, within the gap, once."""

import numpy as np
import pytest

from sim import RegionModel
from sim.model.responses import extra_hours
from sim.model.staffing import cover


def _gap(m):
    return cover(m.demand, m.staff(), 0.0, 0.0, stopgaps=False).open_by_level.sum(-1)


@pytest.mark.parametrize("acceptance", [1.0, 0.25])
def test_short_schools_get_extra_hours_within_their_gap(acceptance):
    m = RegionModel(rng=11, extra_hours_acceptance=acceptance)
    wf = m.workforce
    before = wf.data["fte"].copy()
    gap = _gap(m)
    added = extra_hours(m)
    n = wf.n
    step = m.p.extra_hours_fte
    diff = wf.data["fte"][:n] - before[:n]
    changed = np.flatnonzero(diff > 1e-9)
    assert added == pytest.approx(changed.size * step) and added > 0
    assert np.allclose(diff[changed], step)
    assert (wf.data["fte"][changed] <= 1.0 + 1e-9).all()
    # only where a gap was, and never more than the gap plus half a step
    cell = wf.data["school"][changed] * gap.shape[1] + wf.data["subject"][changed]
    per_cell = np.bincount(cell, minlength=gap.size) * step
    assert (per_cell <= gap.ravel() + 0.5 * step + 1e-9).all()
    assert (gap.ravel()[np.unique(cell)] > 0.05).all()
    asked = wf.data["asked_hours"][: wf.n]
    assert asked[changed].all()
    share = changed.size / asked.sum()
    assert abs(share - acceptance) < (1e-9 if acceptance == 1.0 else 0.08)
    assert m.year_counts["extra_hours_bonus_eur"] == pytest.approx(
        added * m.p.extra_hours_bonus_eur_per_fte
    )


def test_nobody_is_asked_twice_and_zero_switches_it_off():
    m = RegionModel(rng=11, extra_hours_acceptance=0.0)
    assert extra_hours(m) == 0.0
    m = RegionModel(rng=11, extra_hours_acceptance=0.5)
    extra_hours(m)
    asked = m.workforce.data["asked_hours"].copy()
    fte = m.workforce.data["fte"].copy()
    extra_hours(m)  # the same gap again (nothing else happened): only people not asked yet
    again = np.flatnonzero(m.workforce.data["fte"] != fte)
    assert not asked[again].any()


def test_the_response_lowers_the_shortage_it_covers():
    on = RegionModel(rng=2)
    off = RegionModel(rng=2, extra_hours_fte=0.0)
    on.step()
    off.step()
    assert on.year_counts["extra_hours_fte"] > 0 and off.year_counts["extra_hours_fte"] == 0
    s_on, s_off = on.series().iloc[-1], off.series().iloc[-1]
    assert s_on["qualified_fte"] > s_off["qualified_fte"]
    assert s_on["shortage_rate"] < s_off["shortage_rate"]


def test_training_intake_follows_the_shortage_with_a_lag():
    m = RegionModel(rng=3, intake_shortage_response=2.0, intake_response_lag_years=3)
    start = m.shortage_path[m.p.start_year]
    trend = lambda m: (1 + m.p.training_intake_trend_per_year) ** (m.year - m.p.start_year)  # noqa: E731
    m.run_for(2)
    assert m.intake_market_factor == 1.0  # the lag has not passed
    m.run_for(2)
    m.shortage_path[m.year - 3] = start + 0.05  # the shortage programmes see this year
    assert m.intake_market_factor == pytest.approx(1.0 + 2.0 * 0.05)
    assert m.training_intake_factor == pytest.approx(trend(m) * 1.1)
    leavers = m.expected_school_leavers()
    m.shortage_path[m.year - 3] = start - 0.05
    assert m.expected_school_leavers() == pytest.approx(leavers * 0.9 / 1.1)
    m.shortage_path[m.year - 3] = start - 1.0
    assert m.intake_market_factor == 0.0  # never negative


def test_no_response_leaves_intake_to_the_trend():
    m = RegionModel(rng=3, intake_shortage_response=0.0)
    m.run_for(6)
    assert m.intake_market_factor == 1.0
    assert m.series()["intake_market_factor"].eq(1.0).all()


def test_hidden_shortage_is_split_by_what_covered_it():
    m = RegionModel(rng=4)
    m.run_for(3)
    s = m.series()
    parts = s["unqualified_side_entrant_fte"] + s["unqualified_stopgap_fte"]
    assert np.allclose(parts, s["unqualified_fte"])
    assert (s["unqualified_side_entrant_fte"] > 0).all() and (
        s["unqualified_stopgap_fte"] > 0
    ).all()
    # side-entrants cover no more than the side-entrants' own fte
    wf = m.workforce
    live = wf.live()
    se_fte = wf.data["fte"][live[wf.data["degree"][live] == 0]].sum()
    assert s["unqualified_side_entrant_fte"].iloc[-1] <= se_fte + 1e-9
