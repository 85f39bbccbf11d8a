"""Named reporter functions: one yearly output column each, snake_case with its unit.

Units: ``_fte`` full-time equivalents; ``_rate`` and ``_share`` fractions (0-1); ``_eur``
euros per year; plain counts are persons per year (flows) or persons (stocks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from sim.model.agents import UNQUALIFIED, School, age_band
from sim.model.parameters import AGE_BANDS, SUBJECT_GROUPS
from sim.model.stages.demand import type_weights

if TYPE_CHECKING:
    from sim.model.model import RegionModel

Reporter = Callable[["RegionModel"], float]


def year(model: RegionModel) -> int:
    """Calendar year of the census (1 October)."""
    return model.year


def demand_fte(model: RegionModel) -> float:
    """Teacher fte the region's pupils need."""
    return float(model.staffing.demand.sum())


def qualified_fte(model: RegionModel) -> float:
    """Demand covered by teachers qualified for it."""
    return float(model.staffing.qualified.sum())


def unqualified_fte(model: RegionModel) -> float:
    """Hidden shortage: demand covered by side-entrants and stop-gaps without the
    qualification, plus lessons dropped by enlarged classes or a trimmed lesson table."""
    return float(model.staffing.unqualified.sum())


def unqualified_side_entrant_fte(model: RegionModel) -> float:
    """The part of the hidden shortage side-entrants (not yet qualified) cover."""
    return float(model.staffing.side_entrant.sum())


def unqualified_stopgap_fte(model: RegionModel) -> float:
    """The part of the hidden shortage stop-gaps cover (surplus staff out of field and
    unqualified temporary staff hired); with :func:`unqualified_side_entrant_fte` and
    :func:`class_enlargement_fte` it makes ``unqualified_fte``."""
    return float(model.staffing.stopgap.sum())


def unqualified_out_of_field_fte(model: RegionModel) -> float:
    """The part of the stop-gaps the schools' own surplus staff cover out of field (fte)."""
    return float(model.staffing.out_of_field.sum())


def unqualified_hired_fte(model: RegionModel) -> float:
    """The part of the stop-gaps covered by unqualified temporary staff the schools hired (fte);
    with :func:`unqualified_out_of_field_fte` it makes ``unqualified_stopgap_fte``."""
    st = model.staffing
    return float(st.hired.sum()) if st.hired is not None else 0.0


def class_enlargement_fte(model: RegionModel) -> float:
    """Lessons short schools dropped by enlarging classes or trimming the lesson table (fte):
    hidden shortage of its own kind, part of ``unqualified_fte``."""
    st = model.staffing
    return float(st.enlarged.sum()) if st.enlarged is not None else 0.0


def internship_distance_km_mean(model: RegionModel) -> float:
    """Mean distance from home to internship school of this year's internships in the region
    (km; 0 when none)."""
    n = model.year_counts["internships_in_region"]
    return float(model.year_counts["internship_distance_km_sum"] / n) if n else 0.0


def vacancy_fte(model: RegionModel) -> float:
    """Open shortage: demand nobody covers."""
    return float(model.staffing.vacancy.sum())


def surplus_fte(model: RegionModel) -> float:
    """Staff fte beyond demand: per school and subject group, staff not used on any lesson
    (qualified, side-entrant or stop-gap) after the school used its surplus staff as stop-gaps
    elsewhere, summed over schools. Paid for all the same (see :func:`staff_cost_eur`)."""
    return float(model.staffing.surplus.sum())


def shortage_rate(model: RegionModel) -> float:
    """(Open + hidden shortage) / demand."""
    return (vacancy_fte(model) + unqualified_fte(model)) / max(demand_fte(model), 1e-9)


def open_shortage_rate(model: RegionModel) -> float:
    """Open vacancies / demand."""
    return vacancy_fte(model) / max(demand_fte(model), 1e-9)


def hidden_shortage_rate(model: RegionModel) -> float:
    """Hidden shortage / demand."""
    return unqualified_fte(model) / max(demand_fte(model), 1e-9)


