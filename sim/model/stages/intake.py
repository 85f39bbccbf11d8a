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
    """Final-year students without an internship get a place near home: among the schools
    tied to their institute (the partnership schools), or (internship pool) among all schools
    of the region, each student in random order tries their ``internship_choices`` nearest
    schools with places, one a round, each school taking applicants until its places are
    full; who is left takes a free place of their institute's schools at random, else a place
    outside the region."""
    st = model.students
    live = st.live()
    need = live[
        (st.data["internship_school"][live] == NO_SCHOOL)
        & (st.data["year_of_study"][live] >= model.programme_duration[st.data["programme"][live]])
    ]
    if need.size == 0:
        return
    need = rng.permutation(need)
    free = model.internship_places.copy()
    assigned = np.full(need.size, INTERNSHIP_OUTSIDE, dtype=np.int64)
    pool = model.mech.internship_pool
    inst_of_student = model.programme_institute[st.data["programme"][need]]
    home = np.column_stack([st.data["home_x"][need], st.data["home_y"][need]])
    groups = (
        [np.arange(need.size)]
        if pool
        else [np.flatnonzero(inst_of_student == i) for i in range(len(model.institutes))]
    )
    for g, who in enumerate(groups):
        partners = (
            np.flatnonzero(free > 0)
            if pool
            else np.flatnonzero((model.school_institute == g) & (free > 0))
        )
        if who.size == 0 or partners.size == 0:
            continue
        dist = np.hypot(
            home[who, 0, None] - model.xy[partners, 0], home[who, 1, None] - model.xy[partners, 1]
        )
        k = min(model.p.internship_choices, partners.size)
        nearest = np.argsort(dist, axis=1, kind="stable")[:, :k]
        for r in range(k):  # round r: the unplaced try their r-th nearest partner school
            todo = np.flatnonzero(assigned[who] < 0)
            if todo.size == 0:
                break
            school = partners[nearest[todo, r]]
            ok = _rank_in_school(school) < free[school]
            assigned[who[todo[ok]]] = school[ok]
            np.subtract.at(free, school[ok], 1)
        # the rest: a free place at any of the group's schools, at random
        todo = who[assigned[who] < 0]
        slots = rng.permutation(np.repeat(partners, free[partners]))
        n = min(todo.size, slots.size)
        assigned[todo[:n]] = slots[:n]
        np.subtract.at(free, slots[:n], 1)
    st.data["internship_school"][need] = assigned
    st.data["interned_in_region"][need] = assigned >= 0
    model.year_counts["internships_in_region"] += int((assigned >= 0).sum())
    model.year_counts["internships_outside"] += int((assigned < 0).sum())
    placed = assigned >= 0
    if placed.any():
        km = np.hypot(*(home[placed] - model.xy[assigned[placed]]).T)
        model.year_counts["internship_distance_km_sum"] += float(km.sum())


def _rank_in_school(school: np.ndarray) -> np.ndarray:
    """Position of each applicant among the earlier applicants to the same school."""
    order = np.argsort(school, kind="stable")
    s = school[order]
    starts = np.r_[0, np.flatnonzero(np.diff(s)) + 1]
    rank_sorted = np.arange(s.size) - np.repeat(starts, np.diff(np.r_[starts, s.size]))
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    return rank
