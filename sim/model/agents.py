"""The five agent types of the region: School, Teacher, SideEntrant, Student, TrainingProgramme.

Schools and programmes are few and hold their attributes as ordinary Python attributes.
Teachers, side-entrants and students are many: their attributes live in columnar tables
(:mod:`sim.model.table`) and their yearly rules are class methods that act on every agent of the kind
at once with numpy, drawing from the random stream the model hands them. The rules are written
out here, one per mechanism, so each can be read and tested on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model.homes import too_far
from sim.model.parameters import AGE_BAND_EDGES, SUBJECT_GROUPS
from sim.model.reserve import pension_age, retirement_share
from sim.model.table import AgentTable, Column, TableAgent

if TYPE_CHECKING:
    from sim.model.model import RegionModel
    from sim.model.parameters import Parameters

N_SUBJECTS = len(SUBJECT_GROUPS)

# Degrees: 1 first degree (all years), 2 second degree (lower years, vmbo), 0 not yet qualified.
FIRST, SECOND, UNQUALIFIED = 1, 2, 0

ROUTES: tuple[str, ...] = ("initial", "graduate", "side_entrant", "returner", "inmigrant")
"""How a member of staff entered the region's workforce; index is the ``route`` column."""
ROUTE = {name: i for i, name in enumerate(ROUTES)}

EXIT_REASONS: tuple[str, ...] = ("retirement", "left_education", "left_region")

PERSON_COLUMNS = {
    "home_muni": np.int16,
    "home_x": np.float64,
    "home_y": np.float64,
    "max_commute": np.float64,
    "taste_commute": np.float64,
    "taste_vmbo": np.float64,
    "taste_workload": np.float64,
    "taste_standing": np.float64,
}
"""Columns every person has, staff and students alike: home, longest commute, job preferences."""

WORKFORCE_COLUMNS = {
    "age": np.int16,
    "experience": np.int16,
    "subject": np.int8,
    "subject2": np.int8,
    "degree": np.int8,
    "fte": np.float64,
    "school": np.int32,
    "school2": np.int32,
    "fte2": np.float64,
    "induction": np.bool_,
    "permanent": np.bool_,
    "route": np.int8,
    "entry_year": np.int16,
    "starter": np.bool_,
    "training_year": np.int8,
    "supported": np.bool_,
    "course_years_left": np.int8,
    "course_subject": np.int8,
    **PERSON_COLUMNS,
    "asked_hours": np.bool_,
}
"""Columns of the workforce table shared by teachers and side-entrants."""

STUDENT_COLUMNS = {
    "programme": np.int16,
    "subject": np.int8,
    "year_of_study": np.int8,
    "internship_school": np.int32,
    "interned_in_region": np.bool_,
    "from_region": np.bool_,
    "helped": np.bool_,
    **PERSON_COLUMNS,
}
"""Columns of the student table."""

NO_SCHOOL = -1
INTERNSHIP_OUTSIDE = -2


def age_band(age: np.ndarray) -> np.ndarray:
    """Index of the DUO age band (under 30, 30-39, 40-49, 50-59, 60+) of each age."""
    return np.searchsorted(np.asarray(AGE_BAND_EDGES), age, side="right")


def new_workforce_table(capacity: int) -> AgentTable:
    """An empty table for teachers and side-entrants."""
    return AgentTable(WORKFORCE_COLUMNS, capacity)


def new_student_table(capacity: int) -> AgentTable:
    """An empty table for students."""
    return AgentTable(STUDENT_COLUMNS, capacity)


ENTRY_AGES_EARLY = (22, 26)
"""Entry ages (first and last) of full-time graduates, as in :func:`sim.model.stages.market.hire`."""
ENTRY_AGES_LATE = (27, 49)
"""Entry ages of late entrants (part-time graduates, side-entrants), as for new hires."""


