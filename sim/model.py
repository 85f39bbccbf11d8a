"""RegionModel: the teacher labour market of one educational region, one school year a step.

Yearly step order (census date 1 October; the initial state is the census of ``start_year``):

1. **Demand** — pupil numbers change (trend plus noise per school); demand in fte per school,
   subject group and level follows.
2. **Exits and retirements** — teachers age; each may retire, leave education (to the silent
   reserve) or move to another region, by age, experience, induction, contract and the
   school's workload; some change their hours.
3. **Training and side-entrant progress** — students drop out, graduate (on time or slow) or
   move up a year; graduates decide whether to seek a teaching job in the region;
   side-entrants drop out or qualify; teachers on a second-subject course progress and new
   courses start.
4. **Vacancies** — schools compare staff with demand; shared appointments move surplus hours
   to partner schools; the rest of the gap is posted as vacancies.
5. **Labour market** — teachers looking for another school move (poaching, or release under a
   no-poaching agreement); graduates, returners from the silent reserve, teachers from other
   regions and released teachers meet the vacancies; career changers are then placed as
   side-entrants in the vacancies still open, where mentor places allow.
6. **Stop-gaps** — what stays open is covered in part by staff without the required
   qualification, up to a cap per school (hidden shortage); the rest stays open (open
   shortage). Workload and attractiveness of each school follow.
7. **Training intake** — school leavers from the exam cohorts (raised by outreach) and
   outside intake start teacher training; final-year students get internship places.
8. **Data collection** — reporters record the year.

Every random draw comes from a named stream derived from the run's seed, one stream per
mechanism, so switching a lever on does not reshuffle the draws of unrelated mechanisms.
"""

from __future__ import annotations

import bisect
from collections import Counter
from functools import cached_property
from typing import Any

import mesa
import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from sim import reporters
from sim.agents import (
    AGE_BAND_EDGES,
    FIRST,
    INTERNSHIP_OUTSIDE,
    NO_SCHOOL,
    ROUTE,
    SECOND,
    UNQUALIFIED,
    School,
    SideEntrant,
    Student,
    Teacher,
    TrainingProgramme,
    age_band,
    new_student_table,
    new_workforce_table,
)
from sim.labour_market import SchoolRecruitment, Seekers, Vacancies
from sim.parameters import AGE_BANDS, SUBJECT_GROUPS, ParameterError, Parameters
from sim.policies import LEVERS, LeverCost, Policy
from sim.region import Layout, build_layout
from sim.scenarios import Scenario, load_scenario
from sim.staffing import Staffing, cover, staff_fte
from sim.table import TableModel, remove_rows

STREAMS: tuple[str, ...] = (
    "init",
    "demand",
    "exits",
    "hours",
    "students",
    "side_entrants",
    "dual",
    "shared",
    "movers",
    "seekers",
    "market",
    "side_entrant_market",
    "intake",
    "internships",
)
"""Named random streams, one per mechanism; the position is the stream's spawn key."""

N_G = len(SUBJECT_GROUPS)

CONTRACT_STEPS = np.array([[3, 0.3], [3, 0.6], [2, 0.9]])
"""Per DUO contract class (<= 0.5, 0.5-0.8, > 0.8 fte): number of 0.1-fte sizes and the
smallest (0.3-0.5, 0.6-0.8, 0.9-1.0 fte)."""