def _school_shortage(model: RegionModel) -> tuple[np.ndarray, np.ndarray]:
    st = model.staffing
    short = st.vacancy.sum(1) + st.unqualified.sum(1)
    return short, st.demand.sum(axis=(1, 2))


def shortage_gini(model: RegionModel) -> float:
    """Gini coefficient of the schools' shortage rates, weighted by demand (0 even, 1 all in one)."""
    short, demand = _school_shortage(model)
    rate = short / np.maximum(demand, 1e-9)
    order = np.argsort(rate)
    w = demand[order] / demand.sum()
    x = rate[order]
    mean = (w * x).sum()
    if mean <= 0:
        return 0.0
    cum = np.cumsum(w * x) / mean
    lorenz_area = (w * (cum - 0.5 * w * x / mean)).sum()
    return float(1.0 - 2.0 * lorenz_area)


def shortage_worst_decile_share(model: RegionModel) -> float:
    """Share of the region's shortage fte at the tenth of schools with the highest shortage rate."""
    short, demand = _school_shortage(model)
    total = short.sum()
    if total <= 0:
        return 0.0
    k = max(1, round(len(short) / 10))
    worst = np.argsort(-(short / np.maximum(demand, 1e-9)))[:k]
    return float(short[worst].sum() / total)


def shortage_rate_worst_decile(model: RegionModel) -> float:
    """Mean shortage rate of the tenth of schools with the highest rate."""
    short, demand = _school_shortage(model)
    rate = short / np.maximum(demand, 1e-9)
    k = max(1, round(len(rate) / 10))
    return float(np.sort(rate)[-k:].mean())


def pupils(model: RegionModel) -> float:
    """Pupils in the region (all school types)."""
    return float(model.pupils.sum())


def _level_shortage(level: int, model: RegionModel) -> float:
    st = model.staffing
    d = st.demand[..., level].sum()
    return float(st.shortage_by_level[..., level].sum() / max(d, 1e-9))


def shortage_rate_first_degree(model: RegionModel) -> float:
    """(Open + hidden shortage) / demand of first-degree lessons (level 0: upper havo/vwo)."""
    return _level_shortage(0, model)


def shortage_rate_second_degree(model: RegionModel) -> float:
    """(Open + hidden shortage) / demand of second-degree lessons (level 1: vmbo, lower years)."""
    return _level_shortage(1, model)


def _by_type(model: RegionModel) -> tuple[np.ndarray, np.ndarray]:
    """Unqualified fte and demand fte per school type (vmbo, havo, vwo), region totals.

    Each site's lessons of a level go to school types by its pupil mix
    (:func:`sim.model.stages.demand.type_weights`): first-degree lessons to havo and vwo upper
    years, second-degree lessons to vmbo and the havo and vwo lower years. So a vmbo lesson is
    unqualified as often as the site's second-degree lessons are.
    """
    cache = model.census_cache
    if "by_type" not in cache:
        st = model.staffing
        w0, w1 = type_weights(model)
        unq = st.unqualified_by_level
        unq = unq.sum(1) if unq is not None else np.zeros((len(w0), 2))
        dem = st.demand.sum(1)
        unq_t = unq[:, [0]] * w0 + unq[:, [1]] * w1
        dem_t = dem[:, [0]] * w0 + dem[:, [1]] * w1
        cache["by_type"] = (unq_t.sum(0), dem_t.sum(0))
    return cache["by_type"]


def _unqualified_type(k: int, name: str) -> Reporter:
    def reporter(model: RegionModel) -> float:
        unq, dem = _by_type(model)
        return float(unq[k] / max(dem[k], 1e-9))

    reporter.__name__ = f"unqualified_share_{name}"
    reporter.__doc__ = (
        f"Unqualified fte (side-entrants + stop-gaps) / demand fte in {name} lessons, lessons "
        "attributed to school types by each site's pupil mix."
    )
    return reporter


unqualified_share_vmbo = _unqualified_type(0, "vmbo")
unqualified_share_havo = _unqualified_type(1, "havo")
unqualified_share_vwo = _unqualified_type(2, "vwo")


def _place_shortage(city: bool, model: RegionModel) -> float:
    short, demand = _school_shortage(model)
    mask = model.city_site == city
    return float(short[mask].sum() / max(demand[mask].sum(), 1e-9))