def entry_weights(age: np.ndarray, p: Parameters) -> tuple[np.ndarray, np.ndarray]:
    """Weight of each entry age for staff aged ``age``: (entry ages, weights per person).

    Entry ages: uniform 22-26 (full-time training) with probability 1 -
    ``initial_late_entry_share``, else uniform 27-49 (part-time training, side-entrants), the
    entry ages of new hires. An entry age above a person's age weighs 0; the others weigh their
    probability times the chance that a starter who entered then still teaches, by the starter
    curve ``starter_exit_hazard`` (the later hazards are alike at every experience and drop
    out). The row sum is the relative number of staff of that age in a steady flow of entrants.
    """
    age = np.asarray(age, dtype=np.int64)
    entry = np.arange(ENTRY_AGES_EARLY[0], ENTRY_AGES_LATE[1] + 1)
    early = entry <= ENTRY_AGES_EARLY[1]
    n_early = ENTRY_AGES_EARLY[1] - ENTRY_AGES_EARLY[0] + 1
    n_late = ENTRY_AGES_LATE[1] - ENTRY_AGES_LATE[0] + 1
    w_entry = np.where(
        early, (1 - p.initial_late_entry_share) / n_early, p.initial_late_entry_share / n_late
    )
    curve = np.asarray(p.starter_exit_hazard)
    survival = np.concatenate([[1.0], np.cumprod(1.0 - curve)])  # after 0..len(curve) years
    exp = age[:, None] - entry[None, :]
    w = np.where(exp >= 0, w_entry[None, :] * survival[np.clip(exp, 0, curve.size)], 0.0)
    return entry, w


def initial_experience(age: np.ndarray, p: Parameters, rng: np.random.Generator) -> np.ndarray:
    """Years of teaching of staff aged ``age``: the entry age is drawn from
    :func:`entry_weights`, so experience follows age and route with no block of first-years;
    the staff with 0-4 years are the survivors of yearly cohorts of starters, as in a steady
    state, and the first year sees no spike of starter exits. Anyone younger than the first
    entry age has 0 years."""
    age = np.asarray(age, dtype=np.int64)
    entry, w = entry_weights(age, p)
    total = w.sum(1)
    cdf = np.cumsum(w, 1) / np.where(total > 0, total, 1.0)[:, None]
    pick = np.minimum((cdf < rng.random(age.size)[:, None]).sum(1), entry.size - 1)
    return np.where(total > 0, np.maximum(age - entry[pick], 0), 0).astype(np.int64)


def initial_ages(band: np.ndarray, top: int, p: Parameters, rng: np.random.Generator) -> np.ndarray:
    """Ages of initial staff in the DUO age bands ``band`` (23-29, 30-39, ..., 60 to ``top`` - 1).

    Within a band an age weighs the steady number of staff of that age: the entrants' survivors
    from :func:`entry_weights` (so few 23-year-olds, who can only have entered at 22 or 23),
    times the survival from the band's first age under ``exit_hazard_by_age`` (so the 60+ band
    thins out toward the pension age under early retirement, and the first year sees no spike
    of retirements at the pension age). The band shares stay ``age_distribution``."""
    lo_edges = np.array([23, *AGE_BAND_EDGES])
    hi_edges = np.array([*AGE_BAND_EDGES, top])
    ages = np.arange(lo_edges[0], top)
    _, w = entry_weights(ages, p)
    hazard = np.asarray(p.exit_hazard_by_age)[age_band(ages)]
    band_of = age_band(ages)
    log_stay = np.log1p(-np.minimum(hazard, 1 - 1e-12))
    since_start = np.cumsum(log_stay) - log_stay  # survival to each age from the first age
    start = np.array([since_start[band_of == b][0] for b in band_of])
    weight = w.sum(1) * np.exp(since_start - start)
    out = np.empty(band.size, dtype=np.int64)
    for b in range(lo_edges.size):
        idx = np.flatnonzero(band == b)
        inside = (ages >= lo_edges[b]) & (ages < hi_edges[b])
        if idx.size == 0 or not inside.any():
            out[idx] = lo_edges[b]
            continue
        total = weight[inside].sum()
        # a starter hazard of one leaves no steady survivors: ages within the band then weigh alike
        prob = weight[inside] / total if total > 0 else np.full(inside.sum(), 1 / inside.sum())
        out[idx] = ages[inside][rng.choice(prob.size, size=idx.size, p=prob)]
    return out


