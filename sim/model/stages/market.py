"""Stage 5, the labour market: movers, graduates, returners, teachers from other regions and side-entrants meet the vacancies."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model import preferences, responses
from sim.model.agents import (
    FIRST,
    ROUTE,
    SECOND,
    UNQUALIFIED,
    SideEntrant,
    Teacher,
    initial_experience,
)
from sim.model.homes import draw_max_commute, settle, too_far
from sim.model.matching import Seekers, Vacancies
from sim.model.parameters import SUBJECT_GROUPS
from sim.model.table import UID, rank_within

if TYPE_CHECKING:
    from sim.model.model import RegionModel

N_G = len(SUBJECT_GROUPS)


def run(model: RegionModel) -> None:
    """Movers first, then the new seekers, then the side-entrants (who see what is left)."""
    movers(model)
    new_seekers(model)
    side_entrants(model)


def movers(model: RegionModel) -> None:
    """Teachers looking for another school: poaching, or release under no-poaching."""
    p = model.p
    wf = model.workforce
    rng = model.streams["movers"]
    live = wf.live()
    rows = live[wf.data["degree"][live] != UNQUALIFIED]
    search = rows[rng.random(rows.size) < search_rate(model, rows)]
    model.released_movers = np.empty(0, dtype=np.int64)
    if search.size == 0:
        return
    school = wf.data["school"][search]
    if not model.mech.poaching:
        surplus = model.pre_market.surplus[school, wf.data["subject"][search]]
        model.released_movers = search[surplus >= 0.5 * wf.data["fte"][search]]
        return
    seekers = Seekers(
        subject=wf.data["subject"][search].astype(np.int64),
        subject2=wf.data["subject2"][search].astype(np.int64),
        degree=wf.data["degree"][search].astype(np.int64),
        fte=wf.data["fte"][search],
        min_attractiveness=model.attractiveness[school] + p.mover_attractiveness_margin,
        home=_home(wf, search),
        max_commute=wf.data["max_commute"][search],
        taste=preferences.of(model, "workforce", search),
    )
    vac = model.open_vacancies()
    placed = poaching_search(model, seekers, vac, rng)
    moved = placed >= 0
    move(model, search[moved], vac.school[placed[moved]])


def search_rate(model: RegionModel, rows: np.ndarray) -> np.ndarray:
    """Yearly probability that each teacher of ``rows`` looks for another school: the base
    rate, raised by workload pressure at their school above the threshold (when feedbacks are
    on) and by ``commute_mover_rr`` when their commute is longer than they accept."""
    p = model.p
    rate = np.full(rows.size, p.mover_search_rate)
    if p.feedbacks:
        pressure = model.workload[model.workforce.data["school"][rows]]
        rate = rate * (
            1.0 + p.workload_mover_sensitivity * np.maximum(0.0, pressure - p.workload_threshold)
        )
    rate = np.where(too_far(model, rows), rate * p.commute_mover_rr, rate)
    return np.clip(rate, 0.0, 1.0)


def _home(wf, rows: np.ndarray) -> np.ndarray:
    return np.column_stack([wf.data["home_x"][rows], wf.data["home_y"][rows]])


def poaching_search(
    model: RegionModel, seekers: Seekers, vac: Vacancies, rng: np.random.Generator
) -> np.ndarray:
    """Teachers looking for a more attractive school search board by board through the hiring
    season; they keep their job when nothing comes of it (they never stop looking early)."""
    return model.mech.search.place(seekers, vac, model.attractiveness, rng)


def move(model: RegionModel, rows: np.ndarray, to: np.ndarray, refresh: bool = True) -> None:
    """Teachers in ``rows`` change school; ``refresh`` recounts the open vacancies."""
    wf = model.workforce
    model.history.record("moved", model.year, wf.data[UID][rows], to, wf.data["school"][rows])
    wf.data["school"][rows] = to
    wf.data["school2"][rows] = -1
    wf.data["fte2"][rows] = 0.0
    model.year_counts["hires_mover"] += rows.size
    if rows.size and refresh:
        model.pre_market = model.cover_before_market()


def new_seekers(model: RegionModel) -> None:
    """Graduates, returners, teachers from other regions and released teachers."""
    p = model.p
    rng = model.streams["seekers"]
    wf = model.workforce
    live = wf.live()
    n_teachers = int((wf.data["degree"][live] != UNQUALIFIED).sum())
    # returners drawn from the reserve's age x years-out cells; in-migrant seekers at the
    # out-migration rate of the same teachers times the in/out ratio (symmetric by default)
    ret_age, ret_out = model.reserve.draw_seekers(p, rng, model.inflow_pull)
    ret_uid = model.reserve.seeker_ids(ret_age, ret_out, model.streams["identity"])
    n_ret = ret_age.size
    n_in = int(rng.poisson(n_teachers * p.leave_region_rate * p.inmigration_ratio))
    model.year_counts["inmigrant_seekers"] += n_in
    model.year_counts["returner_seekers"] += n_ret
    share = np.asarray(p.subject_demand_share)
    gs = model.graduate_seekers
    n_grad = gs["subject"].size
    rel = model.released_movers
    subject = np.concatenate(
        [gs["subject"], rng.choice(N_G, size=n_ret + n_in, p=share), wf.data["subject"][rel]]
    ).astype(np.int64)
    degree = np.concatenate(
        [
            gs["degree"],
            np.where(rng.random(n_ret + n_in) < p.seeker_first_degree_share, FIRST, SECOND),
            wf.data["degree"][rel],
        ]
    ).astype(np.int64)
    fte = np.concatenate([model.draw_contract_fte(n_grad + n_ret + n_in, rng), wf.data["fte"][rel]])
    source = np.concatenate(
        [
            np.full(n_grad, ROUTE["graduate"]),
            np.full(n_ret, ROUTE["returner"]),
            np.full(n_in, ROUTE["inmigrant"]),
            np.full(rel.size, -1),
        ]
    )
    subject2 = np.concatenate(
        [np.full(n_grad + n_ret + n_in, -1), wf.data["subject2"][rel]]
    ).astype(np.int64)
    # homes: graduates their own, returners where the region's people live, teachers from
    # other regions move house (any distance), released teachers their own
    hrng = model.streams["homes"]
    ret_muni, ret_home = model.municipalities.draw(n_ret, hrng)
    home = np.concatenate(
        [gs["home"].reshape(-1, 2), ret_home, np.zeros((n_in, 2)), _home(wf, rel)]
    )
    home_muni = np.concatenate(
        [gs["home_muni"], ret_muni, np.full(n_in, -1), wf.data["home_muni"][rel]]
    ).astype(np.int64)
    max_commute = np.concatenate(
        [
            gs["max_commute"],
            draw_max_commute(model, n_ret, hrng),
            np.full(n_in, np.inf),
            wf.data["max_commute"][rel],
        ]
    )
    # graduates' preferences their own (from their studies), newcomers' drawn now
    taste = np.concatenate(
        [
            gs["taste"].reshape(-1, 4),
            preferences.of_returners(model, ret_uid),
            preferences.draw(model, n_in),
            preferences.of(model, "workforce", rel),
        ]
    )
    # a graduate who interned here may first apply to the board of the internship school
    first_unit = np.full(subject.size, -1, dtype=np.int64)
    intern = gs["internship"]
    asks = (intern >= 0) & (hrng.random(n_grad) < p.graduate_internship_application)
    first_unit[:n_grad][asks] = model.board[intern[asks]]
    quit_per_round = np.select(
        [source == ROUTE["graduate"], source == ROUTE["returner"], source == ROUTE["inmigrant"]],
        [p.graduate_quit_per_round, p.returner_quit_per_round, p.inmigrant_quit_per_round],
        0.0,  # released teachers keep their job and look all season
    )
    seekers = Seekers(
        subject,
        subject2,
        degree,
        fte,
        np.full(subject.size, -np.inf),
        quit_per_round,
        home=home,
        max_commute=max_commute,
        first_unit=first_unit,
        taste=taste,
    )
    vac = model.open_vacancies()
    placed = responses.recruit(model, seekers, vac)  # short schools first, then everyone
    ok = placed >= 0
    # a year with no open vacancy anywhere places nobody (and has no school to index)
    school = vac.school[np.maximum(placed, 0)] if vac.school.size else np.full(placed.size, -1)
    is_rel = source == -1
    move(model, rel[ok[is_rel]], school[is_rel & ok], refresh=False)
    new = ok & ~is_rel
    back = ok[n_grad : n_grad + n_ret]
    model.reserve.remove(ret_age[back], ret_out[back], ret_uid[back])
    grad_uid = gs.get("uid", np.full(n_grad, -1, dtype=np.int64))
    uids = np.concatenate([grad_uid, ret_uid, np.full(n_in + rel.size, -1, dtype=np.int64)])
    known_age = np.concatenate([np.full(n_grad, -1), ret_age, np.full(n_in + rel.size, -1)])
    years_out = np.concatenate(
        [np.zeros(n_grad, np.int64), ret_out, np.zeros(n_in + rel.size, np.int64)]
    )
    model.year_counts["seekers"] += subject.size
    model.year_counts["seekers_unplaced"] += int((~ok).sum())
    hire(
        model,
        source[new],
        subject[new],
        degree[new],
        fte[new],
        school[new],
        gs["parttime"][new[:n_grad]] if n_grad else np.zeros(0, bool),
        rng,
        known_age[new],
        years_out[new],
        uids[new],
        home[new],
        home_muni[new],
        max_commute[new],
        taste[new],
    )
    if ok.any():  # the side-entrants' market sees the vacancies these hires filled
        model.pre_market = model.cover_before_market()


def hire(
    model: RegionModel,
    source,
    subject,
    degree,
    fte,
    school,
    grad_parttime,
    rng,
    known_age=None,
    years_out=None,
    uids=None,
    home=None,
    home_muni=None,
    max_commute=None,
    taste=None,
) -> None:
    """New staff on their schools. Hired graduates and returners keep the ids they had
    (``uids``, -1 for a new person) and homes (``home``, ``home_muni``, ``max_commute``; a
    teacher from another region settles near the school) and job preferences (``taste``, drawn
    when not given). Returners keep their own age (``known_age``); in-migrants
    take ages drawn from this year's out-migrants (the workforce's when none left); experience
    of both follows age and route as for the initial staff, less a returner's years out."""
    p = model.p
    n = source.size
    if n == 0:
        return
    is_grad = source == ROUTE["graduate"]
    is_ret = source == ROUTE["returner"]
    is_in = source == ROUTE["inmigrant"]
    known_age = np.full(n, -1) if known_age is None else np.asarray(known_age)
    years_out = np.zeros(n, np.int64) if years_out is None else np.asarray(years_out)
    age = np.where(is_ret, known_age, rng.integers(22, 27, n))
    if is_in.any():
        profile = model.outmigrant_ages
        if profile.size == 0:
            wf = model.workforce
            live = wf.live()
            profile = wf.data["age"][live[wf.data["degree"][live] != UNQUALIFIED]].astype(np.int64)
        age[is_in] = rng.choice(profile, size=int(is_in.sum()))
    if is_grad.any():
        pt = np.zeros(n, bool)
        pt[is_grad] = grad_parttime
        age = np.where(pt, rng.integers(27, 50, n), age)
    worked = np.maximum(1, initial_experience(age - years_out, p, rng))
    experience = np.where(is_grad, 0, worked)
    induction = is_grad & (model.own_induction[school] | model.mech.induction_for_all)
    model.year_counts["inducted_by_region"] += int((induction & ~model.own_induction[school]).sum())
    rows = model.workforce.add(
        n,
        age=age,
        experience=experience,
        subject=subject,
        subject2=-1,
        degree=degree,
        fte=fte,
        school=school,
        school2=-1,
        fte2=0.0,
        induction=induction,
        permanent=rng.random(n) >= p.temporary_contract_share_new_hire,
        route=source,
        entry_year=model.year,
        starter=is_grad,
        course_subject=-1,
    )
    Teacher.create_rows(model, rows, uids)
    if home is None:  # no homes given: everyone settles near the school
        settle(model, "workforce", rows, near=model.xy[school])
    else:
        col = model.workforce.data
        col["home_x"][rows], col["home_y"][rows] = home[:, 0], home[:, 1]
        col["home_muni"][rows] = home_muni
        col["max_commute"][rows] = max_commute
        settle(model, "workforce", rows[is_in], near=model.xy[school[is_in]])
    if taste is None:
        preferences.assign(model, "workforce", rows)
    else:
        preferences.store(model, "workforce", rows, taste)
    model.history.record("hired", model.year, model.workforce.data[UID][rows], school, source)
    for name in ("graduate", "returner", "inmigrant"):
        model.year_counts[f"hires_{name}"] += int((source == ROUTE[name]).sum())
    n_start = int(is_grad.sum())
    if n_start:
        record = np.zeros(12, dtype=np.int64)
        record[0] = n_start
        model.cohorts[model.year] = record


