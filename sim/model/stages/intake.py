"""Stage 7, training intake: school leavers and outside intake start teacher training; final-year students get internship places."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.agents import INTERNSHIP_OUTSIDE, NO_SCHOOL

if TYPE_CHECKING:
    from sim.model.model import RegionModel


def run(model: RegionModel) -> None:
    """Outside intake and school leavers start training; final-year students get internships."""
    rng = model.streams["intake"]
    # outside intake first, so levers that change the school leavers (outreach) leave
    # these draws as they are (common random numbers)
    outside = [int(rng.poisson(pr.expected_outside_intake)) for pr in model.programmes]
    leavers = rng.poisson(model.expected_school_leavers())
    shares = np.array([pr.school_leaver_share for pr in model.programmes] + [0.0])
    shares[-1] = max(0.0, 1.0 - shares[:-1].sum())
    split = rng.multinomial(leavers, shares / shares.sum())
    enrolments = []
    for prog, k, k_out in zip(model.programmes, split[:-1], outside, strict=True):
        subjects, from_region = prog.intake(int(k), k_out, rng)
        enrolments.append((prog.index, subjects, from_region, 1))
        model.year_counts["students_intake"] += subjects.size
    model.enrol(enrolments)
    assign_internships(model, model.streams["internships"])
    st = model.students
    live = st.live()
    slow = st.data["year_of_study"][live] > model.programme_duration[st.data["programme"][live]]
    helped = model.mech.slow_finisher_graduation_rr > 1.0
    st.data["helped"][live] = slow & helped
    model.year_counts["slow_finishers"] = int(slow.sum())
    model.year_counts["slow_finishers_helped"] = int(slow.sum()) if helped else 0


def assign_internships(model: RegionModel, rng: np.random.Generator) -> None:
    """Final-year students without an internship get a place: at schools tied to their
    institute, or (internship pool) at any school of the region; else outside the region."""
    st = model.students
    live = st.live()
    need = live[
        (st.data["internship_school"][live] == NO_SCHOOL)
        & (st.data["year_of_study"][live] >= model.programme_duration[st.data["programme"][live]])
    ]
    if need.size == 0:
        return
    need = rng.permutation(need)
    slots = np.repeat(np.arange(len(model.schools)), model.internship_places)
    slots = rng.permutation(slots)
    assigned = np.full(need.size, INTERNSHIP_OUTSIDE, dtype=np.int64)
    if model.mech.internship_pool:
        k = min(need.size, slots.size)
        assigned[:k] = slots[:k]
    else:
        inst_of_student = model.programme_institute[st.data["programme"][need]]
        inst_of_slot = model.school_institute[slots]
        for i in range(len(model.institutes)):
            who = np.flatnonzero(inst_of_student == i)
            where = slots[inst_of_slot == i]
            k = min(who.size, where.size)
            assigned[who[:k]] = where[:k]
    st.data["internship_school"][need] = assigned
    st.data["interned_in_region"][need] = assigned >= 0
    model.year_counts["internships_in_region"] += int((assigned >= 0).sum())
    model.year_counts["internships_outside"] += int((assigned < 0).sum())