# --------------------------------------------------------------------------- schools
class School(mesa.Agent):
    """A school site: location, board, pupils by school type, demand, vacancies and workload.

    The yearly staffing figures (demand, qualified, unqualified, vacancy, surplus per subject
    group) are held by the model in arrays indexed by ``index``; the properties below read them.
    """

    def __init__(
        self,
        model: RegionModel,
        index: int,
        name: str,
        municipality: str,
        area: str,
        board: int,
        x_km: float,
        y_km: float,
        pupils: tuple[float, float, float],
        training_school: bool,
        own_induction: bool,
        attractiveness_base: float,
        institute: str,
    ) -> None:
        super().__init__(model)
        self.index = index
        self.name = name
        self.municipality = municipality
        self.area = area
        self.board = board
        self.x_km = x_km
        self.y_km = y_km
        self.training_school = training_school
        self.own_induction = own_induction
        self.attractiveness_base = attractiveness_base
        self.partner_institute = institute
        self.pupils_by_type = np.asarray(pupils, dtype=float)

    @property
    def pupils(self) -> float:
        """Pupils at the site (vmbo + havo + vwo)."""
        return self.model.pupils_by_school[self.index]

    @property
    def vmbo_share(self) -> float:
        """Share of the site's pupils in vmbo."""
        p = self.model.pupils[self.index]
        return float(p[0] / max(p.sum(), 1e-9))

    @property
    def demand_fte(self) -> float:
        """Teacher fte the site's pupils need."""
        return self.model.staffing.by_school["demand_fte"][self.index]

    @property
    def vacancy_fte(self) -> float:
        """Open vacancies (open shortage) at the last census."""
        return self.model.staffing.by_school["vacancy_fte"][self.index]

    @property
    def unqualified_fte(self) -> float:
        """Lessons covered without the required qualification (hidden shortage)."""
        return self.model.staffing.by_school["unqualified_fte"][self.index]

    @property
    def shortage_rate(self) -> float:
        """(Open + hidden shortage) / demand at the last census."""
        return self.model.staffing.by_school["shortage_rate"][self.index]

    @property
    def workload(self) -> float:
        """Workload pressure: open plus weighted hidden shortage as a share of demand."""
        return float(self.model.workload[self.index])

    @property
    def attractiveness(self) -> float:
        """Attractiveness to job seekers at the last census."""
        return float(self.model.attractiveness[self.index])

    @property
    def teachers(self) -> int:
        """Teachers and side-entrants employed here (main appointment)."""
        wf = self.model.workforce
        live = wf.live()
        return int((wf.data["school"][live] == self.index).sum())


# ----------------------------------------------------------------------- workforce
class _WorkforceMember(TableAgent):
    """Common base of Teacher and SideEntrant: a row of the workforce table."""

    table_attr = "workforce"

    age = Column()
    experience = Column()
    subject = Column()
    subject2 = Column()
    degree = Column()
    fte = Column()
    school = Column()
    school2 = Column()
    fte2 = Column()
    induction = Column()
    permanent = Column()
    route = Column()
    entry_year = Column()
    starter = Column()
    training_year = Column()
    supported = Column()
    course_years_left = Column()
    course_subject = Column()
    home_muni = Column()
    home_x = Column()
    home_y = Column()
    max_commute = Column()
    asked_hours = Column()

    @property
    def commute_km(self) -> float:
        """Straight-line km from home to the main school."""
        school = self.model.xy[self.school]
        return float(np.hypot(self.home_x - school[0], self.home_y - school[1]))

    @property
    def subject_name(self) -> str:
        """Name of the main subject group."""
        return SUBJECT_GROUPS[self.subject]

    @property
    def dual_qualified(self) -> bool:
        """Whether the teacher is qualified in a second subject group."""
        return self.subject2 >= 0