def side_entrants(model: RegionModel) -> None:
    """Career changers placed where mentor places allow; the joint programme shares places."""
    p = model.p
    rng = model.streams["side_entrant_market"]
    n_teachers = len(model.workforce)
    n = int(
        rng.poisson(
            p.side_entrant_applicants_per_100_teachers
            * n_teachers
            / 100
            / p.outside_labour_market_tightness
            * model.inflow_pull
        )
    )
    model.year_counts["side_entrant_applicants"] += n
    if n == 0:
        return
    subject = rng.choice(N_G, size=n, p=np.asarray(p.subject_demand_share)).astype(np.int64)
    fte = model.draw_contract_fte(n, rng)
    # career changers live where the region's people live
    hrng = model.streams["homes"]
    home_muni, home = model.municipalities.draw(n, hrng)
    reach = draw_max_commute(model, n, hrng)
    taste = preferences.draw(model, n)
    seekers = Seekers(
        subject,
        np.full(n, -1),
        np.zeros(n, np.int64),
        fte,
        np.full(n, -np.inf),
        np.full(n, p.side_entrant_quit_per_round),
        home=home,
        max_commute=reach,
        taste=taste,
    )
    vac = model.open_vacancies()
    # mentor places still free after the side-entrants already in the route
    wf = model.workforce
    live = wf.live()
    in_route = live[wf.data["degree"][live] == UNQUALIFIED]
    current = np.bincount(wf.data["school"][in_route], minlength=len(model.schools))
    if model.mech.joint_side_entrant_programme:
        places = (
            model.mentor_places.sum()
            + model.mech.side_entrant_extra_places * len(model.schools) / 10
        )
        vac = vac.restrict(vac.level == 1)
        placed = model.mech.matching.place(seekers, vac, model.attractiveness, rng)
        ok = np.flatnonzero(placed >= 0)[: max(0, int(places - current.sum()))]
    else:
        free = np.maximum(0, model.mentor_places - current)
        vac = vac.restrict((vac.level == 1) & (free[vac.school] > 0))
        placed = model.mech.matching.place(seekers, vac, model.attractiveness, rng)
        ok = np.flatnonzero(placed >= 0)
        host = vac.school[placed[ok]]
        ok = ok[rank_within(host) < free[host]]
    school = vac.school[placed[ok]]
    supported = model.mech.joint_side_entrant_programme | model.own_induction[school]
    induction = model.mech.induction_for_all | model.own_induction[school]
    rows = model.workforce.add(
        ok.size,
        age=rng.integers(27, 55, ok.size),
        experience=0,
        subject=subject[ok],
        subject2=-1,
        degree=UNQUALIFIED,
        fte=fte[ok],
        school=school,
        school2=-1,
        fte2=0.0,
        induction=induction,
        permanent=False,
        route=ROUTE["side_entrant"],
        entry_year=model.year,
        training_year=0,
        supported=supported,
        course_subject=-1,
    )
    SideEntrant.create_rows(model, rows)
    col = model.workforce.data
    col["home_x"][rows], col["home_y"][rows] = home[ok, 0], home[ok, 1]
    col["home_muni"][rows] = home_muni[ok]
    col["max_commute"][rows] = reach[ok]
    preferences.store(model, "workforce", rows, taste[ok])
    model.history.record(
        "hired", model.year, model.workforce.data[UID][rows], school, ROUTE["side_entrant"]
    )
    model.year_counts["hires_side_entrant"] += ok.size
    if ok.size:
        model.side_entrant_cohorts[model.year] = [int(ok.size), 0, -1]
    model.year_counts["inducted_by_region"] += int((induction & ~model.own_induction[school]).sum())
    wf = model.workforce
    live = wf.live()
    model.year_counts["side_entrants_in_programme"] = (
        int((wf.data["degree"][live] == UNQUALIFIED).sum())
        if model.mech.joint_side_entrant_programme
        else 0
    )
