"""One test per yearly stage module (``sim/model/stages``): each stage, run on its own in the
documented order, keeps the books it is responsible for. Mechanism details are tested in the
files of their mechanism (demand, reserve, boards, labour market, staffing)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.agents import SECOND, UNQUALIFIED
from sim.model.model import STAGES, RegionModel
from sim.model.stages import demand, exits, intake, market, pipeline, stopgaps, vacancies
from sim.model.table import UID

from conftest import SMALL


def _model(**overrides) -> RegionModel:
    model = RegionModel(rng=7, **{**SMALL, **overrides})
    model.run_for(2)
    return model


def _advance_to(model: RegionModel, stage) -> None:
    """Start the next year and run the stages before ``stage``."""
    model.year += 1
    model.year_counts.clear()
    for earlier in STAGES[: STAGES.index(stage)]:
        earlier.run(model)


def test_the_step_order_is_the_documented_one():
    assert (demand, exits, pipeline, vacancies, market, stopgaps, intake) == STAGES


def test_demand_stage_scales_pupils_and_demand_by_the_trend():
    """Projection off, no noise, +10% trend: every site's pupils and demand grow by 10%."""
    model = _model(follow_pupil_projection=False, pupil_noise_sd=0.0, pupil_trend_per_year=0.1)
    pupils, need = model.pupils.copy(), model.demand.copy()
    _advance_to(model, demand)
    demand.run(model)
    np.testing.assert_allclose(model.pupils, 1.1 * pupils)
    np.testing.assert_allclose(model.demand, 1.1 * need)


def test_exits_stage_ages_everyone_and_sends_leavers_to_the_reserve():
    model = _model()
    _advance_to(model, exits)
    wf = model.workforce
    before = wf.live()
    teachers = before[wf.data["degree"][before] != UNQUALIFIED]  # side-entrants age in stage 3
    age = dict(zip(wf.data[UID][teachers].tolist(), wf.data["age"][teachers].tolist(), strict=True))
    reserve = model.reserve.size
    exits.run(model)
    after = wf.live()
    left = sum(
        model.year_counts[f"exits_{r}"] for r in ("retirement", "left_education", "left_region")
    )
    assert before.size - after.size == left > 0
    stayed = dict(zip(wf.data[UID][after].tolist(), wf.data["age"][after].tolist(), strict=True))
    assert all(stayed[u] == age[u] + 1 for u in age if u in stayed)
    assert model.reserve.size == (
        reserve
        - model.year_counts["reserve_pension_exits"]
        + model.year_counts["exits_left_education"]
    )


def test_pipeline_stage_keeps_the_students_books():
    """Students before = students after + dropouts + graduates; side-entrants who complete
    become second-degree teachers on the same row."""
    model = _model()
    _advance_to(model, pipeline)
    students = len(model.students)
    in_route = int((model.workforce.data["degree"][model.workforce.live()] == UNQUALIFIED).sum())
    pipeline.run(model)
    c = model.year_counts
    assert students == len(model.students) + c["students_dropout"] + c["students_graduated"]
    still = int((model.workforce.data["degree"][model.workforce.live()] == UNQUALIFIED).sum())
    assert in_route == still + c["side_entrant_dropouts"] + c["side_entrant_completions"]
    assert c["students_graduated"] > 0


def test_vacancies_stage_posts_what_staff_leave_open():
    model = _model()
    _advance_to(model, vacancies)
    vacancies.run(model)
    fresh = model.cover_before_market()
    np.testing.assert_allclose(model.pre_market.open_by_level, fresh.open_by_level)
    assert model.year_counts["vacancies_posted_fte"] == pytest.approx(fresh.open_by_level.sum())


def test_market_stage_hires_are_new_rows_and_fill_vacancies():
    model = _model()
    _advance_to(model, market)
    rows = len(model.workforce)
    posted = model.pre_market.open_by_level.sum()
    market.run(model)
    c = model.year_counts
    hired = sum(c[f"hires_{s}"] for s in ("graduate", "returner", "inmigrant", "side_entrant"))
    assert len(model.workforce) - rows == hired > 0
    assert model.cover_before_market().open_by_level.sum() < posted


def test_stopgaps_stage_accounts_for_every_lesson():
    """Per school: demand = qualified + unqualified + vacancy; stop-gaps stay under the cap."""
    model = _model()
    _advance_to(model, stopgaps)
    stopgaps.run(model)
    st = model.staffing
    np.testing.assert_allclose(
        st.demand.sum(-1), st.qualified + st.unqualified + st.vacancy, rtol=1e-9, atol=1e-9
    )
    assert (st.vacancy >= -1e-9).all() and (st.stopgap >= -1e-9).all()


def test_intake_stage_enrols_the_new_students():
    model = _model()
    _advance_to(model, intake)
    students = len(model.students)
    intake.run(model)
    assert len(model.students) - students == model.year_counts["students_intake"] > 0
    first_years = model.students.data["year_of_study"][model.students.live()] == 1
    assert first_years.sum() == model.year_counts["students_intake"]


def test_completions_become_second_degree():
    model = _model(side_entrant_dropout_per_year=0.0)
    completed = 0
    for _ in range(3):
        _advance_to(model, pipeline)
        wf = model.workforce
        in_route = wf.live()[wf.data["degree"][wf.live()] == UNQUALIFIED]
        pipeline.run(model)
        # the row is the person's (their agent object is new: issue 11)
        done = in_route[wf.live_mask()[in_route] & (wf.data["degree"][in_route] == SECOND)]
        assert done.size == model.year_counts["side_entrant_completions"]
        assert (wf.data["training_year"][done] >= model.p.side_entrant_duration_years).all()
        completed += done.size
        for later in STAGES[STAGES.index(pipeline) + 1 :]:
            later.run(model)
        model.datacollector.collect(model)
    assert completed > 0