def shortage_rate_city(model: RegionModel) -> float:
    """(Open + hidden shortage) / demand at sites in the scenario's G4 municipalities (0 if none)."""
    return _place_shortage(True, model)


def shortage_rate_rest(model: RegionModel) -> float:
    """(Open + hidden shortage) / demand at sites outside the G4 municipalities."""
    return _place_shortage(False, model)


def _subject_shortage(g: int) -> Reporter:
    def reporter(model: RegionModel) -> float:
        st = model.staffing
        d = st.demand[:, g].sum()
        return float((st.vacancy[:, g].sum() + st.unqualified[:, g].sum()) / max(d, 1e-9))

    reporter.__name__ = f"shortage_rate_{SUBJECT_GROUPS[g]}"
    reporter.__doc__ = f"(Open + hidden shortage) / demand in {SUBJECT_GROUPS[g]}."
    return reporter


def _qualified(model: RegionModel) -> np.ndarray:
    """Mask of the qualified teachers over the workforce table's used rows."""
    wf = model.workforce
    return wf.live_mask() & (wf.col("degree") != UNQUALIFIED)


def teachers(model: RegionModel) -> int:
    """Qualified teachers employed in the region (persons)."""
    return int(np.count_nonzero(_qualified(model)))


def side_entrants(model: RegionModel) -> int:
    """Side-entrants teaching while they qualify (persons)."""
    wf = model.workforce
    return int(np.count_nonzero(wf.live_mask() & (wf.col("degree") == UNQUALIFIED)))


def staff_fte(model: RegionModel) -> float:
    """Contract fte of teachers and side-entrants."""
    wf = model.workforce
    return float(wf.col("fte")[wf.live_mask()].sum())


def staff_cost_eur(model: RegionModel) -> float:
    """Wages of all staff: contract fte of teachers and side-entrants (surplus included) x
    ``staff_cost_eur_per_fte``. The studies price staff beyond the isolated arm's from this."""
    return staff_fte(model) * model.p.staff_cost_eur_per_fte


def mean_contract_fte(model: RegionModel) -> float:
    """Mean contract size of teachers and side-entrants."""
    wf = model.workforce
    fte = wf.col("fte")[wf.live_mask()]
    return float(fte.mean()) if fte.size else 0.0


def _count(name: str, doc: str) -> Reporter:
    def reporter(model: RegionModel) -> float:
        return model.year_counts.get(name, 0)

    reporter.__name__ = name
    reporter.__doc__ = doc
    return reporter


COUNTS: dict[str, str] = {
    "hires_graduate": "Graduates hired this year.",
    "hires_side_entrant": "Side-entrants placed this year.",
    "hires_mover": "Teachers who moved to another school of the region this year.",
    "hires_returner": "Returners from the silent reserve hired this year.",
    "hires_inmigrant": "Teachers from other regions hired this year.",
    "exits_retirement": "Retirements this year (60 and over, and everyone at the pension age).",
    "exits_left_education": "Teachers under 60 who left education this year.",
    "exits_left_region": "Teachers who moved to another region this year.",
    "side_entrant_completions": "Side-entrants who qualified this year.",
    "side_entrant_dropouts": "Side-entrants who dropped out this year.",
    "side_entrant_applicants": "Career changers who applied this year.",
    "students_intake": "New students this year.",
    "students_graduated": "Students who graduated this year.",
    "students_dropout": "Students who dropped out this year.",
    "graduates_seeking": "Graduates who sought a teaching job in the region this year.",
    "internships_in_region": "Final-year internships placed in the region this year.",
    "internships_outside": "Final-year internships outside the region this year.",
    "reserve_pension_exits": "People who left the silent reserve at the pension age this year.",
    "inmigrant_seekers": "Teachers from other regions who sought a job here this year.",
    "returner_seekers": "Members of the silent reserve who sought to return this year.",
    "seekers_unplaced": "Job seekers (not side-entrants) who found no vacancy this year.",
    "shared_appointments": "Shared appointments this year.",
    "board_moves": "Teachers a board moved from surplus at one of its sites to a gap at another.",
    "on_dual_course": "Teachers on a second-subject course.",
    "dual_qualified": "Teachers who gained a second subject this year.",
    "slow_finishers": "Students past their nominal duration.",
    "extra_hours_teachers": "Part-timers who took on extra hours this year at a short school.",
    "extra_hours_fte": "Contract fte added this year by part-timers at short schools (fte).",
    "extra_hours_bonus_eur": "Bonus paid this year for the extra hours (EUR, beyond wages).",
    "early_recruitment_schools": "Short schools that recruited early this year.",
    "early_recruitment_hires": "Seekers hired in the early round of short schools this year.",
    "early_recruitment_fte": "Contract fte hired in the early round of short schools (fte).",
    "early_recruitment_cost_eur": "Cost of early recruitment this year (EUR).",
    "unqualified_hire_cost_eur": "Extra cost of the unqualified staff schools hired (EUR).",
    "class_enlargement_cost_eur": "Allowances for enlarged classes this year (EUR).",
    "class_enlargement_pupils": "Pupils whose lessons enlarged classes or a trimmed lesson "
    "table cover this year (pupil equivalents: each school's pupils x its share dropped).",
}


