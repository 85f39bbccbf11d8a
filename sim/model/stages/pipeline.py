"""Stage 3, training and side-entrant progress: students and side-entrants move on, graduates decide to seek a job here, second-subject courses progress."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import preferences
from sim.model.agents import ROUTE, SECOND, UNQUALIFIED, SideEntrant, Student, Teacher
from sim.model.table import UID, change_kind

if TYPE_CHECKING:
    from sim.model.model import RegionModel


def run(model: RegionModel) -> None:
    """Students and side-entrants progress; graduates decide to seek; courses progress."""
    p = model.p
    st = model.students
    out = Student.progress_year(
        model, model.streams["students"], model.mech.slow_finisher_graduation_rr
    )
    model.year_counts["students_dropout"] += out["dropout"].size
    grads = out["graduated"]
    model.year_counts["students_graduated"] += grads.size
    rng = model.streams["students"]
    interned = st.data["interned_in_region"][grads]
    enter = rng.random(grads.size) < np.where(
        interned, p.graduate_entry_interned_in_region, p.graduate_entry_other
    )
    g = grads[enter]
    prog = st.data["programme"][g]
    model.graduate_seekers = {
        "subject": st.data["subject"][g].astype(np.int64),
        "degree": model.programme_degree[prog],
        "parttime": np.array(
            [model.programmes[i].route != "hbo_fulltime" for i in prog], dtype=bool
        ),
    }
    model.year_counts["graduates_seeking"] += g.size
    # a graduate keeps the id they had as a student (a hired one becomes that teacher)
    model.graduate_seekers["uid"] = st.data[UID][g].copy()
    # they seek from their home, with their own longest commute, and know their internship school
    model.graduate_seekers["home_muni"] = st.data["home_muni"][g].astype(np.int64)
    model.graduate_seekers["home"] = np.column_stack([st.data["home_x"][g], st.data["home_y"][g]])
    model.graduate_seekers["max_commute"] = st.data["max_commute"][g].copy()
    model.graduate_seekers["taste"] = preferences.of(model, "students", g)
    model.graduate_seekers["internship"] = st.data["internship_school"][g].astype(np.int64)
    model.history.record("dropped_out", model.year, st.data[UID][out["dropout"]], -1, 0)
    model.history.record("graduated", model.year, st.data[UID][grads], -1, enter)
    model.remove_students(np.concatenate([out["dropout"], grads]))

    wf = model.workforce
    se = SideEntrant.progress(model, model.streams["side_entrants"])
    model.year_counts["side_entrant_dropouts"] += se["dropout"].size
    model.year_counts["side_entrant_completions"] += se["completed"].size
    drop = se["dropout"]
    model.history.record("dropped_out", model.year, wf.data[UID][drop], wf.data["school"][drop], 1)
    model.remove_staff(drop)
    done = se["completed"]
    wf.data["degree"][done] = SECOND
    wf.data["experience"][done] = wf.data["training_year"][done]
    # a side-entrant who qualifies is the same person, now a teacher: same row, same id
    change_kind(model, wf, done, Teacher)
    model.history.record("qualified", model.year, wf.data[UID][done], wf.data["school"][done])
    record_side_entrant_retention(model)
    dual_qualification(model)


def record_side_entrant_retention(model: RegionModel, years: int = 5) -> None:
    """For the side-entrant cohort placed ``years`` years ago: how many still work in the region
    (side-entrants in the route and those who qualified; the row keeps its route and entry
    year for life)."""
    record = model.side_entrant_cohorts.get(model.year - years)
    if record is None or record[2] >= 0:
        return
    wf = model.workforce
    live = wf.live()
    record[2] = int(
        (
            (wf.data["route"][live] == ROUTE["side_entrant"])
            & (wf.data["entry_year"][live] == model.year - years)
        ).sum()
    )


def dual_qualification(model: RegionModel) -> None:
    """Courses progress; new teachers start a course in the largest regional shortage."""
    wf = model.workforce
    live = wf.live()
    on = live[wf.data["course_years_left"][live] > 0]
    wf.data["course_years_left"][on] -= 1
    done = on[wf.data["course_years_left"][on] == 0]
    wf.data["subject2"][done] = wf.data["course_subject"][done]
    model.year_counts["dual_qualified"] += done.size
    rate = model.mech.dual_qualification_rate
    if rate > 0:
        rng = model.streams["dual"]
        short = (model.staffing.vacancy + model.staffing.unqualified).sum(0)
        target = int(np.argmax(short))
        cand = live[
            (wf.data["degree"][live] != UNQUALIFIED)
            & (wf.data["subject2"][live] < 0)
            & (wf.data["course_years_left"][live] == 0)
            & (wf.data["subject"][live] != target)
            & (wf.data["age"][live] < model.p.dual_qualification_max_age)
        ]
        start = cand[rng.random(cand.size) < rate]
        wf.data["course_years_left"][start] = model.p.dual_qualification_years
        wf.data["course_subject"][start] = target
        model.year_counts["dual_courses_started"] += start.size
    model.year_counts["on_dual_course"] = int((wf.data["course_years_left"][wf.live()] > 0).sum())