class RegionModel(TableModel):
    """The region model (see the module docstring for the yearly step order).

    Args:
        scenario: Scenario name (``"rijnmond"``), path to a TOML file, or a loaded Scenario.
        policy: Preset name (``"isolated"``, ``"collaborative"``), lever list, or expression
            such as ``"isolated+joint_induction"``.
        rng: Seed (int) or numpy Generator/SeedSequence; None draws fresh entropy.
        **overrides: Any parameter of :class:`sim.parameters.Parameters`.
    """

    agent_tables = ("workforce", "students")

    def __init__(
        self,
        scenario: str | Scenario = "rijnmond",
        policy: str | list[str] | Policy = "isolated",
        rng: Any = None,
        **overrides: Any,
    ) -> None:
        scen = scenario if isinstance(scenario, Scenario) else load_scenario(scenario)
        params = scen.parameters(**overrides)
        pol = Policy.parse(policy)
        seed = _seed_int(rng)
        super().__init__(rng=seed)
        self.seed = seed
        self.scenario_spec = scen
        self.p: Parameters = params
        # intakes in the scenario file are sized for the scenario's own region
        self.size_factor = params.pupils_total / scen.parameters().pupils_total
        self.policy = pol
        shares = np.asarray(params.contract_fte_shares)
        class_mean = CONTRACT_STEPS[:, 1] + 0.05 * (CONTRACT_STEPS[:, 0] - 1)
        self.mean_contract_fte = float(shares @ class_mean / shares.sum())
        self.mech = pol.mechanisms(params, self.mean_contract_fte)
        self.streams = {
            name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
            for i, name in enumerate(STREAMS)
        }
        self.year = params.start_year
        self.year_counts: Counter = Counter()
        self.cohorts: dict[int, np.ndarray] = {}  # entry year -> [entered, left after 1..]
        self.silent_reserve = 0.0
        self.graduate_seekers: dict[str, np.ndarray] = {}
        self.lever_costs: dict[str, LeverCost] = {}

        self._build_region(build_layout(scen, params))
        self._build_workforce()
        self._build_students()
        self._census()
        self.datacollector = mesa.DataCollector(
            model_reporters=reporters.model_reporters(),
            agenttype_reporters={School: reporters.school_reporters()},
        )
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ building
    def _build_region(self, layout: Layout) -> None:
        p = self.p
        self.layout = layout
        self.schools: list[School] = []
        for i, s in enumerate(layout.sites):
            self.schools.append(
                School(
                    self,
                    i,
                    s.name,
                    s.municipality,
                    s.area,
                    s.board,
                    s.x_km,
                    s.y_km,
                    s.pupils,
                    s.training_school,
                    s.own_induction,
                    s.attractiveness_base,
                    s.partner_institute,
                )
            )
        n = len(self.schools)
        self.pupils = np.array([s.pupils_by_type for s in self.schools], dtype=float)
        self.xy = np.array([(s.x_km, s.y_km) for s in self.schools], dtype=float)
        self.training_school = np.array([s.training_school for s in self.schools])
        self.own_induction = np.array([s.own_induction for s in self.schools])
        self.attractiveness_base = np.array([s.attractiveness_base for s in self.schools])
        self.mentor_places = np.where(
            self.training_school, p.mentor_places_training_school, p.mentor_places_other_school
        ).astype(float)
        self.internship_places = np.where(
            self.training_school,
            p.internship_places_per_training_school,
            p.internship_places_other_school,
        ).astype(np.int64)
        self._near: dict[int, tuple[set[int], list[int]]] = {}  # site -> neighbours, on demand
        self.workload = np.zeros(n)
        self.attractiveness = (
            self.attractiveness_base - p.attractiveness_vmbo_weight * self._vmbo_share()
        )
        self.demand = self._demand()

        self.programmes: list[TrainingProgramme] = []
        for i, spec in enumerate(self.scenario_spec.programmes):
            x, y = layout.to_km(spec.lat, spec.lon)
            self.programmes.append(TrainingProgramme(self, i, spec, x, y))
        self.programme_duration = np.array([pr.duration_years for pr in self.programmes])
        self.programme_dropout_rr = np.array([pr.dropout_rr for pr in self.programmes])
        self.programme_degree = np.array([pr.degree for pr in self.programmes])
        institutes = sorted({pr.institute for pr in self.programmes})
        self.institutes = institutes
        self.programme_institute = np.array(
            [institutes.index(pr.institute) for pr in self.programmes]
        )
        self.school_institute = np.array(
            [
                institutes.index(s.partner_institute) if s.partner_institute in institutes else -1
                for s in self.schools
            ]
        )

    def _vmbo_share(self) -> np.ndarray:
        return self.pupils[:, 0] / np.maximum(self.pupils.sum(1), 1e-9)

    def _demand(self) -> np.ndarray:
        """Demand fte (S, G, 2): level 0 first-degree lessons, level 1 second-degree lessons."""
        p = self.p
        pupils = self.pupils.sum(1)
        # per school, as floats for the School agents' yearly reporters
        self.pupils_by_school: list[float] = pupils.tolist()
        total = pupils / p.pupils_per_teacher_fte
        first = (
            self.pupils[:, 1] * p.first_degree_share_havo
            + self.pupils[:, 2] * p.first_degree_share_vwo
        ) / p.pupils_per_teacher_fte
        share = np.asarray(p.subject_demand_share)
        return np.stack([first[:, None] * share, (total - first)[:, None] * share], axis=-1)

    def _contract_fte(self, n: int, rng: np.random.Generator) -> np.ndarray:
        """Contract sizes: a DUO class (at most 0.5, 0.5-0.8, over 0.8 fte), then a size in
        steps of 0.1 fte inside the class, so no draw lands in the class below."""
        shares = np.asarray(self.p.contract_fte_shares)
        band = rng.choice(3, size=n, p=shares / shares.sum())
        step = (rng.random(n) * CONTRACT_STEPS[band, 0]).astype(np.int64)
        return CONTRACT_STEPS[band, 1] + 0.1 * step

    def _build_workforce(self) -> None:
        p = self.p
        rng = self.streams["init"]
        prof = np.asarray(p.initial_shortage_by_subject)
        weight = (self.demand.sum(-1) * prof).sum() / self.demand.sum()
        school_factor = rng.lognormal(
            -0.5 * p.initial_shortage_school_sd**2,
            p.initial_shortage_school_sd,
            size=len(self.schools),
        )
        gap = np.clip(
            p.initial_shortage_rate / max(weight, 1e-9) * prof[None, :] * school_factor[:, None],
            0.0,
            0.9,
        )
        # qualified fte per school, subject and level: first-degree teachers for the upper
        # years, second-degree for the rest; counts rounded stochastically (not Poisson) so the
        # initial shortage follows the observed rate and not sampling noise
        target = self.demand * (1.0 - gap[..., None])
        s_idx, g_idx, l_idx = np.nonzero(target > 0)
        counts = np.floor(
            target[s_idx, g_idx, l_idx] / self.mean_contract_fte + rng.random(s_idx.size)
        ).astype(np.int64)
        degree = np.where(np.repeat(l_idx, counts) == 0, FIRST, SECOND)
        self.workforce = new_workforce_table(int(counts.sum() * 1.6) + 256)
        self._add_initial_teachers(np.repeat(s_idx, counts), np.repeat(g_idx, counts), degree, rng)
        # top up: the fte draws leave some cells short and others over; add teachers where
        # lessons are left uncovered until the region-wide qualified share meets the target
        qualified = cover(self.demand, self._staff(), 0.0, 0.0, stopgaps=False).qualified
        left = np.maximum(target.sum(-1) - qualified, 0.0)
        k = round(max(0.0, target.sum() - qualified.sum()) / self.mean_contract_fte)
        if k and left.sum() > 0:
            cell = rng.choice(left.size, size=k, p=(left / left.sum()).ravel())
            self._add_initial_teachers(cell // N_G, cell % N_G, np.full(k, FIRST), rng)
        n = len(self.workforce)
        # side-entrants already in the route: half a year's applicants per route year, each
        # holding one of the mentor places
        seats = np.repeat(np.arange(len(self.schools)), self.mentor_places.astype(np.int64))
        n_se = min(
            seats.size,
            round(
                p.side_entrant_applicants_per_100_teachers
                * n
                / 100
                * 0.5
                * p.side_entrant_duration_years
            ),
        )
        if n_se:
            se_school = rng.permutation(seats)[:n_se]
            rows = self.workforce.add(
                n_se,
                age=rng.integers(28, 50, n_se),
                experience=0,
                subject=rng.choice(N_G, size=n_se, p=np.asarray(p.subject_demand_share)),
                subject2=-1,
                degree=UNQUALIFIED,
                fte=self._contract_fte(n_se, rng),
                school=se_school,
                school2=-1,
                fte2=0.0,
                induction=self.own_induction[se_school],
                permanent=False,
                route=ROUTE["side_entrant"],
                entry_year=p.start_year,
                training_year=rng.integers(0, p.side_entrant_duration_years, n_se),
                supported=self.own_induction[se_school],
                course_subject=-1,
            )
            SideEntrant.create_rows(self, rows)
        self.silent_reserve = p.silent_reserve_per_teacher * n

    def _add_initial_teachers(self, school, subject, degree, rng) -> None:
        p = self.p
        n = school.size
        band = rng.choice(
            len(AGE_BANDS), size=n, p=np.asarray(p.age_distribution) / sum(p.age_distribution)
        )
        lo = np.array([23, *AGE_BAND_EDGES])[band]
        hi = np.array([*AGE_BAND_EDGES, p.retirement_age])[band]
        age = lo + (rng.random(n) * (hi - lo)).astype(int)
        experience = np.maximum(0, age - 23 - rng.integers(0, 8, n))
        rows = self.workforce.add(
            n,
            age=age,
            experience=experience,
            subject=subject,
            subject2=-1,
            degree=degree,
            fte=self._contract_fte(n, rng),
            school=school,
            school2=-1,
            fte2=0.0,
            induction=(experience <= 3) & self.own_induction[school],
            permanent=rng.random(n) >= p.initial_temporary_share,
            route=ROUTE["initial"],
            entry_year=p.start_year - experience,
            starter=False,
            course_years_left=0,
            course_subject=-1,
        )
        Teacher.create_rows(self, rows)

    def _build_students(self) -> None:
        p = self.p
        rng = self.streams["init"]
        self.students = new_student_table(4096)
        leavers = self._expected_school_leavers()
        enrolments = []
        for prog in self.programmes:
            intake = leavers * prog.school_leaver_share + prog.expected_outside_intake
            alive = intake
            for year in range(1, prog.duration_years + 2):
                k = int(rng.poisson(alive)) if alive > 0 else 0
                if year == prog.duration_years + 1:
                    k = int(rng.poisson(alive * (1 - p.on_time_graduation_share) * 0.8))
                share = np.asarray(p.graduate_subject_share)[prog.subjects]
                subjects = prog.subjects[
                    rng.choice(prog.subjects.size, size=k, p=share / share.sum())
                ]
                enrolments.append((prog.index, subjects, np.zeros(k, bool), year))
                first = p.student_dropout_first_year if year == 1 else p.student_dropout_later_year
                alive *= 1 - first * prog.dropout_rr
        self._enrol(enrolments)
        self._assign_internships(rng)

    def _expected_school_leavers(self) -> float:
        """Expected region school leavers who choose teacher training this year."""
        cohort = self.pupils[:, 1].sum() / 5 + self.pupils[:, 2].sum() / 6
        return cohort * self.p.training_choice_rate * self.mech.training_choice_rr

    def _enrol(self, enrolments: list[tuple[int, np.ndarray, np.ndarray, int]]) -> None:
        """New students, one group per (programme, subjects, from-region flags, study year),
        added in that order as one batch of agents."""
        sizes = [subjects.size for _, subjects, _, _ in enrolments]
        if sum(sizes) == 0:
            return
        rows = self.students.add(
            sum(sizes),
            programme=np.repeat([e[0] for e in enrolments], sizes),
            subject=np.concatenate([e[1] for e in enrolments]),
            year_of_study=np.repeat([e[3] for e in enrolments], sizes),
            internship_school=NO_SCHOOL,
            interned_in_region=False,
            from_region=np.concatenate([e[2] for e in enrolments]),
            helped=False,
        )
        Student.create_rows(self, rows)

    # --------------------------------------------------------------------- step
    def step(self) -> None:
        """Advance one school year in the documented order."""
        self.year += 1
        self.year_counts = Counter()
        self._update_demand()
        self._exits_and_retirements()
        self._training_and_side_entrant_progress()
        self._post_vacancies()
        self._labour_market()
        self._census()
        self._training_intake()
        self._price_levers()
        self.workforce.compact()
        self.students.compact()
        self.datacollector.collect(self)
        self.running = self.year < self.p.start_year + self.p.horizon_years

    # 1 ------------------------------------------------------------------ demand
    def _update_demand(self) -> None:
        p = self.p
        rng = self.streams["demand"]
        factor = 1.0 + p.pupil_trend_per_year + rng.normal(0.0, p.pupil_noise_sd, len(self.schools))
        self.pupils *= np.maximum(factor, 0.0)[:, None]
        self.demand = self._demand()

    # 2 ---------------------------------------------------------- exits, hours
    def _exits_and_retirements(self) -> None:
        wf = self.workforce
        live = wf.live()
        qualified = live[wf.data["degree"][live] != UNQUALIFIED]
        self.stock_by_age_band = np.bincount(
            age_band(wf.data["age"][qualified] + 1), minlength=len(AGE_BANDS)
        )
        leaving = Teacher.age_and_exit(self, self.streams["exits"])
        exits_by_band = np.zeros(len(AGE_BANDS), dtype=np.int64)
        for reason, rows in leaving.items():
            self.year_counts[f"exits_{reason}"] += rows.size
            if reason != "left_region":
                exits_by_band += np.bincount(
                    age_band(wf.data["age"][rows]), minlength=len(AGE_BANDS)
                )
                self._record_starter_exits(rows)
        self.exits_by_age_band = exits_by_band
        self.silent_reserve += leaving["left_education"].size
        self._remove(np.concatenate(list(leaving.values())))
        self.year_counts["hour_changes"] += Teacher.change_hours(self, self.streams["hours"])

    def _record_starter_exits(self, rows: np.ndarray) -> None:
        wf = self.workforce
        starters = rows[wf.data["starter"][rows]]
        for entry, k in zip(
            *np.unique(wf.data["entry_year"][starters], return_counts=True), strict=True
        ):
            record = self.cohorts.get(int(entry))
            if record is not None:
                since = self.year - int(entry)
                if since < record.size:
                    record[since] += k

    def _remove(self, rows: np.ndarray) -> None:
        """Remove the agents in ``rows`` of the workforce table from the model."""
        remove_rows(self, self.workforce, rows)

    # 3 ----------------------------------------------- training and side-entrants
    def _training_and_side_entrant_progress(self) -> None:
        p = self.p
        st = self.students
        out = Student.progress_year(
            self, self.streams["students"], self.mech.slow_finisher_graduation_rr
        )
        self.year_counts["students_dropout"] += out["dropout"].size
        grads = out["graduated"]
        self.year_counts["students_graduated"] += grads.size
        rng = self.streams["students"]
        interned = st.data["interned_in_region"][grads]
        enter = rng.random(grads.size) < np.where(
            interned, p.graduate_entry_interned_in_region, p.graduate_entry_other
        )
        g = grads[enter]
        prog = st.data["programme"][g]
        self.graduate_seekers = {
            "subject": st.data["subject"][g].astype(np.int64),
            "degree": self.programme_degree[prog],
            "parttime": np.array(
                [self.programmes[i].route != "hbo_fulltime" for i in prog], dtype=bool
            ),
        }
        self.year_counts["graduates_seeking"] += g.size
        self._remove_students(np.concatenate([out["dropout"], grads]))

        wf = self.workforce
        se = SideEntrant.progress(self, self.streams["side_entrants"])
        self.year_counts["side_entrant_dropouts"] += se["dropout"].size
        self.year_counts["side_entrant_completions"] += se["completed"].size
        self._remove(se["dropout"])
        done = se["completed"]
        wf.data["degree"][done] = SECOND
        wf.data["experience"][done] = wf.data["training_year"][done]
        # a side-entrant who qualifies becomes a new Teacher agent on the same row
        remove_rows(self, wf, done, kill=False)
        Teacher.create_rows(self, done)
        self._dual_qualification()

    def _remove_students(self, rows: np.ndarray) -> None:
        remove_rows(self, self.students, rows)

    def _dual_qualification(self) -> None:
        """Courses progress; new teachers start a course in the largest regional shortage."""
        wf = self.workforce
        live = wf.live()
        on = live[wf.data["course_years_left"][live] > 0]
        wf.data["course_years_left"][on] -= 1
        done = on[wf.data["course_years_left"][on] == 0]
        wf.data["subject2"][done] = wf.data["course_subject"][done]
        self.year_counts["dual_qualified"] += done.size
        rate = self.mech.dual_qualification_rate
        if rate > 0:
            rng = self.streams["dual"]
            short = (self.staffing.vacancy + self.staffing.unqualified).sum(0)
            target = int(np.argmax(short))
            cand = live[
                (wf.data["degree"][live] != UNQUALIFIED)
                & (wf.data["subject2"][live] < 0)
                & (wf.data["course_years_left"][live] == 0)
                & (wf.data["subject"][live] != target)
                & (wf.data["age"][live] < self.p.dual_qualification_max_age)
            ]
            start = cand[rng.random(cand.size) < rate]
            wf.data["course_years_left"][start] = self.p.dual_qualification_years
            wf.data["course_subject"][start] = target
            self.year_counts["dual_courses_started"] += start.size
        self.year_counts["on_dual_course"] = int(
            (wf.data["course_years_left"][wf.live()] > 0).sum()
        )

    # 4 --------------------------------------------------------------- vacancies
    def _staff(self) -> np.ndarray:
        """Staff fte per school, subject and degree, net of course and travel time."""
        wf, p = self.workforce, self.p
        # every row of the table, the rows of agents no longer alive with no fte: cheaper than
        # gathering the living rows, and the same sums
        n, alive, col = wf.n, wf.live_mask(), wf.data
        fte = col["fte"][:n] - p.dual_qualification_study_fte * (col["course_years_left"][:n] > 0)
        rows = np.flatnonzero((col["school2"][:n] >= 0) & alive)
        paid = col["fte2"][rows]
        part = np.maximum(0.0, paid - p.shared_appointment_travel_fte)  # travel time lost
        total = np.maximum(fte[rows] - (paid - part), 0.0)
        fte = np.maximum(fte * alive, 0.0)
        fte[rows] = total - part
        return staff_fte(
            self.demand,
            col["school"][:n],
            fte,
            col["subject"][:n],
            col["subject2"][:n],
            col["degree"][:n],
            shared=(rows, col["school2"][rows], part),
        )

    def _pre_market(self) -> Staffing:
        return cover(
            self.demand,
            self._staff(),
            self.mech.unqualified_cap_share,
            self.p.stopgap_fill_share,
            stopgaps=False,
        )

    def _post_vacancies(self) -> None:
        wf = self.workforce
        wf.data["school2"][: wf.n] = -1
        wf.data["fte2"][: wf.n] = 0.0
        pre = self._pre_market()
        if self.mech.shared_appointments:
            self._shared_appointments(pre)
            pre = self._pre_market()
        self.pre_market = pre
        self.year_counts["vacancies_posted_fte"] = float(pre.open_by_level.sum())

    def _shared_appointments(self, pre: Staffing) -> None:
        """Move surplus hours to the neighbouring school with the largest gap in the subject."""
        wf = self.workforce
        live = wf.live()
        openg = pre.open_by_level.sum(-1)
        rows = live[wf.data["degree"][live] != UNQUALIFIED]
        rows = rows[wf.data["subject2"][rows] < 0]
        key = wf.data["school"][rows].astype(np.int64) * N_G + wf.data["subject"][rows]
        # by school and subject, largest contract first (two stable sorts: faster than lexsort)
        order = np.argsort(-wf.data["fte"][rows], kind="stable")
        order = order[np.argsort(key[order], kind="stable")]
        rows, key = rows[order], key[order]
        first = np.concatenate([[True], key[1:] != key[:-1]])
        lead = dict(zip(key[first].tolist(), rows[first].tolist(), strict=True))
        half_fte = dict(
            zip(rows[first].tolist(), (wf.data["fte"][rows[first]] / 2).tolist(), strict=True)
        )
        s_idx, g_idx = np.nonzero(pre.surplus >= 0.2)
        amounts = pre.surplus[s_idx, g_idx]
        order = np.argsort(-amounts, kind="stable")
        # one pass over the surplus cells, largest first; each finds its neighbour with the
        # largest gap through a ranking of the gaps (linear in the region's size, not quadratic)
        gaps = openg.T.tolist()
        rankings: dict[int, _GapRanking] = {}
        shared_rows, shared_to, shared_fte = [], [], []
        for s, g, surplus in zip(
            s_idx[order].tolist(), g_idx[order].tolist(), amounts[order].tolist(), strict=True
        ):
            row = lead.get(s * N_G + g)
            if row is None:
                continue
            ranking = rankings.get(g) or rankings.setdefault(g, _GapRanking(gaps[g]))
            t = ranking.best_near(*self._neighbours_of(s))
            if t < 0:
                continue
            amount = round(min(surplus, gaps[g][t], half_fte[row]), 1)
            if amount < 0.1:
                continue
            shared_rows.append(row)
            shared_to.append(t)
            shared_fte.append(amount)
            ranking.take(t, amount)
        wf.data["school2"][shared_rows] = shared_to
        wf.data["fte2"][shared_rows] = shared_fte
        self.year_counts["shared_appointments"] = len(shared_rows)

    @cached_property
    def _neighbour_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Sites within ``shared_appointment_max_km`` of each other, as (start, neighbours):
        site s's neighbours are ``neighbours[start[s]:start[s + 1]]``, ascending. Found when
        shared appointments are first made, not for every run."""
        return _neighbours(self.xy, self.p.shared_appointment_max_km)

    def _neighbours_of(self, site: int) -> tuple[set[int], list[int]]:
        """The sites near ``site``, as a set and as an ascending list."""
        near = self._near.get(site)
        if near is None:
            start, neighbours = self._neighbour_pairs
            listed = neighbours[start[site] : start[site + 1]].tolist()
            near = self._near[site] = (set(listed), listed)
        return near

    # 5 ----------------------------------------------------------- labour market
    def _labour_market(self) -> None:
        self._movers()
        self._new_seekers()
        self._side_entrants()

    def _vacancies(self) -> Vacancies:
        return Vacancies.from_open(self.pre_market.open_by_level, self.demand)

    def _movers(self) -> None:
        """Teachers looking for another school: poaching, or release under no-poaching."""
        p = self.p
        wf = self.workforce
        rng = self.streams["movers"]
        live = wf.live()
        rows = live[wf.data["degree"][live] != UNQUALIFIED]
        search = rows[rng.random(rows.size) < p.mover_search_rate]
        self.released_movers = np.empty(0, dtype=np.int64)
        if search.size == 0:
            return
        school = wf.data["school"][search]
        if not self.mech.poaching:
            surplus = self.pre_market.surplus[school, wf.data["subject"][search]]
            self.released_movers = search[surplus >= 0.5 * wf.data["fte"][search]]
            return
        seekers = Seekers(
            subject=wf.data["subject"][search].astype(np.int64),
            subject2=wf.data["subject2"][search].astype(np.int64),
            degree=wf.data["degree"][search].astype(np.int64),
            fte=wf.data["fte"][search],
            min_attractiveness=self.attractiveness[school] + p.mover_attractiveness_margin,
        )
        vac = self._vacancies()
        placed = self._poaching_search(seekers, vac, rng)
        moved = placed >= 0
        self._move(search[moved], vac.school[placed[moved]])

    def _poaching_search(
        self, seekers: Seekers, vac: Vacancies, rng: np.random.Generator
    ) -> np.ndarray:
        return SchoolRecruitment(self.p.applications_per_seeker).place(
            seekers, vac, self.attractiveness, rng
        )

    def _move(self, rows: np.ndarray, to: np.ndarray, refresh: bool = True) -> None:
        """Teachers in ``rows`` change school; ``refresh`` recounts the open vacancies."""
        wf = self.workforce
        wf.data["school"][rows] = to
        wf.data["school2"][rows] = -1
        wf.data["fte2"][rows] = 0.0
        self.year_counts["hires_mover"] += rows.size
        if rows.size and refresh:
            self.pre_market = self._pre_market()

    def _new_seekers(self) -> None:
        """Graduates, returners, teachers from other regions and released teachers."""
        p = self.p
        rng = self.streams["seekers"]
        wf = self.workforce
        n_teachers = len(wf)
        tight = p.outside_labour_market_tightness
        n_ret = int(
            min(rng.poisson(self.silent_reserve * p.returner_rate / tight), self.silent_reserve)
        )
        n_in = int(rng.poisson(n_teachers / 100 * p.inmigrant_seekers_per_100_teachers))
        share = np.asarray(p.subject_demand_share)
        gs = self.graduate_seekers
        n_grad = gs["subject"].size
        rel = self.released_movers
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
        fte = np.concatenate([self._contract_fte(n_grad + n_ret + n_in, rng), wf.data["fte"][rel]])
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
        seekers = Seekers(subject, subject2, degree, fte, np.full(subject.size, -np.inf))
        vac = self._vacancies()
        placed = self.mech.matching.place(seekers, vac, self.attractiveness, self.streams["market"])
        ok = placed >= 0
        school = vac.school[np.maximum(placed, 0)]
        is_rel = source == -1
        self._move(rel[ok[is_rel]], school[is_rel & ok], refresh=False)
        new = ok & ~is_rel
        self.silent_reserve -= int((new & (source == ROUTE["returner"])).sum())
        self.year_counts["seekers"] += subject.size
        self.year_counts["seekers_unplaced"] += int((~ok).sum())
        self._hire(
            source[new],
            subject[new],
            degree[new],
            fte[new],
            school[new],
            gs["parttime"][new[:n_grad]] if n_grad else np.zeros(0, bool),
            rng,
        )
        if ok.any():  # the side-entrants' market sees the vacancies these hires filled
            self.pre_market = self._pre_market()

    def _hire(self, source, subject, degree, fte, school, grad_parttime, rng) -> None:
        p = self.p
        n = source.size
        if n == 0:
            return
        is_grad = source == ROUTE["graduate"]
        age = np.where(
            source == ROUTE["returner"],
            rng.integers(32, 58, n),
            np.where(
                source == ROUTE["inmigrant"], rng.integers(26, 55, n), rng.integers(22, 27, n)
            ),
        )
        if is_grad.any():
            pt = np.zeros(n, bool)
            pt[is_grad] = grad_parttime
            age = np.where(pt, rng.integers(27, 50, n), age)
        experience = np.where(is_grad, 0, np.maximum(1, (age - 25) // 2))
        induction = is_grad & (self.own_induction[school] | self.mech.induction_for_all)
        self.year_counts["inducted_by_region"] += int(
            (induction & ~self.own_induction[school]).sum()
        )
        rows = self.workforce.add(
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
            entry_year=self.year,
            starter=is_grad,
            course_subject=-1,
        )
        Teacher.create_rows(self, rows)
        for name in ("graduate", "returner", "inmigrant"):
            self.year_counts[f"hires_{name}"] += int((source == ROUTE[name]).sum())
        n_start = int(is_grad.sum())
        if n_start:
            record = np.zeros(12, dtype=np.int64)
            record[0] = n_start
            self.cohorts[self.year] = record

    def _side_entrants(self) -> None:
        """Career changers placed where mentor places allow; the joint programme shares places."""
        p = self.p
        rng = self.streams["side_entrant_market"]
        n_teachers = len(self.workforce)
        n = int(
            rng.poisson(
                p.side_entrant_applicants_per_100_teachers
                * n_teachers
                / 100
                / p.outside_labour_market_tightness
            )
        )
        self.year_counts["side_entrant_applicants"] += n
        if n == 0:
            return
        subject = rng.choice(N_G, size=n, p=np.asarray(p.subject_demand_share)).astype(np.int64)
        fte = self._contract_fte(n, rng)
        seekers = Seekers(subject, np.full(n, -1), np.zeros(n, np.int64), fte, np.full(n, -np.inf))
        vac = self._vacancies()
        # mentor places still free after the side-entrants already in the route
        wf = self.workforce
        live = wf.live()
        in_route = live[wf.data["degree"][live] == UNQUALIFIED]
        current = np.bincount(wf.data["school"][in_route], minlength=len(self.schools))
        if self.mech.joint_side_entrant_programme:
            places = (
                self.mentor_places.sum()
                + self.mech.side_entrant_extra_places * len(self.schools) / 10
            )
            vac = vac.restrict(vac.level == 1)
            placed = self.mech.matching.place(seekers, vac, self.attractiveness, rng)
            ok = np.flatnonzero(placed >= 0)[: max(0, int(places - current.sum()))]
        else:
            free = np.maximum(0, self.mentor_places - current)
            vac = vac.restrict((vac.level == 1) & (free[vac.school] > 0))
            placed = self.mech.matching.place(seekers, vac, self.attractiveness, rng)
            ok = np.flatnonzero(placed >= 0)
            host = vac.school[placed[ok]]
            ok = ok[_rank_within(host) < free[host]]
        school = vac.school[placed[ok]]
        supported = self.mech.joint_side_entrant_programme | self.own_induction[school]
        induction = self.mech.induction_for_all | self.own_induction[school]
        rows = self.workforce.add(
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
            entry_year=self.year,
            training_year=0,
            supported=supported,
            course_subject=-1,
        )
        SideEntrant.create_rows(self, rows)
        self.year_counts["hires_side_entrant"] += ok.size
        self.year_counts["inducted_by_region"] += int(
            (induction & ~self.own_induction[school]).sum()
        )
        wf = self.workforce
        live = wf.live()
        self.year_counts["side_entrants_in_programme"] = (
            int((wf.data["degree"][live] == UNQUALIFIED).sum())
            if self.mech.joint_side_entrant_programme
            else 0
        )

    # 6 ------------------------------------------------------------ stop-gaps
    def _census(self) -> None:
        """Cover demand, apply stop-gaps, and update workload and attractiveness."""
        p = self.p
        self.census_cache: dict[str, Any] = {}  # figures reporters derive once per census
        self.staffing = cover(
            self.demand,
            self._staff(),
            self.mech.unqualified_cap_share,
            p.stopgap_fill_share,
            stopgaps=True,
        )
        demand = np.maximum(self.staffing.demand.sum(axis=(1, 2)), 1e-9)
        pressure = (
            self.staffing.vacancy.sum(1)
            + p.hidden_workload_weight * self.staffing.unqualified.sum(1)
        ) / demand
        self.workload = pressure if p.feedbacks else np.zeros_like(pressure)
        self.attractiveness = (
            self.attractiveness_base
            - p.attractiveness_vmbo_weight * self._vmbo_share()
            - p.attractiveness_workload_weight * self.workload
        )

    # 7 ---------------------------------------------------------- training intake
    def _training_intake(self) -> None:
        rng = self.streams["intake"]
        # outside intake first, so levers that change the school leavers (outreach) leave
        # these draws as they are (common random numbers)
        outside = [int(rng.poisson(pr.expected_outside_intake)) for pr in self.programmes]
        leavers = rng.poisson(self._expected_school_leavers())
        shares = np.array([pr.school_leaver_share for pr in self.programmes] + [0.0])
        shares[-1] = max(0.0, 1.0 - shares[:-1].sum())
        split = rng.multinomial(leavers, shares / shares.sum())
        enrolments = []
        for prog, k, k_out in zip(self.programmes, split[:-1], outside, strict=True):
            subjects, from_region = prog.intake(int(k), k_out, rng)
            enrolments.append((prog.index, subjects, from_region, 1))
            self.year_counts["students_intake"] += subjects.size
        self._enrol(enrolments)
        self._assign_internships(self.streams["internships"])
        st = self.students
        live = st.live()
        slow = st.data["year_of_study"][live] > self.programme_duration[st.data["programme"][live]]
        helped = self.mech.slow_finisher_graduation_rr > 1.0
        st.data["helped"][live] = slow & helped
        self.year_counts["slow_finishers"] = int(slow.sum())
        self.year_counts["slow_finishers_helped"] = int(slow.sum()) if helped else 0

    def _assign_internships(self, rng: np.random.Generator) -> None:
        """Final-year students without an internship get a place: at schools tied to their
        institute, or (internship pool) at any school of the region; else outside the region."""
        st = self.students
        live = st.live()
        need = live[
            (st.data["internship_school"][live] == NO_SCHOOL)
            & (
                st.data["year_of_study"][live]
                >= self.programme_duration[st.data["programme"][live]]
            )
        ]
        if need.size == 0:
            return
        need = rng.permutation(need)
        slots = np.repeat(np.arange(len(self.schools)), self.internship_places)
        slots = rng.permutation(slots)
        assigned = np.full(need.size, INTERNSHIP_OUTSIDE, dtype=np.int64)
        if self.mech.internship_pool:
            k = min(need.size, slots.size)
            assigned[:k] = slots[:k]
        else:
            inst_of_student = self.programme_institute[st.data["programme"][need]]
            inst_of_slot = self.school_institute[slots]
            for i in range(len(self.institutes)):
                who = np.flatnonzero(inst_of_student == i)
                where = slots[inst_of_slot == i]
                k = min(who.size, where.size)
                assigned[who[:k]] = where[:k]
        st.data["internship_school"][need] = assigned
        st.data["interned_in_region"][need] = assigned >= 0
        self.year_counts["internships_in_region"] += int((assigned >= 0).sum())
        self.year_counts["internships_outside"] += int((assigned < 0).sum())

    # 8 ------------------------------------------------------------ lever costs
    def _price_levers(self) -> None:
        self.lever_costs = {lv.name: lv.yearly_cost(self) for lv in self.policy.levers}

    # --------------------------------------------------------------- outputs
    def school_frame(self) -> pd.DataFrame:
        """Per-school state at the last census (for maps and end-state tables)."""
        st = self.staffing
        demand = st.demand.sum(axis=(1, 2))
        wf = self.workforce
        live = wf.live()
        teachers = np.bincount(wf.data["school"][live], minlength=len(self.schools))
        return pd.DataFrame(
            {
                "school": [s.name for s in self.schools],
                "municipality": [s.municipality for s in self.schools],
                "board": [s.board for s in self.schools],
                "x_km": self.xy[:, 0],
                "y_km": self.xy[:, 1],
                "pupils": self.pupils.sum(1),
                "vmbo_share": self._vmbo_share(),
                "training_school": self.training_school,
                "teachers": teachers,
                "demand_fte": demand,
                "qualified_fte": st.qualified.sum(1),
                "unqualified_fte": st.unqualified.sum(1),
                "vacancy_fte": st.vacancy.sum(1),
                "shortage_rate": (st.vacancy.sum(1) + st.unqualified.sum(1))
                / np.maximum(demand, 1e-9),
                "attractiveness": self.attractiveness,
            }
        )

    def series(self) -> pd.DataFrame:
        """The yearly model series collected so far, indexed by year."""
        return self.datacollector.get_model_vars_dataframe().set_index("year")

    @property
    def lever_names(self) -> tuple[str, ...]:
        """Names of every lever (active or not), for cost columns."""
        return tuple(LEVERS)


def _rank_within(groups: np.ndarray) -> np.ndarray:
    """Position of each element among the earlier elements of its group (0, 1, 2, ...)."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    counts = np.diff(np.r_[starts, sorted_groups.size])
    rank_sorted = np.arange(sorted_groups.size) - np.repeat(starts, counts)
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    return rank


def _neighbours(xy: np.ndarray, max_km: float) -> tuple[np.ndarray, np.ndarray]:
    """For each site, the other sites within ``max_km`` (ascending), without an S x S matrix:
    (start, neighbours) with site s's neighbours at ``neighbours[start[s]:start[s + 1]]``.

    A k-d tree proposes the pairs (with a hair of slack); the distance test itself is the
    exact ``sqrt(dx**2 + dy**2) <= max_km``.
    """
    pairs = cKDTree(xy).query_pairs(max_km * (1 + 1e-9) + 1e-12, output_type="ndarray")
    pairs = pairs.reshape(-1, 2).astype(np.int64)
    dist = np.sqrt(((xy[pairs[:, 0]] - xy[pairs[:, 1]]) ** 2).sum(-1))
    pairs = pairs[dist <= max_km]
    both = np.concatenate([pairs, pairs[:, ::-1]])
    both = both[np.lexsort((both[:, 1], both[:, 0]))]
    start = np.concatenate([[0], np.cumsum(np.bincount(both[:, 0], minlength=len(xy)))])
    return start, both[:, 1]


class _GapRanking:
    """The schools' open fte in one subject group, ranked largest first (ties: lowest index),
    to find a site's neighbour with the largest gap (over 0.1 fte) without scanning them all."""

    def __init__(self, gaps: list[float]) -> None:
        self.gaps = gaps
        self.ranked = sorted((-gap, j) for j, gap in enumerate(gaps) if gap > 0.1)

    def best_near(self, near: set[int], near_list: list[int]) -> int:
        """The neighbour with the largest gap, or -1 when no neighbour has one."""
        for i, (_, j) in enumerate(self.ranked):
            if j in near:
                return j
            if i >= len(near_list):
                break  # far-away gaps lead the ranking: scanning the neighbours is cheaper
        else:
            return -1
        t, best = -1, 0.0
        for j in near_list:  # ascending, so ties go to the lowest index
            gap = self.gaps[j]
            if gap > 0.1 and (t < 0 or gap > best):
                t, best = j, gap
        return t

    def take(self, j: int, amount: float) -> None:
        """Lower school ``j``'s gap by ``amount``."""
        old = self.gaps[j]
        del self.ranked[bisect.bisect_left(self.ranked, (-old, j))]
        self.gaps[j] = old - amount
        if self.gaps[j] > 0.1:
            bisect.insort(self.ranked, (-self.gaps[j], j))


def _seed_int(rng: Any) -> int:
    """A non-negative integer seed from an int, a numpy Generator or SeedSequence, or None."""
    if rng is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0] >> 1)
    if isinstance(rng, bool) or not isinstance(
        rng, int | np.integer | np.random.Generator | np.random.SeedSequence
    ):
        raise ParameterError(
            f"parameter 'rng': value {rng!r} is not allowed; allowed: a "
            "non-negative whole number, a numpy Generator or SeedSequence, or None"
        )
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(0, 2**62))
    if isinstance(rng, np.random.SeedSequence):
        return int(rng.generate_state(1, np.uint64)[0] >> 1)
    if rng < 0:
        raise ParameterError(
            f"parameter 'rng': value {rng!r} is not allowed; allowed: a non-negative whole number"
        )
    return int(rng)