def intake_market_factor(model: RegionModel) -> float:
    """Factor on teacher-training intake from the programmes' lagged response to the shortage
    (1.0 = no response; see ``RegionModel.intake_market_factor``)."""
    return float(model.intake_market_factor)


def students_enrolled(model: RegionModel) -> int:
    """Students enrolled in the region's programmes (persons)."""
    return len(model.students)


def silent_reserve(model: RegionModel) -> float:
    """Qualified people under the pension age outside teaching who may return (persons)."""
    return float(model.reserve.size)


def silent_reserve_mean_age(model: RegionModel) -> float:
    """Mean age of the people in the silent reserve (years)."""
    return model.reserve.mean_age


def fte_share_55_plus(model: RegionModel) -> float:
    """Share of qualified teachers' contract fte held by teachers aged 55 and over."""
    wf = model.workforce
    rows = _qualified(model)
    fte = wf.col("fte")[rows]
    total = fte.sum()
    return float(fte[wf.col("age")[rows] >= 55].sum() / total) if total else float("nan")


def mean_age_teachers(model: RegionModel) -> float:
    """Mean age of qualified teachers (years, persons)."""
    ages = model.workforce.col("age")[_qualified(model)]
    return float(ages.mean()) if ages.size else float("nan")


def inmigrants(model: RegionModel) -> int:
    """Teachers from other regions hired this year (persons; as hires_inmigrant)."""
    return model.year_counts.get("hires_inmigrant", 0)


def outmigrants(model: RegionModel) -> int:
    """Teachers who moved to another region this year (persons; as exits_left_region)."""
    return model.year_counts.get("exits_left_region", 0)


def side_entrant_retention_5y(model: RegionModel) -> float:
    """Of the side-entrants the market placed in cohorts now followed 5 years, pooled: the share
    still in education (working in the region, or moved to another region) 5 years on."""
    done = [r for r in model.side_entrant_cohorts.values() if r[2] >= 0]
    entered = sum(r[0] for r in done)
    return sum(r[1] + r[2] for r in done) / entered if entered else float("nan")


def side_entrant_completion_rate(model: RegionModel) -> float:
    """Completions / (completions + dropouts) this year."""
    c = model.year_counts.get("side_entrant_completions", 0)
    d = model.year_counts.get("side_entrant_dropouts", 0)
    return c / (c + d) if c + d else float("nan")


def _exit_rate(band: int) -> Reporter:
    def reporter(model: RegionModel) -> float:
        stock = getattr(model, "stock_by_age_band", None)
        if stock is None or stock[band] == 0:
            return float("nan")
        return float(model.exits_by_age_band[band] / stock[band])

    reporter.__name__ = f"exit_rate_{AGE_BANDS[band]}"
    reporter.__doc__ = f"Share of teachers aged {AGE_BANDS[band]} who left education this year."
    return reporter