class Teacher(_WorkforceMember):
    """A teacher: age, subject(s), degree (1 or 2), contract fte, experience, school(s),
    induction, contract type. Yearly rules: ageing, exit, retirement, region moves, hours."""

    @staticmethod
    def exit_hazard(model: RegionModel, rows: np.ndarray) -> np.ndarray:
        """Yearly hazard of leaving education for the teachers in ``rows``.

        Starter years (experience 1-5) follow the DUO starter curve, lowered by induction in the
        first three years; later years follow the exit-by-age shape. Temporary and small
        contracts raise it (Voion), and so does workload pressure at the school above a
        threshold (when feedbacks are on) and a commute longer than the teacher accepts.
        """
        p = model.p
        wf = model.workforce
        age = wf.data["age"][rows]
        exp = wf.data["experience"][rows]
        hazard = np.asarray(p.exit_hazard_by_age)[age_band(age)]
        starter_curve = np.asarray(p.starter_exit_hazard)
        in_start = (exp >= 1) & (exp <= len(starter_curve)) & (age < AGE_BAND_EDGES[-1])
        hazard = np.where(
            in_start, starter_curve[np.clip(exp - 1, 0, len(starter_curve) - 1)], hazard
        )
        inducted = in_start & (exp <= 3) & wf.data["induction"][rows]
        hazard = np.where(inducted, hazard * p.induction_exit_rr, hazard)
        hazard = np.where(wf.data["permanent"][rows], hazard, hazard * p.temporary_exit_rr)
        hazard = np.where(wf.data["fte"][rows] < 0.5, hazard * p.small_contract_exit_rr, hazard)
        if p.feedbacks:
            pressure = model.workload[wf.data["school"][rows]]
            hazard = hazard * (
                1.0 + p.workload_exit_sensitivity * np.maximum(0.0, pressure - p.workload_threshold)
            )
        # a commute longer than the teacher accepts makes leaving likelier
        hazard = np.where(too_far(model, rows), hazard * p.commute_exit_rr, hazard)
        return np.clip(hazard, 0.0, 1.0)

    @classmethod
    def age_and_exit(cls, model: RegionModel, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Age every teacher a year, then draw retirements, exits from education and moves to
        other regions. Everyone reaching the pension age of the calendar year retires; before it
        the exit hazard of the 60+ band is early retirement. Returns the rows leaving, by reason
        (rows are still alive)."""
        p = model.p
        wf = model.workforce
        rows = wf.live()
        rows = rows[wf.data["degree"][rows] != UNQUALIFIED]
        wf.data["age"][rows] += 1
        wf.data["experience"][rows] += 1
        age = wf.data["age"][rows]
        u = rng.random(rows.size)
        v = rng.random(rows.size)
        # retirement at the pension age of this calendar year (a fractional one, such as 67.25
        # from 2028, keeps a share of the cohort at the whole age below it a year longer)
        share = retirement_share(age, pension_age(p, model.year))
        forced = (share >= 1.0) | ((share > 0.0) & (rng.random(rows.size) < share))
        leaves = forced | (u < cls.exit_hazard(model, rows))
        old = age >= AGE_BAND_EDGES[-1]
        to_region = ~leaves & (v < p.leave_region_rate)
        # temporary contracts become permanent
        temp = ~wf.data["permanent"][rows]
        wf.data["permanent"][
            rows[temp & (rng.random(rows.size) < p.temporary_to_permanent_rate)]
        ] = True
        return {
            "retirement": rows[leaves & old],
            "left_education": rows[leaves & ~old],
            "left_region": rows[to_region],
        }

    @staticmethod
    def change_hours(model: RegionModel, rng: np.random.Generator) -> int:
        """Some teachers change their contract by 0.1 fte; under workload pressure more of the
        changes are cuts. Returns how many changed."""
        p = model.p
        wf = model.workforce
        rows = wf.live()
        rows = rows[wf.data["degree"][rows] != UNQUALIFIED]
        change = rows[rng.random(rows.size) < p.hours_change_rate]
        up_share = np.full(change.size, p.hours_increase_share)
        if p.feedbacks:
            pressure = model.workload[wf.data["school"][change]]
            up_share = up_share * np.clip(
                1.0 - p.workload_hours_cut_sensitivity * pressure, 0.0, 1.0
            )
        step = np.where(rng.random(change.size) < up_share, 0.1, -0.1)
        fte = wf.data["fte"]
        fte[change] = np.clip(np.round(fte[change] + step, 2), 0.2, 1.0)
        wf.data["fte2"][change] = np.minimum(wf.data["fte2"][change], fte[change] / 2)
        return int(change.size)


class SideEntrant(_WorkforceMember):
    """A career changer who teaches while qualifying over about two years at a school with mentor
    capacity; supported entrants drop out less; on completion becomes a qualified Teacher."""

    @staticmethod
    def progress(model: RegionModel, rng: np.random.Generator) -> dict[str, np.ndarray]:
        """Advance every side-entrant a year: drop-outs and completions (rows still alive)."""
        p = model.p
        wf = model.workforce
        rows = wf.live()
        rows = rows[wf.data["degree"][rows] == UNQUALIFIED]
        rate = np.where(
            wf.data["supported"][rows],
            p.side_entrant_dropout_per_year * p.supported_side_entrant_dropout_rr,
            p.side_entrant_dropout_per_year,
        )
        dropout = rng.random(rows.size) < rate
        wf.data["age"][rows] += 1
        wf.data["training_year"][rows] += 1
        done = ~dropout & (wf.data["training_year"][rows] >= p.side_entrant_duration_years)
        return {"dropout": rows[dropout], "completed": rows[done]}


# ------------------------------------------------------------------------ students
class Student(TableAgent):
    """A student in a teacher-training programme: subject, programme, year of study, an
    internship school, dropout, and slow finishing past the nominal duration."""

    table_attr = "students"

    programme = Column()
    subject = Column()
    year_of_study = Column()
    internship_school = Column()
    interned_in_region = Column()
    from_region = Column()
    helped = Column()
    home_muni = Column()
    home_x = Column()
    home_y = Column()
    max_commute = Column()

    @property
    def progress(self) -> float:
        """Years studied as a share of the programme's nominal duration."""
        return self.year_of_study / self.model.programmes[self.programme].duration_years

    @property
    def slow(self) -> bool:
        """Whether the student is past the nominal duration."""
        return self.year_of_study > self.model.programmes[self.programme].duration_years

    @staticmethod
    def progress_year(
        model: RegionModel, rng: np.random.Generator, slow_graduation_rr: float
    ) -> dict[str, np.ndarray]:
        """One study year for every student: dropout, graduation (on time or slow) and moving
        up a year. Slow finishers marked ``helped`` graduate at ``slow_graduation_rr`` times
        the usual rate. Returns the rows that drop out and that graduate (still alive)."""
        p = model.p
        st = model.students
        rows = st.live()
        prog = st.data["programme"][rows]
        year = st.data["year_of_study"][rows]
        duration = model.programme_duration[prog]
        rr = model.programme_dropout_rr[prog]
        slow = year > duration
        drop_rate = np.where(
            slow,
            p.slow_finisher_dropout_rate,
            np.where(year <= 1, p.student_dropout_first_year, p.student_dropout_later_year) * rr,
        )
        grad_rate = np.where(
            slow,
            p.slow_finisher_graduation_rate
            * np.where(st.data["helped"][rows], slow_graduation_rr, 1.0),
            np.where(year == duration, p.on_time_graduation_share, 0.0),
        )
        grad_rate = np.clip(grad_rate, 0.0, 1.0)
        u = rng.random(rows.size)
        drops = u < drop_rate
        grads = ~drops & (u < drop_rate + grad_rate * (1.0 - drop_rate))
        stay = ~drops & ~grads
        st.data["year_of_study"][rows[stay]] += 1
        return {"dropout": rows[drops], "graduated": rows[grads]}


# --------------------------------------------------------------------- programmes
class TrainingProgramme(mesa.Agent):
    """A teacher-training programme of an institute: route, degree, subjects, duration, yearly
    intake from the region's school leavers and from outside, ties to training schools."""

    def __init__(self, model: RegionModel, index: int, spec, x_km: float, y_km: float) -> None:
        super().__init__(model)
        self.index = index
        self.name = spec.name
        self.institute = spec.institute
        self.route = spec.route
        self.degree = spec.degree
        self.duration_years = spec.duration_years
        self.school_leaver_share = spec.school_leaver_share
        self.outside_intake = spec.outside_intake
        self.dropout_rr = spec.dropout_rr
        self.subjects = np.array([SUBJECT_GROUPS.index(s) for s in spec.subjects], dtype=np.int8)
        self.x_km = x_km
        self.y_km = y_km

    @property
    def enrolled(self) -> int:
        """Students currently enrolled."""
        st = self.model.students
        return int((st.data["programme"][st.live()] == self.index).sum())

    @property
    def expected_outside_intake(self) -> float:
        """Expected students a year from outside the region's school leavers.

        The scenario sizes intakes for its own region; a region resized through
        ``pupils_total`` scales them in proportion.
        """
        return (
            self.outside_intake
            * self.model.p.outside_intake_scale
            * self.model.size_factor
            * self.model.training_intake_factor
        )

    def intake(
        self, school_leavers: int, outside: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """Subjects of this year's new students: ``school_leavers`` from the region and
        ``outside`` from elsewhere. Returns (subjects, from_region flags)."""
        n = school_leavers + outside
        share = np.asarray(self.model.p.graduate_subject_share)[self.subjects]
        # subjects nobody is said to choose (shares all 0) still fill the programme, alike
        share = share / share.sum() if share.sum() > 0 else np.full(share.size, 1 / share.size)
        subjects = self.subjects[rng.choice(self.subjects.size, size=n, p=share)]
        from_region = np.arange(n) < school_leavers
        return subjects, from_region
