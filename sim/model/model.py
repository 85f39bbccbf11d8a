"""RegionModel: the teacher labour market of one educational region, one school year a step.

Yearly step order (census date 1 October; the initial state is the census of ``start_year``):

1. **Demand** — pupil numbers follow the scenario's projection by school type (vmbo, havo,
   vwo; a city path for the G4 municipalities and a path for the rest), times an optional extra
   trend and noise per school; demand in fte (employment plus shortage) per school, subject
   group and level follows.
2. **Exits and retirements** — teachers age; each may retire, leave education (to the silent
   reserve) or move to another region, by age, experience, induction, contract and the
   school's workload; everyone reaching the pension age of the year retires; the silent
   reserve ages a year and loses those reaching the pension age; some change their hours.
3. **Training and side-entrant progress** — students drop out, graduate (on time or slow) or
   move up a year; graduates decide whether to seek a teaching job in the region;
   side-entrants drop out or qualify; teachers on a second-subject course progress and new
   courses start.
4. **Vacancies** — schools compare staff with demand; each board moves surplus staff between
   its own sites (before it hires); shared appointments move surplus hours to sites of other
   boards; the rest of the gap is posted as vacancies.
5. **Labour market** — a hiring season of rounds: teachers looking for another school move
   (poaching, or release under a no-poaching agreement); graduates, returners from the silent
   reserve, teachers from other regions and released teachers apply to boards (or the regional
   pool) and are placed where their contract fits; career changers are then placed as
   side-entrants in the vacancies still open, where mentor places allow.
6. **Stop-gaps** — what stays open is covered in part by staff without the required
   qualification, up to a cap per school (hidden shortage); the rest stays open (open
   shortage). Workload and attractiveness of each school follow.
7. **Training intake** — school leavers from the exam cohorts (raised by outreach) and
   outside intake start teacher training, both following the falling trend of training
   intake; final-year students get internship places.
8. **Data collection** — reporters record the year.

Every random draw comes from a named stream derived from the run's seed, one stream per
mechanism, so switching a lever on does not reshuffle the draws of unrelated mechanisms.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import mesa
import numpy as np
import pandas as pd

from sim.model import preferences, reporters
from sim.model.agents import (
    AGE_BAND_EDGES,
    FIRST,
    NO_SCHOOL,
    ROUTE,
    SECOND,
    UNQUALIFIED,
    School,
    SideEntrant,
    Student,
    Teacher,
    TrainingProgramme,
    initial_ages,
    initial_experience,
    new_student_table,
    new_workforce_table,
)
from sim.model.history import History
from sim.model.homes import Municipalities, settle
from sim.model.matching import Vacancies
from sim.model.parameters import AGE_BANDS, SUBJECT_GROUPS, ParameterError, Parameters
from sim.model.policies import LEVERS, LeverCost, Policy
from sim.model.region import Layout, build_layout
from sim.model.reserve import MIN_AGE, SilentReserve, pension_age
from sim.model.scenarios import Scenario, load_scenario
from sim.model.staffing import Staffing, cover, staff_fte
from sim.model.stages import demand, exits, intake, market, pipeline, stopgaps, vacancies
from sim.model.stages import demand as demand_stage
from sim.model.stages import intake as intake_stage
from sim.model.stages import stopgaps as stopgaps_stage
from sim.model.table import UID, TableModel, remove_rows

STAGES = (demand, exits, pipeline, vacancies, market, stopgaps, intake)
"""The yearly stages in their order: each module's ``run(model)`` is one stage."""

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
    "reserve",
    "identity",
    "homes",
    "responses",
    "preferences",
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
        **overrides: Any parameter of :class:`sim.model.parameters.Parameters`.
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
        if scen.parameter_paths:  # observed paths by year: the values of the first census
            params = scen.parameters_at(params.start_year, **overrides)
        pol = Policy.parse(policy)
        seed = _seed_int(rng)
        super().__init__(rng=seed)
        self.seed = seed
        self.scenario_spec = scen
        self.p: Parameters = params
        self._overrides = dict(overrides)  # the caller's values win over parameter paths
        # intakes in the scenario file are sized for the scenario's own region
        self.size_factor = params.pupils_total / scen.parameters().pupils_total
        self.policy = pol
        shares = np.asarray(params.contract_fte_shares)
        class_mean = CONTRACT_STEPS[:, 1] + 0.05 * (CONTRACT_STEPS[:, 0] - 1)
        self.mean_contract_fte = float(shares @ class_mean / shares.sum())
        self.mech = pol.mechanisms(params)
        self.streams = {
            name: np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(i,)))
            for i, name in enumerate(STREAMS)
        }
        self.year = params.start_year
        self.year_counts: Counter = Counter()
        self.cohorts: dict[int, np.ndarray] = {}  # entry year -> [entered, left after 1..]
        # side-entrants placed by the market: entry year -> [entered, moved to another region,
        # still working in the region 5 years on (-1 until then)]
        self.side_entrant_cohorts: dict[int, list[int]] = {}
        self.reserve = SilentReserve()
        self.outmigrant_ages = np.empty(0, dtype=np.int64)
        self.graduate_seekers: dict[str, np.ndarray] = {}
        # job preferences of people in the silent reserve, by id (see preferences.remember)
        self.reserve_tastes: dict[int, list[float]] = {}
        self.lever_costs: dict[str, LeverCost] = {}
        self.history = History()  # per-person events, by unique_id
        self.shortage_path: dict[int, float] = {}  # year -> the region's shortage rate

        self._build_region(build_layout(scen, params))
        self.municipalities = Municipalities(self)
        self._build_workforce()
        self._build_students()
        stopgaps_stage.run(self)
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
        self.own_induction = np.array([s.own_induction for s in self.schools])  # the board's
        self.board = np.array([s.board for s in self.schools], dtype=np.int64)
        self.attractiveness_base = np.array([s.attractiveness_base for s in self.schools])
        self.mentor_places = np.where(
            self.training_school, p.mentor_places_training_school, p.mentor_places_other_school
        ).astype(float)
        self.internship_places = np.where(
            self.training_school,
            p.internship_places_per_training_school,
            p.internship_places_other_school,
        ).astype(np.int64)
        self.neighbour_cache: dict[int, tuple[set[int], list[int]]] = {}  # site -> neighbours
        self.other_boards_cache: dict[
            int, tuple[set[int], list[int]]
        ] = {}  # site -> near, other boards
        self.neighbour_pairs: tuple[np.ndarray, np.ndarray] | None = None  # found on demand
        self.workload = np.zeros(n)
        self.attractiveness = (
            self.attractiveness_base - p.attractiveness_vmbo_weight * demand_stage.vmbo_share(self)
        )
        self.city_site = demand_stage.city_sites(self)  # fixed: sites never change municipality
        self.demand = demand_stage.demand_fte(self)

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

    def draw_contract_fte(self, n: int, rng: np.random.Generator) -> np.ndarray:
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
        # by level: second-degree lessons are shorter than the rest (Oct 2023); the upper-year
        # rate is what keeps the total at the observed rate
        share2 = self.demand[..., 1].sum() / max(self.demand.sum(), 1e-9)
        ratio2 = p.initial_second_degree_shortage_ratio
        ratio1 = max(0.0, (1.0 - share2 * ratio2) / max(1.0 - share2, 1e-9))
        target = self.demand * (1.0 - np.clip(gap[..., None] * [ratio1, ratio2], 0.0, 0.95))
        self.workforce = new_workforce_table(
            int(self.demand.sum() / self.mean_contract_fte * 1.6) + 256
        )
        # first-degree teachers for the upper years, then second-degree teachers for the lower
        # years and vmbo that the first-degree teachers' spare hours leave: counts rounded
        # stochastically (not Poisson) so the initial shortage follows the observed rates, not
        # sampling noise; then each level topped up where its lessons are left uncovered
        self._initial_level(target, FIRST, np.zeros_like(target[..., 0]), rng)
        staff = self.staff()
        spill = np.maximum(staff[..., FIRST] - self.demand[..., 0], 0.0)
        self._initial_level(target, SECOND, spill, rng)
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
                fte=self.draw_contract_fte(n_se, rng),
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
        live = self.workforce.live()
        col = self.workforce.data
        # the initial staff live near their schools
        settle(self, "workforce", live, near=self.xy[col["school"][live]])
        preferences.assign(self, "workforce", live)
        self.history.record(
            "present", p.start_year, col[UID][live], col["school"][live], col["route"][live]
        )
        self._build_reserve(n)

    def _build_reserve(self, n_teachers: int) -> None:
        """The initial silent reserve: ``silent_reserve_per_teacher`` x teachers people, with the
        age and years-out structure a steady flow of leavers builds (leaving ages weighted by the
        initial staff's own exit hazards under 60, see :meth:`SilentReserve.steady_state`)."""
        p = self.p
        wf = self.workforce
        rows = wf.live()
        rows = rows[wf.data["degree"][rows] != UNQUALIFIED]
        age = wf.data["age"][rows].astype(np.int64)
        hazard = Teacher.exit_hazard(self, rows) * (age < AGE_BAND_EDGES[-1])
        leaver_ages = np.bincount(age - MIN_AGE, weights=hazard, minlength=1)
        self.reserve = SilentReserve.steady_state(
            round(p.silent_reserve_per_teacher * n_teachers),
            leaver_ages,
            p,
            p.start_year,
            self.streams["reserve"],
        )

    @property
    def silent_reserve(self) -> int:
        """People in the silent reserve."""
        return self.reserve.size

    def _initial_level(
        self, target: np.ndarray, degree: int, covered: np.ndarray, rng: np.random.Generator
    ) -> None:
        """Initial teachers of one degree for their level's target (S, G) less what is already
        ``covered`` there, then a top-up where the level is still short region-wide."""
        level = 0 if degree == FIRST else 1
        need = np.maximum(target[..., level] - covered, 0.0)
        s_idx, g_idx = np.nonzero(need > 0)
        counts = np.floor(need[s_idx, g_idx] / self.mean_contract_fte + rng.random(s_idx.size))
        counts = counts.astype(np.int64)
        k = int(counts.sum())
        self._add_initial_teachers(
            np.repeat(s_idx, counts), np.repeat(g_idx, counts), np.full(k, degree), rng
        )
        # the contract draws leave some cells short and others over; add teachers where the
        # level's lessons are left uncovered until its region-wide qualified fte meets the target
        # (a few rounds: part of a new teacher's hours may fall where that level is covered)
        for _ in range(8):
            qualified = cover(self.demand, self.staff(), 0.0, 0.0, stopgaps=False)
            by_level = (self.demand - qualified.open_by_level)[..., level]
            left = np.maximum(target[..., level] - by_level, 0.0)
            k = round(max(0.0, target[..., level].sum() - by_level.sum()) / self.mean_contract_fte)
            if k == 0 or left.sum() <= 0:
                break
            cell = rng.choice(left.size, size=k, p=(left / left.sum()).ravel())
            self._add_initial_teachers(cell // N_G, cell % N_G, np.full(k, degree), rng)

    def _add_initial_teachers(self, school, subject, degree, rng) -> None:
        p = self.p
        n = school.size
        band = rng.choice(
            len(AGE_BANDS), size=n, p=np.asarray(p.age_distribution) / sum(p.age_distribution)
        )
        age = initial_ages(band, math.floor(pension_age(p, p.start_year)), p, rng)
        experience = initial_experience(age, p, rng)
        rows = self.workforce.add(
            n,
            age=age,
            experience=experience,
            subject=subject,
            subject2=-1,
            degree=degree,
            fte=self.draw_contract_fte(n, rng),
            school=school,
            school2=-1,
            fte2=0.0,
            induction=(experience <= 3) & self.own_induction[school],
            permanent=rng.random(n) >= p.initial_temporary_share,
            route=ROUTE["initial"],
            entry_year=p.start_year - experience,
            starter=experience < len(p.starter_exit_hazard),
            course_years_left=0,
            course_subject=-1,
        )
        Teacher.create_rows(self, rows)

    def _build_students(self) -> None:
        p = self.p
        rng = self.streams["init"]
        self.students = new_student_table(4096)
        leavers = self.expected_school_leavers()
        enrolments = []
        for prog in self.programmes:
            intake = leavers * prog.school_leaver_share + prog.expected_outside_intake
            # the share of the region's own school leavers among them (their homes are drawn
            # by population, the others' near the institute), from the homes stream
            inside = leavers * prog.school_leaver_share / intake if intake > 0 else 0.0
            alive = intake
            share = np.asarray(p.graduate_subject_share)[prog.subjects]
            # subjects nobody is said to choose (shares all 0) still fill it, alike
            total = share.sum()
            share = share / total if total > 0 else np.full(share.size, 1 / share.size)
            # nominal years, then the slow finishers past the nominal duration: each year a
            # share of them graduates or drops out, the rest stay (as Student.progress_year), so
            # the build holds the steady tail rather than one year of it
            stay = (1 - p.slow_finisher_dropout_rate) * (1 - p.slow_finisher_graduation_rate)
            year, expected = 1, alive
            while expected >= 0.05 and year <= prog.duration_years + 10:
                # the cohort in study year `year` entered year - 1 years before the start, when
                # the intake was what the trend before the start makes it (1 when level)
                earlier = (1.0 + p.training_intake_trend_before_start) ** (1 - year)
                expected = alive * earlier
                k = int(rng.poisson(expected)) if expected > 0 else 0
                subjects = prog.subjects[rng.choice(prog.subjects.size, size=k, p=share)]
                from_region = self.streams["homes"].random(k) < inside
                enrolments.append((prog.index, subjects, from_region, year))
                first = p.student_dropout_first_year if year == 1 else p.student_dropout_later_year
                if year < prog.duration_years:
                    alive *= 1 - first * prog.dropout_rr
                elif year == prog.duration_years:  # on-time graduates leave the pipeline
                    alive *= (1 - first * prog.dropout_rr) * (1 - p.on_time_graduation_share)
                else:
                    alive *= stay
                year += 1
        self.enrol(enrolments)
        intake_stage.assign_internships(self, rng)

    def expected_school_leavers(self) -> float:
        """Expected region school leavers who choose teacher training this year."""
        cohort = self.pupils[:, 1].sum() / 5 + self.pupils[:, 2].sum() / 6
        return (
            cohort
            * self.p.training_choice_rate
            * self.training_intake_factor
            * self.mech.training_choice_rr
        )

    @property
    def training_intake_factor(self) -> float:
        """The trend of teacher-training intake since the start year (1.0 in the start year),
        held after ``training_intake_trend_last_year``, times the programmes' response to the
        labour market (:meth:`intake_market_factor`)."""
        p = self.p
        years = max(0, min(self.year, p.training_intake_trend_last_year) - p.start_year)
        trend = (1.0 + p.training_intake_trend_per_year) ** years
        return trend * self.intake_market_factor

    @property
    def intake_market_factor(self) -> float:
        """Intake follows the labour market with a lag: ``1 + intake_shortage_response x
        (shortage rate intake_response_lag_years ago - shortage rate at the start)``, at least
        0; 1.0 until the lag has passed."""
        path = self.shortage_path
        start = path.get(self.p.start_year)
        seen = path.get(self.year - self.p.intake_response_lag_years)
        if start is None or seen is None:
            return 1.0
        return max(0.0, 1.0 + self.p.intake_shortage_response * (seen - start))

    @property
    def inflow_pull(self) -> float:
        """How much more the silent reserve and career changers seek teaching jobs than at the
        start: ``1 + inflow_shortage_response x (last year's shortage rate - the start's)``, at
        least 0; 1.0 in the first year."""
        path = self.shortage_path
        start = path.get(self.p.start_year)
        seen = path.get(self.year - 1)
        if start is None or seen is None:
            return 1.0
        return max(0.0, 1.0 + self.p.inflow_shortage_response * (seen - start))

    def enrol(self, enrolments: list[tuple[int, np.ndarray, np.ndarray, int]]) -> None:
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
        # the region's school leavers live by population, the others near their institute
        col = self.students.data
        inside = rows[col["from_region"][rows]]
        settle(self, "students", inside)
        outside = rows[~col["from_region"][rows]]
        prog_xy = np.array([(pr.x_km, pr.y_km) for pr in self.programmes]).reshape(-1, 2)
        settle(self, "students", outside, near=prog_xy[col["programme"][outside]])
        preferences.assign(self, "students", rows)
        self.history.record(
            "enrolled",
            self.year,
            self.students.data[UID][rows],
            -1,
            self.students.data["programme"][rows],
        )

    # --------------------------------------------------------------------- step
    def run_for(self, duration: float | int) -> None:
        """Run ``duration`` school years (a whole number from 0 to the ``horizon_years`` bound).

        Raises:
            ParameterError: for NaN, infinity, a fraction or a number out of range (Mesa's own
                ``run_for`` would silently stop the model at NaN).
        """
        top = Parameters.info()["horizon_years"].le
        number = isinstance(duration, int | float | np.integer | np.floating)
        if (
            isinstance(duration, bool)
            or not number
            or not math.isfinite(duration)
            or duration != int(duration)
            or not 0 <= duration <= top
        ):
            raise ParameterError(
                f"years to run: value {duration!r} is not allowed; allowed: a whole number "
                f"from 0 to {top:g}"
            )
        super().run_for(int(duration))

    def step(self) -> None:
        """Advance one school year in the documented order (:data:`STAGES`)."""
        self.year += 1
        self.year_counts = Counter()
        if self.scenario_spec.parameter_paths:
            # a scenario's parameter paths (e.g. the observed pension age): this year's values,
            # read by every stage through model.p; layout and places built at the start stay
            self.p = self.scenario_spec.parameters_at(self.year, **self._overrides)
            self.mech = self.policy.mechanisms(self.p)
        for stage in STAGES:
            stage.run(self)
        self._price_levers()
        self.workforce.compact()
        self.students.compact()
        self.datacollector.collect(self)
        self.running = self.year < self.p.start_year + self.p.horizon_years

    # 1 ------------------------------------------------------------------ demand

    # 2 ---------------------------------------------------------- exits, hours

    def remove_staff(self, rows: np.ndarray) -> None:
        """Remove the agents in ``rows`` of the workforce table from the model."""
        remove_rows(self, self.workforce, rows)

    # 3 ----------------------------------------------- training and side-entrants

    def remove_students(self, rows: np.ndarray) -> None:
        remove_rows(self, self.students, rows)

    # 4 --------------------------------------------------------------- vacancies
    def staff(self) -> np.ndarray:
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

    def cover_before_market(self) -> Staffing:
        return cover(
            self.demand,
            self.staff(),
            self.mech.unqualified_cap_share,
            self.p.stopgap_fill_share,
            stopgaps=False,
        )

    # 5 ----------------------------------------------------------- labour market

    def open_vacancies(self) -> Vacancies:
        """This year's open vacancies, each with the board that recruits for it."""
        return Vacancies.from_open(
            self.pre_market.open_by_level,
            self.demand,
            board_of_school=self.board,
            school_xy=self.xy,
            school_traits=preferences.school_traits(self),
        )

    # 6 ------------------------------------------------------------ stop-gaps

    # 7 ---------------------------------------------------------- training intake

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
                # DUO's location code and board number when the region comes from a schools
                # table ("" for drawn sites), for maps and hover text
                "site_code": [s.code for s in self.layout.sites],
                "board_id": [s.board_id for s in self.layout.sites],
                "x_km": self.xy[:, 0],
                "y_km": self.xy[:, 1],
                "pupils": self.pupils.sum(1),
                "vmbo_share": demand_stage.vmbo_share(self),
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