def _age_band_counts(model: RegionModel) -> np.ndarray:
    """Qualified teachers per age band, counted once per census for the five shares."""
    counts = model.census_cache.get("age_band_counts")
    if counts is None:
        ages = model.workforce.col("age")[_qualified(model)]
        counts = np.bincount(age_band(ages), minlength=len(AGE_BANDS))
        model.census_cache["age_band_counts"] = counts
    return counts


def _age_share(band: int) -> Reporter:
    def reporter(model: RegionModel) -> float:
        counts = _age_band_counts(model)
        total = int(counts.sum())
        return int(counts[band]) / total if total else float("nan")

    reporter.__name__ = f"age_share_{AGE_BANDS[band]}"
    reporter.__doc__ = f"Share of teachers aged {AGE_BANDS[band]}."
    return reporter


def _starter_attrition(years: int) -> Reporter:
    def reporter(model: RegionModel) -> float:
        record = model.cohorts.get(model.year - years)
        if record is None or record[0] == 0:
            return float("nan")
        return float(record[1 : years + 1].sum() / record[0])

    reporter.__name__ = f"starter_attrition_{years}y"
    reporter.__doc__ = (
        f"Share of the graduates who started {years} year(s) ago that have left education since."
    )
    return reporter


def lever_cost_fte(model: RegionModel) -> float:
    """Staff time the active levers cost this year."""
    return float(sum(c.fte for c in model.lever_costs.values()))


def lever_cost_eur(model: RegionModel) -> float:
    """What the active levers cost this year, staff time priced in."""
    return float(sum(c.eur for c in model.lever_costs.values()))


def _lever_cost(name: str) -> Reporter:
    def reporter(model: RegionModel) -> float:
        cost = model.lever_costs.get(name)
        return float(cost.eur) if cost else 0.0

    reporter.__name__ = f"cost_{name}_eur"
    reporter.__doc__ = f"Cost of the {name} lever this year (0 when off)."
    return reporter


def model_reporters() -> dict[str, Reporter]:
    """Every model reporter by output column name, in a stable order."""
    from sim.model.policies import LEVERS

    funcs: list[Reporter] = [
        year,
        demand_fte,
        qualified_fte,
        unqualified_fte,
        unqualified_side_entrant_fte,
        unqualified_stopgap_fte,
        unqualified_out_of_field_fte,
        unqualified_hired_fte,
        class_enlargement_fte,
        vacancy_fte,
        surplus_fte,
        shortage_rate,
        open_shortage_rate,
        hidden_shortage_rate,
        shortage_rate_first_degree,
        shortage_rate_second_degree,
        unqualified_share_vmbo,
        unqualified_share_havo,
        unqualified_share_vwo,
        shortage_rate_city,
        shortage_rate_rest,
        pupils,
        *(_subject_shortage(g) for g in range(len(SUBJECT_GROUPS))),
        shortage_gini,
        shortage_worst_decile_share,
        shortage_rate_worst_decile,
        teachers,
        side_entrants,
        staff_fte,
        staff_cost_eur,
        mean_contract_fte,
        students_enrolled,
        silent_reserve,
        silent_reserve_mean_age,
        fte_share_55_plus,
        mean_age_teachers,
        inmigrants,
        outmigrants,
        side_entrant_completion_rate,
        side_entrant_retention_5y,
        *(_count(n, d) for n, d in COUNTS.items()),
        *(_exit_rate(b) for b in range(len(AGE_BANDS))),
        *(_age_share(b) for b in range(len(AGE_BANDS))),
        *(_starter_attrition(k) for k in (1, 3, 5)),
        intake_market_factor,
        internship_distance_km_mean,
        lever_cost_fte,
        lever_cost_eur,
        *(_lever_cost(n) for n in LEVERS),
    ]
    return {f.__name__: f for f in funcs}


def school_reporters() -> dict[str, Callable[[School], float]]:
    """Per-school columns collected each year: the School properties of those names (passed as
    functions, which Mesa calls directly, rather than as names it looks up per school)."""
    names = ("demand_fte", "vacancy_fte", "unqualified_fte", "shortage_rate", "pupils")
    return {name: getattr(School, name).fget for name in names}
