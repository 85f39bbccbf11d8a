"""The parameter object: the single place where every default of the model lives.

Each field carries its meaning, unit, a source (a row of
``shared/reference/teacher-labour-market-nl.md``, tagged [S] seen, [D] derived, [E] estimated) or
the word "assumption" with a plausible range, and the group it belongs to (region, pipeline, labour
market, policy levers). The scenario files, the command line, the browser view and the experiment
designs all read these fields; none of them types a default again.

Validation happens before any work starts: unknown names (with the closest valid one), wrong types,
values out of range, NaN and infinity all raise :class:`ParameterError` naming the parameter, the
value and what is allowed.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from sim.model.priors import GRADES, Prior

SUBJECT_GROUPS: tuple[str, ...] = (
    "dutch",
    "modern_languages",
    "mathematics",
    "sciences",
    "technology_computing",
    "social_studies",
    "arts_sport",
)
"""Subject groups (vakgroepen) the demand and the qualifications are counted in."""

AGE_BANDS: tuple[str, ...] = ("under_30", "30_39", "40_49", "50_59", "60_plus")
"""Age bands of the DUO exit-by-age figures."""

AGE_BAND_EDGES: tuple[int, ...] = (30, 40, 50, 60)
"""Lower edges of all bands but the first, in years of age."""

GROUPS: tuple[str, ...] = ("region", "pipeline", "labour_market", "policy_levers")


class ParameterError(ValueError):
    """Invalid parameter input: names the parameter, the value given and what is allowed."""


@dataclass(frozen=True)
class ParamInfo:
    """Documentation of one parameter, read from its field."""

    name: str
    default: Any
    doc: str
    unit: str
    source: str
    group: str
    ge: float | None
    le: float | None
    plausible: tuple[float, float] | None
    integer: bool
    boolean: bool
    sequence: bool
    grade: str | None = None
    prior: Prior | None = None


def param(
    default: Any,
    doc: str,
    *,
    unit: str,
    source: str,
    group: str,
    ge: float | None = None,
    le: float | None = None,
    plausible: tuple[float, float] | None = None,
    prior: str | None = None,
    grade: str | None = None,
    concentration: float | None = None,
) -> Any:
    """Declare a parameter field with its documentation and, if uncertain, its prior.

    Args:
        default: The default value.
        doc: Meaning of the parameter.
        unit: Unit of the value ("share", "fte", "years", "EUR", ...).
        source: A reference row with its tag, or "assumption".
        group: One of :data:`GROUPS`.
        ge: Smallest allowed value.
        le: Largest allowed value.
        plausible: Range of an uncertain value: the support of its prior, and the range of
            sensitivity analyses, the calibration's search and the view's sliders.
        prior: Shape of the prior over ``plausible`` (see :data:`sim.model.priors.SHAPES`);
            default ``truncnorm`` around the point value for graded S or D values,
            ``uniform`` for E. ``dirichlet`` for share profiles (with ``concentration``).
        grade: Evidence grade S, D or E (:data:`sim.model.priors.GRADES`); default read from
            the source: "fitted" is D (the calibration derives it from seen targets), any
            "assumption" or "[E]" is E, else the first of [D] and [S] it names.
        concentration: Dirichlet concentration of a share profile's prior.
    """
    if group not in GROUPS:
        raise ValueError(f"group {group!r} is not one of {GROUPS}")
    extra: dict[str, Any] = {"unit": unit, "source": source, "group": group}
    grade = grade or _grade_of(source)
    if grade is not None:
        if grade not in GRADES:
            raise ValueError(f"grade {grade!r} is not one of {tuple(GRADES)}")
        extra["grade"] = grade
    if plausible is not None:
        extra["plausible"] = list(plausible)
        extra["prior"] = prior or ("truncnorm" if grade in ("S", "D") else "uniform")
    elif prior == "dirichlet":
        extra["prior"] = prior
        extra["concentration"] = concentration
    elif prior is not None:
        raise ValueError(f"prior {prior!r} needs a plausible range")
    return Field(default, description=doc, ge=ge, le=le, json_schema_extra=extra)


def _grade_of(source: str) -> str | None:
    """The evidence grade a source text implies (None for model-design choices)."""
    if source.startswith("model design") and "[E]" not in source:
        return None
    if "fitted" in source:
        return "D"
    if "assumption" in source or "[E]" in source:
        return "E"
    for tag in ("[D]", "[S]"):
        if tag in source:
            return tag[1]
    return None


def _subjects(*values: float) -> tuple[float, ...]:
    assert len(values) == len(SUBJECT_GROUPS)
    return tuple(values)


class Parameters(BaseModel):
    """All model parameters with their defaults, units and sources.

    Build with :meth:`Parameters.build` to get the project's error messages.
    """

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False, frozen=True)

    # ------------------------------------------------------------------ region
    start_year: int = param(
        2023,
        "Calendar year of the first census date (1 October).",
        unit="year",
        source="assumption (the latest shortage measurement is Oct 2023)",
        group="region",
        ge=2000,
        le=2100,
    )
    horizon_years: int = param(
        17,
        "Years a run covers after the first census (17: 2023 to 2040); the command line, the "
        "experiments and the browser view run this long unless told otherwise.",
        unit="years",
        source="model design (the 2040 horizon of regional labour-market plans)",
        group="region",
        ge=1,
        le=100,
    )
    default_seed: int = param(
        1,
        "Seed of a single run when none is given (the command line and the browser view).",
        unit="seed",
        source="model design",
        group="region",
        ge=0,
        le=2**62,
    )
    pupils_total: int = param(
        62_000,
        "Pupils in secondary education in the region at the first census.",
        unit="pupils",
        source="[E] Rijnmond by population share: 60-65k pupils",
        group="region",
        ge=100,
        le=2_000_000,
    )
    school_sites: int = param(
        70,
        "Number of school sites placed in the region.",
        unit="sites",
        source="[E] Rijnmond: 60-80 school sites",
        group="region",
        ge=1,
        le=5_000,
    )
    school_boards: int = param(
        16,
        "Number of school boards the sites belong to.",
        unit="boards",
        source="[E] Rijnmond: 12-20 boards",
        group="region",
        ge=1,
        le=1_000,
        plausible=(12, 20),
    )
    board_size_exponent: float = param(
        1.0,
        "Skew of board sizes: the board of rank r (1 the largest) holds sites in proportion to "
        "r ** -this (0: equal boards; 1: with 16 boards and 70 sites the largest three hold "
        "about half the sites). Boards take neighbouring sites, largest first, so the large "
        "boards sit in the largest municipality.",
        unit="1",
        source="[E] a few large boards (BOOR, LMC-VO, CVO in Rotterdam) and many small ones; "
        "assumption (0.5-1.5)",
        group="region",
        ge=0.0,
        le=5.0,
        plausible=(0.5, 1.5),
    )
    pupils_per_teacher_fte: float = param(
        14.5,
        "Pupils per fte of teacher demand, where demand is employed teacher fte plus the "
        "shortage (a ratio measured on employed staff alone understates demand by the "
        "shortage); demand in fte is pupils divided by this.",
        unit="pupils/fte",
        source="[D] 952.1k pupils 2023/24 [S] / 65.5k demand fte (3,800 fte shortage = 5.8%, "
        "Oct 2023 [S]) = 14.5; 941.6k (2022) / (61k employed fte / (1 - 0.058)) = 14.5. Range "
        "14.0-15.6: 15.6 (Oct 2013, employed staff, Adriaens et al. ESB 2014 [S]) is the ratio "
        "without the shortage",
        group="region",
        ge=5.0,
        le=40.0,
        plausible=(14.0, 15.6),
    )
    pupil_trend_per_year: float = param(
        0.0,
        "Extra yearly relative change of pupil numbers on top of the scenario's pupil "
        "projection ([pupil_projection] table); 0 follows the projection. Futures and "
        "sensitivity studies set it.",
        unit="share/year",
        source="model design (0 = the scenario's projection); futures range -2% to +1% a year "
        "around it [E]",
        group="region",
        ge=-0.2,
        le=0.2,
        plausible=(-0.02, 0.01),
    )
    follow_pupil_projection: bool = param(
        True,
        "Whether pupils follow the scenario's [pupil_projection] table; off keeps them level "
        "(before pupil_trend_per_year), for the verification cases with constant pupils.",
        unit="switch",
        source="model design",
        group="region",
    )
    pupil_noise_sd: float = param(
        0.02,
        "Standard deviation of a school's yearly relative pupil change around the trend.",
        unit="share",
        source="assumption (0-0.05)",
        group="region",
        ge=0.0,
        le=0.5,
        plausible=(0.0, 0.05),
    )
    share_vmbo: float = param(
        0.50,
        "Mean share of a school's pupils in vmbo; the rest is havo and vwo.",
        unit="share",
        source="assumption (0.4-0.6; national VO mix, about half vmbo)",
        group="region",
        ge=0.0,
        le=1.0,
        plausible=(0.4, 0.6),
    )
    share_vmbo_city: float = param(
        0.58,
        "Mean share of a school's pupils in vmbo at sites in a G4 city (municipalities marked "
        "g4 = true in the scenario); sites elsewhere use share_vmbo.",
        unit="share",
        source="[E] assumption (0.50-0.65): the big cities have more vmbo pupils than the "
        "national mix; no regional figure in the reference",
        group="region",
        ge=0.0,
        le=1.0,
        plausible=(0.5, 0.65),
    )
    share_vwo_of_havo_vwo: float = param(
        0.45,
        "Mean share of vwo within a school's havo/vwo pupils.",
        unit="share",
        source="assumption (0.35-0.55)",
        group="region",
        ge=0.0,
        le=1.0,
        plausible=(0.35, 0.55),
    )
    first_degree_share_havo: float = param(
        0.4,
        "Share of havo lessons in the upper years, which need a first-degree teacher.",
        unit="share",
        source="[D] 2 of 5 havo years are upper years",
        group="region",
        ge=0.0,
        le=1.0,
    )
    first_degree_share_vwo: float = param(
        0.5,
        "Share of vwo lessons in the upper years, which need a first-degree teacher.",
        unit="share",
        source="[D] 3 of 6 vwo years are upper years",
        group="region",
        ge=0.0,
        le=1.0,
    )
    subject_demand_share: tuple[float, ...] = param(
        _subjects(0.13, 0.19, 0.12, 0.13, 0.05, 0.18, 0.20),
        "Share of lesson demand per subject group (order of SUBJECT_GROUPS).",
        unit="share",
        source="assumption (timetable weights of the lower and upper years)",
        group="region",
        prior="dirichlet",
        concentration=200.0,
        grade="E",
    )
    initial_shortage_rate: float = param(
        0.069,
        "Shortage (open + hidden) as a share of demand at the first census.",
        unit="share",
        source="[S] Rijnmond 6.9%, Oct 2023 (ocwincijfers.nl)",
        group="region",
        ge=0.0,
        le=0.6,
    )
    initial_second_degree_shortage_ratio: float = param(
        1.21,
        "Shortage of second-degree lessons (vmbo and lower years) at the first census over the "
        "shortage of all lessons; the first-degree lessons' rate follows from the total.",
        unit="ratio",
        source="[D] Oct 2023: second-degree lessons 7.0% short [S] against 5.8% for all [S]",
        group="region",
        ge=0.5,
        le=3.0,
        plausible=(1.0, 1.4),
    )
    initial_shortage_by_subject: tuple[float, ...] = param(
        _subjects(0.096, 0.052, 0.067, 0.063, 0.102, 0.030, 0.030),
        "Relative profile of the 2023 shortage per subject group; rescaled to "
        "initial_shortage_rate.",
        unit="share",
        source="[S] national Oct 2023 by subject (Nederlands 9.6, talen 4.2-6.8, wiskunde 6.7, "
        "natuurkunde/scheikunde/NASK 4.3-8.8, techniek/informatica 10.0-10.3, geschiedenis 2.2); "
        "[E] 3% for arts and sport",
        group="region",
    )
    initial_shortage_school_sd: float = param(
        0.5,
        "Relative spread of the initial shortage across schools (lognormal sigma).",
        unit="1",
        source="assumption (0.2-0.8)",
        group="region",
        ge=0.0,
        le=2.0,
        plausible=(0.2, 0.8),
    )
    training_school_share: float = param(
        0.35,
        "Share of school sites that are training schools (opleidingsscholen).",
        unit="share",
        source="assumption (0.2-0.5)",
        group="region",
        ge=0.0,
        le=1.0,
        plausible=(0.2, 0.5),
    )
    own_induction_share: float = param(
        0.5,
        "Share of school boards that run an induction programme of their own (for all their "
        "sites).",
        unit="share",
        source="assumption (0.3-0.7)",
        group="region",
        ge=0.0,
        le=1.0,
        plausible=(0.3, 0.7),
    )

    # ---------------------------------------------------------------- pipeline
    training_intake_trend_per_year: float = param(
        -0.028,
        "Yearly change of the intake into teacher training (school leavers' choice and outside "
        "intake alike), compounded from the start year.",
        unit="share/year",
        source="[D] VO teacher-training diplomas about 6.05k (2015) -> 5.1k (2021) [S] (STAMOS "
        "9.30.6): -2.8% a year; the Dec 2024 trend report blames rising subject shortages on "
        "falling training intake [S]. Carried forward: [E], range -4% to 0% a year",
        group="pipeline",
        ge=-0.2,
        le=0.2,
        plausible=(-0.04, 0.0),
    )
    training_intake_trend_last_year: int = param(
        2028,
        "Last calendar year in which training_intake_trend_per_year applies; the intake stays "
        "at that year's level afterwards (apart from the labour-market response).",
        unit="year",
        source="[E] the fall is seen in the diplomas of 2015-2021 [S] and named again in the "
        "Dec 2024 trend report [S]; no source says how long it lasts. Default: the end of the "
        "national forecast's horizon (2028, the Mirror forecast [S]); range 2024 (the last year "
        "a source names the fall) to 2040 (the fall carried to the horizon)",
        group="pipeline",
        ge=1990,
        le=2100,
        plausible=(2024, 2040),
        prior="uniform",
    )
    training_intake_trend_before_start: float = param(
        0.0,
        "Yearly change of the intake into teacher training in the years before the start: the "
        "students in training at the first census entered under it, so a falling intake before "
        "the start gives more students in the later study years (0: the pipeline is level).",
        unit="share/year",
        source="model design; 0 keeps the initial pipeline level. The hindcast from 2015 sets "
        "-0.028: diplomas fell about 6.05k (2015) -> 5.1k (2021) [S], so the intake had been "
        "falling before 2015 [D]; range -4% to 0% a year [E]",
        group="pipeline",
        ge=-0.2,
        le=0.2,
        plausible=(-0.04, 0.0),
    )
    training_choice_rate: float = param(
        0.025,
        "Share of the region's havo/vwo exam cohort that starts a teacher-training "
        "programme in the region.",
        unit="share",
        source="assumption (0.01-0.04)",
        group="pipeline",
        ge=0.0,
        le=0.5,
        plausible=(0.01, 0.04),
    )
    outside_intake_scale: float = param(
        1.0,
        "Multiplier on every programme's intake from outside the region's school leavers.",
        unit="1",
        source="assumption (0.5-1.5)",
        group="pipeline",
        ge=0.0,
        le=10.0,
        plausible=(0.5, 1.5),
    )
    graduate_subject_share: tuple[float, ...] = param(
        _subjects(0.10, 0.15, 0.08, 0.10, 0.03, 0.24, 0.30),
        "Share of new students per subject group (order of SUBJECT_GROUPS).",
        unit="share",
        source="assumption (shortage subjects draw fewer students; cf. DfE completion by subject)",
        group="pipeline",
        prior="dirichlet",
        concentration=100.0,
        grade="E",
    )
    student_dropout_first_year: float = param(
        0.25,
        "Share of first-year students who drop out.",
        unit="share/year",
        source="assumption (0.15-0.35)",
        group="pipeline",
        ge=0.0,
        le=1.0,
        plausible=(0.15, 0.35),
    )
    student_dropout_later_year: float = param(
        0.06,
        "Yearly dropout share of students after their first year.",
        unit="share/year",
        source="assumption (0.03-0.1)",
        group="pipeline",
        ge=0.0,
        le=1.0,
        plausible=(0.03, 0.1),
    )
    on_time_graduation_share: float = param(
        0.6,
        "Share of students in their last nominal year who graduate that year.",
        unit="share",
        source="assumption (0.4-0.8)",
        group="pipeline",
        ge=0.0,
        le=1.0,
        plausible=(0.4, 0.8),
    )
    slow_finisher_graduation_rate: float = param(
        0.35,
        "Yearly graduation share of students past their nominal duration.",
        unit="share/year",
        source="assumption (0.2-0.5)",
        group="pipeline",
        ge=0.0,
        le=1.0,
        plausible=(0.2, 0.5),
    )
    slow_finisher_dropout_rate: float = param(
        0.2,
        "Yearly dropout share of students past their nominal duration.",
        unit="share/year",
        source="assumption (0.1-0.3)",
        group="pipeline",
        ge=0.0,
        le=1.0,
        plausible=(0.1, 0.3),
    )
    internship_places_per_training_school: int = param(
        14,
        "Internship places a training school offers each year.",
        unit="students",
        source="assumption (8-20)",
        group="pipeline",
        ge=0,
        le=500,
        plausible=(8, 20),
    )
    internship_places_other_school: int = param(
        2,
        "Internship places a school that is not a training school offers each year.",
        unit="students",
        source="assumption (0-4)",
        group="pipeline",
        ge=0,
        le=100,
        plausible=(0, 4),
    )
    graduate_entry_interned_in_region: float = param(
        0.62,
        "Share of graduates who interned in the region that take a teaching job here.",
        unit="share",
        source="[S] 52% of graduates work in education a year later "
        "(Stamos 2016); split by internship is an assumption (0.5-0.75); fitted "
        "for rijnmond by experiments/calibrate.py",
        group="pipeline",
        ge=0.0,
        le=1.0,
        plausible=(0.5, 0.75),
        prior="truncnorm",
        grade="D",
    )
    graduate_entry_other: float = param(
        0.35,
        "Share of graduates who interned outside the region that take a teaching job here.",
        unit="share",
        source="assumption (0.2-0.45); see graduate_entry_interned_in_region; fitted for rijnmond by experiments/calibrate.py",
        group="pipeline",
        ge=0.0,
        le=1.0,
        plausible=(0.2, 0.45),
        prior="truncnorm",
    )
    side_entrant_applicants_per_100_teachers: float = param(
        1.6,
        "Career changers who apply to become a side-entrant each year, per 100 teachers.",
        unit="persons/100 teachers/year",
        source="[D] zij-instroom subsidies 2,285 (PO+VO+MBO, 2023); VO share assumed (1-2.5)",
        group="pipeline",
        ge=0.0,
        le=50.0,
        plausible=(0.8, 2.5),
    )
    side_entrant_duration_years: int = param(
        2,
        "Years a side-entrant teaches while qualifying.",
        unit="years",
        source="[S] Leraar van Buiten: about two years",
        group="pipeline",
        ge=1,
        le=5,
    )
    side_entrant_dropout_per_year: float = param(
        0.07,
        "Yearly dropout share of unsupported side-entrants.",
        unit="share/year",
        source="fitted by experiments/calibrate.py to 83% of a side-entrant cohort still in "
        "education after 5 years [S] (DUO/OCW, 2014 cohort, all sectors); the default 0.07 is "
        "only the search's start (it gave about 82% with the previous fit's other values); "
        "replaces the earlier [E] guess of 20-30% dropout over the route (0.14)",
        group="pipeline",
        ge=0.0,
        le=1.0,
        plausible=(0.01, 0.2),
        prior="truncnorm",
    )
    supported_side_entrant_dropout_rr: float = param(
        0.6,
        "Relative dropout risk of side-entrants with a mentor and a warm welcome.",
        unit="ratio",
        source="[E] no causal estimate; assumption (0.4-1.0: from a large effect to none)",
        group="pipeline",
        ge=0.0,
        le=1.0,
        plausible=(0.4, 1.0),
        prior="triangular",
        grade="E",
    )
    mentor_places_training_school: int = param(
        4,
        "Side-entrants a training school can mentor at a time.",
        unit="persons",
        source="assumption (2-6)",
        group="pipeline",
        ge=0,
        le=100,
        plausible=(2, 6),
    )
    mentor_places_other_school: int = param(
        1,
        "Side-entrants another school can mentor on its own at a time.",
        unit="persons",
        source="assumption (0-1)",
        group="pipeline",
        ge=0,
        le=100,
        plausible=(0, 1),
    )

    # ----------------------------------------------------------- labour market
    contract_fte_shares: tuple[float, float, float] = param(
        (0.08, 0.29, 0.63),
        "Shares of contracts of at most 0.5 fte, 0.5-0.8 fte and over 0.8 fte.",
        unit="share",
        source="[S] DUO trend report 2019 via ocwincijfers.nl",
        group="labour_market",
    )
    age_distribution: tuple[float, ...] = param(
        (0.230, 0.258, 0.107, 0.232, 0.173),
        "Initial share of teachers per age band (under 30, 30-39, 40-49, 50-59, 60+); within a "
        "band ages follow the steady flow of entrants and the exit hazards "
        "(sim.model.agents.initial_ages), up to the pension age less one.",
        unit="share",
        source="[D] the profile closest (chi-square) to the 2013-16 one (14.9/23.7/20.7/28.0/"
        "12.6% [D], mean 44.9) that meets the 2022 structure, 28% of teacher fte aged 55+ and "
        "mean age 43.1 (VO-raad Sectorrapportage 2023) [S], with fte independent of age and the "
        "within-band shapes of the rijnmond defaults (55+ = 0.461 x the 50-59 share + the 60+ "
        "share)",
        group="labour_market",
    )
    exit_hazard_by_age: tuple[float, ...] = param(
        (0.036, 0.030, 0.030, 0.028, 0.10),
        "Yearly hazard of leaving education per age band for teachers past their starter years "
        "(60+ counts as retirement).",
        unit="share/year",
        source="[S] exits by age 7.5/3.8/3.7/3.5/19.4% (DUO 2013-17) less starters and region "
        "moves; fitted by experiments/calibrate.py",
        group="labour_market",
    )
    starter_exit_hazard: tuple[float, ...] = param(
        (0.17, 0.027, 0.027, 0.027, 0.027),
        "Yearly hazard of leaving education in teaching years 1-5, without induction.",
        unit="share/year",
        source="[S] DUO starters: 19-21% gone after 1 yr, 24-25% after 3, 29-31% after 5; "
        "fitted by experiments/calibrate.py",
        group="labour_market",
    )
    retirement_age: float = param(
        67.0,
        "State pension (AOW) age before pension_age_rise_year: everyone still teaching retires, "
        "and everyone in the silent reserve leaves it, at the pension age of the calendar year "
        "(a fractional age acts on whole ages as in sim.model.reserve.retirement_share).",
        unit="years",
        source="[S] AOW age 67 for 2024-27 (Rijksoverheid)",
        group="labour_market",
        ge=55.0,
        le=75.0,
    )
    pension_age_rise: float = param(
        0.25,
        "Rise of the pension age from pension_age_rise_year on (0.25 years = 3 months).",
        unit="years",
        source="[S] AOW age 67 years 3 months from 2028 (Rijksoverheid)",
        group="labour_market",
        ge=0.0,
        le=5.0,
    )
    pension_age_rise_year: int = param(
        2028,
        "First calendar year of the raised pension age.",
        unit="year",
        source="[S] AOW age 67 years 3 months from 2028 (Rijksoverheid)",
        group="labour_market",
        ge=2000,
        le=2100,
    )
    initial_late_entry_share: float = param(
        0.3,
        "Share of the initial teachers who entered teaching at 27-49 (part-time training, "
        "side-entrants) rather than at 22-26 (full-time training); sets the experience of the "
        "initial staff from their age (the same entry ages as new hires).",
        unit="share",
        source="[E] assumption (0.15-0.45); side-entrants 100-150 a year nationally [S] and "
        "part-time programmes are a minority of the 5.1k diplomas [S]",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.15, 0.45),
    )
    temporary_contract_share_new_hire: float = param(
        0.6,
        "Share of new hires who start on a temporary contract.",
        unit="share",
        source="[S] 82% permanent overall (ocwincijfers.nl); new-hire share assumption (0.4-0.8)",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.4, 0.8),
    )
    temporary_to_permanent_rate: float = param(
        0.5,
        "Yearly chance that a temporary contract becomes permanent.",
        unit="share/year",
        source="assumption (0.3-0.8); CAO: a permanent contract after at most a year or two",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.3, 0.8),
    )
    initial_temporary_share: float = param(
        0.18,
        "Share of teachers on a temporary contract at the first census.",
        unit="share",
        source="[S] 82% permanent contracts, 2019",
        group="labour_market",
        ge=0.0,
        le=1.0,
    )
    temporary_exit_rr: float = param(
        1.4,
        "Relative exit hazard of teachers on a temporary contract.",
        unit="ratio",
        source="[S] direction: Voion, Kenmerken van uitval; size assumption (1.1-2.0)",
        group="labour_market",
        ge=1.0,
        le=5.0,
        plausible=(1.1, 2.0),
    )
    small_contract_exit_rr: float = param(
        1.3,
        "Relative exit hazard of teachers with a contract under 0.5 fte.",
        unit="ratio",
        source="[S] direction: Voion; size assumption (1.0-1.8)",
        group="labour_market",
        ge=1.0,
        le=5.0,
        plausible=(1.0, 1.8),
    )
    workload_exit_sensitivity: float = param(
        3.0,
        "Extra relative exit hazard per unit of a school's workload pressure above "
        "workload_threshold.",
        unit="1/share",
        source="assumption (0-8); fitted for rijnmond by experiments/calibrate.py",
        group="labour_market",
        ge=0.0,
        le=50.0,
        plausible=(0.0, 8.0),
        prior="truncnorm",
    )
    workload_threshold: float = param(
        0.04,
        "Workload pressure (open + weighted hidden shortage share) a school absorbs "
        "without extra exits.",
        unit="share",
        source="assumption (0-0.08)",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.0, 0.08),
    )
    hidden_workload_weight: float = param(
        0.5,
        "Weight of hidden shortage, relative to open vacancies, in workload pressure.",
        unit="1",
        source="assumption (0.2-1)",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.2, 1.0),
    )
    leave_region_rate: float = param(
        0.012,
        "Yearly share of teachers who move to a school in another region (the mobility rate; "
        "in-migrant seekers follow it times inmigration_ratio).",
        unit="share/year",
        source="[E] assumption (0.005-0.03)",
        group="labour_market",
        ge=0.0,
        le=0.5,
        plausible=(0.005, 0.03),
        prior="loguniform",
    )
    inmigration_ratio: float = param(
        1.0,
        "Teachers from other regions seeking a job here per teacher leaving for another region: "
        "in-migrant seekers a year = teachers x leave_region_rate x this ratio; 1 is symmetric.",
        unit="ratio",
        source="[E] assumption: symmetric without a source (0.5-1.5)",
        group="labour_market",
        ge=0.0,
        le=10.0,
        plausible=(0.5, 1.5),
    )
    silent_reserve_per_teacher: float = param(
        0.66,
        "Qualified people under the pension age outside teaching (silent reserve) per teacher "
        "at the start; their ages and years out follow the steady flow of leavers "
        "(sim.model.reserve.SilentReserve.steady_state).",
        unit="persons/teacher",
        source="[D] about 120k people hold a VO qualification, about 70k of them work in "
        "education (CentERdata 2017) [S]: 50k outside education / 75.3k VO teachers (2019) [S]; "
        "lower bound 52k VO+MBO (2015) [S]; range 0.4-0.9",
        group="labour_market",
        ge=0.0,
        le=5.0,
        plausible=(0.4, 0.9),
    )
    returner_rate: float = param(
        0.10,
        "Yearly share of the silent reserve in their first year out (left this year) who seek "
        "to return to teaching; it falls with years out by returner_rate_decline.",
        unit="share/year",
        source="[E] assumption (0.03-0.2); fitted for rijnmond by experiments/calibrate.py",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.03, 0.2),
        prior="truncnorm",
        grade="D",
    )
    returner_rate_decline: float = param(
        0.15,
        "Relative fall of the return hazard per year out: hazard(y) = returner_rate x "
        "(1 - decline)^y (0.15 halves it in about 4 years).",
        unit="share/year",
        source="[E] assumption (0.05-0.3); direction: the longer out, the less likely to return; "
        "fitted for rijnmond by experiments/calibrate.py",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.05, 0.3),
        prior="truncnorm",
        grade="D",
    )
    seeker_first_degree_share: float = param(
        0.35,
        "Share of returners and teachers from other regions who hold a first-degree "
        "qualification (the rest hold a second-degree one).",
        unit="share",
        source="assumption (0.2-0.5); about a third of VO teachers hold a first degree",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.2, 0.5),
    )
    outside_labour_market_tightness: float = param(
        1.0,
        "Pull of the outside labour market: >1 means fewer career changers and "
        "returners (they divide by it).",
        unit="1",
        source="assumption (0.6 slack - 1.6 tight)",
        group="labour_market",
        ge=0.1,
        le=10.0,
        plausible=(0.6, 1.6),
    )
    inflow_shortage_response: float = param(
        10.0,
        "Relative rise of the people outside teaching who seek a teaching job (the silent "
        "reserve's return hazard and the career changers applying as side-entrants) per unit "
        "rise of the region's shortage rate since the start year, seen a year late (10: two "
        "points more shortage, 20% more returners and applicants).",
        unit="1/shortage rate",
        source="[E] direction: the ministry's forecasting model (Mirror) fills vacancies from "
        "the silent reserve, and side-entrant subsidies (all sectors) rose from 918 (2018) to "
        "2,285 (2023) [S] while shortages rose, part of it budget; size not measured, range "
        "0 (no pull) to 30",
        group="labour_market",
        ge=0.0,
        le=200.0,
        plausible=(0.0, 30.0),
        prior="uniform",
    )
    mover_search_rate: float = param(
        0.06,
        "Yearly share of teachers who look for a job at another school.",
        unit="share/year",
        source="assumption (0.02-0.1); Voion Mobiliteit in het vo",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.02, 0.1),
    )
    mover_attractiveness_margin: float = param(
        0.1,
        "How much more attractive another school must be before a searching teacher moves.",
        unit="attractiveness",
        source="assumption (0-0.5)",
        group="labour_market",
        ge=0.0,
        le=10.0,
        plausible=(0.0, 0.5),
    )
    hiring_rounds: int = param(
        4,
        "Rounds of the yearly hiring season: in each round a job seeker still looking sends "
        "applications_per_round applications (to boards, or to the regional pool).",
        unit="rounds/year",
        source="[E] the VO hiring season runs from about March to the summer holidays; one round "
        "a month of posting, applying and interviewing; assumption (2-8)",
        group="labour_market",
        ge=1,
        le=20,
        plausible=(2, 8),
    )
    applications_per_round: int = param(
        2,
        "Applications a job seeker sends per round of the hiring season, each to one school "
        "board (isolated recruitment).",
        unit="applications/round",
        source="[E] no source for VO applicants; assumption (1-4)",
        group="labour_market",
        ge=1,
        le=20,
        plausible=(1, 4),
    )
    graduate_quit_per_round: float = param(
        0.15,
        "Probability that a graduate still without a job after a round stops looking in the "
        "region (takes a job outside the region or outside education).",
        unit="share/round",
        source="[E] 52% of VO teacher-training graduates work in education a year later "
        "(Stamos 2016) bounds the total loss; per round an assumption (0.05-0.3)",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.05, 0.3),
    )
    returner_quit_per_round: float = param(
        0.3,
        "Probability that a returner still without a job after a round goes back to the "
        "silent reserve (stays in their job outside teaching).",
        unit="share/round",
        source="[E] assumption (0.1-0.5): returners hold a job or stay at home and look "
        "less persistently",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.1, 0.5),
    )
    inmigrant_quit_per_round: float = param(
        0.3,
        "Probability that a teacher from another region still without a job here after a round "
        "gives up (does not come).",
        unit="share/round",
        source="[E] assumption (0.1-0.5): they keep their job elsewhere",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.1, 0.5),
    )
    side_entrant_quit_per_round: float = param(
        0.3,
        "Probability that a career changer still without a side-entrant place after a round "
        "gives up (stays in their current job).",
        unit="share/round",
        source="[E] assumption (0.1-0.5)",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.1, 0.5),
    )
    match_fte_tolerance: float = param(
        0.1,
        "How much a vacancy's open hours may fall short of a seeker's contract and still hold "
        "them (the school absorbs the difference in task hours): a seeker fits a vacancy when "
        "contract <= open + this. Used by every matching and by the boards' own moves.",
        unit="fte",
        source="[E] one step of contract size (0.1 fte, about 4 hours a week); assumption (0-0.2)",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.0, 0.2),
    )
    first_degree_upper_year_weight: float = param(
        1.0,
        "How much a first-degree job seeker prefers upper-year (first-degree) lessons when "
        "schools recruit alone: an upper-year vacancy weighs this many times a lower-year one "
        "of the same size and attractiveness in the seeker's choice (1 = no preference). The "
        "regional pool already places first-degree seekers on upper-year lessons first.",
        unit="odds ratio",
        source="[E] assumption (1-20): first-degree teachers are qualified for every year but "
        "prefer the upper years; no measured size",
        group="labour_market",
        ge=1.0,
        le=1000.0,
        plausible=(1.0, 20.0),
        prior="loguniform",
    )
    attractiveness_site_sd: float = param(
        0.0,
        "Spread of a random fixed attractiveness per school site. 0 by default: schools "
        "differ through their pupils (vmbo share) and workload, not through a random number "
        "that no source measures; set it > 0 only as a sensitivity check.",
        unit="attractiveness",
        source="model design (0); sensitivity range 0-0.6 [E]",
        group="labour_market",
        ge=0.0,
        le=5.0,
        plausible=(0.0, 0.6),
    )
    attractiveness_vmbo_weight: float = param(
        0.5,
        "Loss of attractiveness per unit vmbo share of a school's pupils.",
        unit="attractiveness",
        source="assumption (0-1)",
        group="labour_market",
        ge=0.0,
        le=5.0,
        plausible=(0.0, 1.0),
    )
    attractiveness_workload_weight: float = param(
        4.0,
        "Loss of attractiveness per unit of workload pressure.",
        unit="attractiveness/share",
        source="assumption (0-10)",
        group="labour_market",
        ge=0.0,
        le=50.0,
        plausible=(0.0, 10.0),
    )
    hours_change_rate: float = param(
        0.06,
        "Yearly share of teachers who change their contract hours by 0.1 fte.",
        unit="share/year",
        source="assumption (0.02-0.1)",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.02, 0.1),
    )
    hours_increase_share: float = param(
        0.5,
        "Share of hour changes that are increases at a school without workload pressure.",
        unit="share",
        source="[S] 25% of part-timers would add 0.2 fte (primary, 2025); assumption (0.25-0.75)",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.25, 0.75),
    )
    workload_hours_cut_sensitivity: float = param(
        5.0,
        "How fast workload pressure turns hour increases into cuts: the share of increases is "
        "hours_increase_share x (1 - this x pressure), at least 0.",
        unit="1/share",
        source="assumption (2-10): at 20% pressure no teacher adds hours",
        group="labour_market",
        ge=0.0,
        le=100.0,
        plausible=(2.0, 10.0),
    )
    unqualified_cap_share: float = param(
        0.08,
        "Cap on lessons a school covers by staff without the required qualification, as "
        "a share of its demand.",
        unit="share",
        source="[S] 2019: 3.7% unqualified + 8.4% benoembaar (IPTO); cap assumption (0.05-0.12); fitted for rijnmond by experiments/calibrate.py",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.05, 0.12),
        prior="truncnorm",
    )
    stopgap_fill_share: float = param(
        0.5,
        "Share of a school's remaining gap (within the cap) that stop-gaps can cover: "
        "extra hours, out-of-field teaching, unqualified temporary staff.",
        unit="share",
        source="assumption (0.3-0.8); fitted for rijnmond by experiments/calibrate.py",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.3, 0.8),
        prior="truncnorm",
    )
    feedbacks: bool = param(
        True,
        "Whether school workload feeds back into exits, hours and attractiveness "
        "(off for verification against the closed-form stock-and-flow path).",
        unit="switch",
        source="model design",
        group="labour_market",
    )
    # ------------------------------------------------------ homes and commuting
    home_distance_scale_km: float = param(
        10.0,
        "Distance at which the weight of a municipality as the home of a member of staff falls "
        "by a factor e (initial staff live near their school: weight population x "
        "exp(-distance / scale)).",
        unit="km",
        source="[E] assumption (5-20); no regional source for teachers' home-work distances",
        group="labour_market",
        ge=0.5,
        le=200.0,
        plausible=(5.0, 20.0),
    )
    max_commute_km_median: float = param(
        25.0,
        "Median over people of the longest commute (straight-line km) a person accepts for a "
        "job; people differ (log-normal).",
        unit="km",
        source="[E] assumption (15-40)",
        group="labour_market",
        ge=1.0,
        le=500.0,
        plausible=(15.0, 40.0),
    )
    max_commute_km_log_sd: float = param(
        0.5,
        "Spread between people of the longest accepted commute (sd of its logarithm).",
        unit="log km",
        source="[E] assumption (0.2-0.8)",
        group="labour_market",
        ge=0.0,
        le=3.0,
        plausible=(0.2, 0.8),
    )
    taste_commute_per_km_max: float = param(
        0.04,
        "Job choice: each person weighs a km of commute (home to school, straight line) by their "
        "own weight, drawn once per person uniformly between 0 and this (loss of attractiveness "
        "per km; at 0.04, 25 km weigh 1, twice what a school of only vmbo pupils loses by default).",
        unit="attractiveness/km",
        source="assumption (0-0.1); no source on how Dutch teachers trade commute against school",
        group="labour_market",
        ge=0.0,
        le=10.0,
        plausible=(0.0, 0.1),
    )
    taste_vmbo_spread: float = param(
        0.5,
        "Job choice: each person's weight of a school's vmbo share (loss of attractiveness per "
        "unit vmbo share) is attractiveness_vmbo_weight plus a uniform draw between minus and "
        "plus this, once per person (negative weights: people who prefer vmbo). The reference "
        "shows vmbo is harder to staff (unqualified lessons vmbo 5.5%, havo 2.5%, vwo 1.8%), "
        "consistent with a positive mean weight, not with any spread.",
        unit="attractiveness",
        source="assumption (0-1); cf. IPTO 2020 unqualified share by school type [S]",
        group="labour_market",
        ge=0.0,
        le=10.0,
        plausible=(0.0, 1.0),
    )
    taste_workload_spread: float = param(
        2.0,
        "Job choice: each person's weight of a school's workload pressure is "
        "attractiveness_workload_weight plus a uniform draw between minus and plus this "
        "(drawn once per person, floored at 0).",
        unit="attractiveness/share",
        source="assumption (0-4)",
        group="labour_market",
        ge=0.0,
        le=50.0,
        plausible=(0.0, 4.0),
    )
    taste_standing_spread: float = param(
        0.5,
        "Job choice: each person weighs the school's standing (its own attractiveness, "
        "attractiveness_base) by 1 plus a uniform draw between minus and plus this (drawn "
        "once per person). Standing is 0 for every school by default (attractiveness_site_sd = 0), so "
        "this weight acts only when schools are given a standing.",
        unit="ratio",
        source="assumption (0-1)",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.0, 1.0),
    )
    commute_mover_rr: float = param(
        2.0,
        "Rate ratio of looking for another school for a teacher whose commute is longer than "
        "they accept.",
        unit="ratio",
        source="[E] assumption (1-4)",
        group="labour_market",
        ge=1.0,
        le=20.0,
        plausible=(1.0, 4.0),
    )
    commute_exit_rr: float = param(
        1.2,
        "Rate ratio of leaving education for a teacher whose commute is longer than they accept.",
        unit="ratio",
        source="[E] assumption (1-2)",
        group="labour_market",
        ge=1.0,
        le=10.0,
        plausible=(1.0, 2.0),
    )
    workload_mover_sensitivity: float = param(
        2.0,
        "Rise of the rate of looking for another school per unit of the school's workload "
        "pressure above workload_threshold (when feedbacks are on).",
        unit="1/pressure",
        source="[E] assumption (0-5)",
        group="labour_market",
        ge=0.0,
        le=50.0,
        plausible=(0.0, 5.0),
    )
    graduate_internship_application: float = param(
        0.5,
        "Probability that a graduate who interned at a school of the region first applies to "
        "the board of that school, before the hiring season's rounds.",
        unit="probability",
        source="[E] assumption (0.2-0.8)",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.2, 0.8),
    )

    # ------------------------------------------------------ programmes respond
    intake_shortage_response: float = param(
        1.0,
        "Relative change of teacher-training intake per unit change of the region's shortage "
        "rate since the start year, seen intake_response_lag_years late (job prospects draw "
        "school leavers and career starters; 1.0: +2 points of shortage, +2% intake).",
        unit="1/shortage rate",
        source="[E] assumption (0-4); the 2015-2021 diploma fall (6.05k -> 5.1k [S]) with a "
        "rising shortage suggests a weak pull",
        group="pipeline",
        ge=0.0,
        le=20.0,
        plausible=(0.0, 4.0),
    )
    intake_response_lag_years: int = param(
        4,
        "Years between a shortage and the intake it draws (prospects seen at the choice of study).",
        unit="years",
        source="[E] assumption (2-6)",
        group="pipeline",
        ge=0,
        le=15,
        plausible=(2, 6),
    )

    # --------------------------------------------------------- schools respond
    extra_hours_acceptance: float = param(
        0.25,
        "Share of the part-time teachers a short school asks who take on extra_hours_fte more "
        "for a bonus.",
        unit="share",
        source="[S] a quarter of part-timers would add 0.2 fte for a bonus (primary "
        "education, reference file); secondary assumed alike [E]",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.1, 0.4),
    )
    extra_hours_fte: float = param(
        0.2,
        "Extra contract fte a part-timer who says yes takes on (0 switches the response off).",
        unit="fte",
        source="[S] 0.2 fte (primary education, reference file)",
        group="labour_market",
        ge=0.0,
        le=0.5,
    )
    extra_hours_bonus_eur_per_fte: float = param(
        9_000.0,
        "Yearly bonus per fte of extra hours, on top of the wage (counted in "
        "extra_hours_bonus_eur).",
        unit="EUR/fte/year",
        source="[E] assumption: 10% of staff_cost_eur_per_fte (5-20%)",
        group="labour_market",
        ge=0.0,
        le=100_000.0,
        plausible=(4_500.0, 18_000.0),
    )
    early_recruitment_threshold: float = param(
        0.1,
        "Open share of a school's demand at posting from which the school recruits early: its "
        "vacancies go into a first matching round of their own, before the region's main "
        "season, so it gets first pick of graduates, returners and teachers from elsewhere "
        "(1.0 or more switches the response off).",
        unit="share",
        source="[E] assumption (0.05-0.2)",
        group="labour_market",
        ge=0.0,
        le=10.0,
        plausible=(0.05, 0.2),
    )
    early_recruitment_max_fte: float = param(
        1.0,
        "Limit of early recruitment: fte a short school posts early per subject group and "
        "level (the rest waits for the main season).",
        unit="fte",
        source="[E] assumption (0.5-2)",
        group="labour_market",
        ge=0.0,
        le=20.0,
        plausible=(0.5, 2.0),
    )
    early_recruitment_cost_eur_per_school: float = param(
        5_000.0,
        "Yearly cost of recruiting early for a school that does (campaign, earlier offers, "
        "staff time; counted in early_recruitment_cost_eur).",
        unit="EUR/school/year",
        source="[E] assumption (2,000-10,000)",
        group="labour_market",
        ge=0.0,
        le=1_000_000.0,
        plausible=(2_000.0, 10_000.0),
    )
    unqualified_hire_cap_share: float = param(
        0.05,
        "Limit on unqualified temporary staff a short school hires as a stop-gap, as a share "
        "of its demand (within unqualified_cap_share for all unqualified teaching).",
        unit="share",
        source="[E] assumption (0.03-0.08); [S] 3.7% unqualified in 2019 (IPTO)",
        group="labour_market",
        ge=0.0,
        le=1.0,
        plausible=(0.03, 0.08),
    )
    unqualified_hire_cost_eur_per_fte: float = param(
        20_000.0,
        "Yearly extra cost per fte of unqualified temporary staff a school hires, beyond a "
        "teacher's wage (agency or freelance premium; counted in unqualified_hire_cost_eur).",
        unit="EUR/fte/year",
        source="[E] assumption (10,000-40,000)",
        group="labour_market",
        ge=0.0,
        le=1_000_000.0,
        plausible=(10_000.0, 40_000.0),
    )
    class_enlargement_cap_share: float = param(
        0.01,
        "Limit on lessons a short school drops by enlarging classes or trimming the lesson "
        "table, as a share of its demand (0 switches the response off); the dropped lessons "
        "count as hidden shortage of their own kind (class_enlargement_fte).",
        unit="share",
        source="[E] assumption (0-0.03)",
        group="labour_market",
        ge=0.0,
        le=0.5,
        plausible=(0.0, 0.03),
    )
    class_enlargement_cost_eur_per_fte: float = param(
        9_000.0,
        "Yearly allowance per fte of dropped lessons paid to the teachers who take the larger "
        "classes (counted in class_enlargement_cost_eur; the price to pupils is "
        "class_enlargement_pupils).",
        unit="EUR/fte/year",
        source="[E] assumption: 10% of staff_cost_eur_per_fte (5-20%)",
        group="labour_market",
        ge=0.0,
        le=1_000_000.0,
        plausible=(4_500.0, 18_000.0),
    )
    internship_choices: int = param(
        3,
        "Nearest partnership schools a final-year student tries for an internship place, "
        "one a round, before taking any free place of their institute's schools.",
        unit="schools",
        source="[E] assumption (1-5)",
        group="pipeline",
        ge=1,
        le=50,
        plausible=(1, 5),
    )

    # ----------------------------------------------------------- policy levers
    staff_cost_eur_per_fte: float = param(
        90_000.0,
        "Yearly employer cost of one fte of staff time, to price fte costs in euros.",
        unit="EUR/fte/year",
        source="assumption (75k-100k, CAO VO scale LD incl. charges)",
        group="policy_levers",
        ge=0.0,
        le=1e6,
        plausible=(75_000.0, 100_000.0),
    )
    pool_coordination_fte: float = param(
        2.0,
        "Regional vacancy pool: coordination staff.",
        unit="fte/year",
        source="assumption (1-4)",
        group="policy_levers",
        ge=0.0,
        le=100.0,
        plausible=(1.0, 4.0),
    )
    no_poaching_coordination_fte: float = param(
        0.3,
        "No-poaching agreement: staff time to keep the agreement.",
        unit="fte/year",
        source="assumption (0.1-1)",
        group="policy_levers",
        ge=0.0,
        le=100.0,
        plausible=(0.1, 1.0),
    )
    shared_appointment_max_km: float = param(
        15.0,
        "Largest distance between two schools of one shared appointment.",
        unit="km",
        source="assumption (5-25)",
        group="policy_levers",
        ge=0.0,
        le=500.0,
        plausible=(5.0, 25.0),
    )
    shared_appointment_travel_fte: float = param(
        0.02,
        "Teaching time a shared appointment loses to travel and coordination.",
        unit="fte/appointment",
        source="assumption (0-0.05)",
        group="policy_levers",
        ge=0.0,
        le=0.5,
        plausible=(0.0, 0.05),
    )
    shared_appointment_admin_eur: float = param(
        1_000.0,
        "Administrative cost per shared appointment per year.",
        unit="EUR/appointment/year",
        source="assumption (500-2000)",
        group="policy_levers",
        ge=0.0,
        le=1e6,
        plausible=(500.0, 2000.0),
    )
    induction_exit_rr: float = param(
        0.75,
        "Relative starter exit hazard with induction (years 1-3).",
        unit="ratio",
        source="[S] Helms-Lorenz et al. 2016 (Dutch RCT: 14% vs 12% gone after 3 years, rr "
        "0.86, not significant); Glazerman et al. 2010 (US RCT: no effect, rr 1.0); Smith & "
        "Ingersoll 2004 (observational, larger). The size is an assumption (0.6-1.0, mode "
        "0.75)",
        group="policy_levers",
        ge=0.0,
        le=1.0,
        plausible=(0.6, 1.0),
        prior="triangular",
        grade="E",
    )
    induction_mentor_fte_per_starter: float = param(
        0.05,
        "Mentor time per starter or side-entrant in induction.",
        unit="fte/starter/year",
        source="assumption (0.03-0.1)",
        group="policy_levers",
        ge=0.0,
        le=1.0,
        plausible=(0.03, 0.1),
    )
    joint_induction_coordination_fte: float = param(
        0.5,
        "Joint induction: regional coordination.",
        unit="fte/year",
        source="assumption (0.2-1)",
        group="policy_levers",
        ge=0.0,
        le=100.0,
        plausible=(0.2, 1.0),
    )
    joint_side_entrant_extra_places_per_10_schools: float = param(
        2.0,
        "Joint side-entrant programme: extra mentor places per 10 school sites.",
        unit="persons/10 sites/year",
        source="assumption (1-4)",
        group="policy_levers",
        ge=0.0,
        le=100.0,
        plausible=(1.0, 4.0),
    )
    joint_side_entrant_cost_eur: float = param(
        6_000.0,
        "Joint side-entrant programme: regional cost per side-entrant per year "
        "(shared mentors, assessment, welcome).",
        unit="EUR/person/year",
        source="assumption (3k-10k)",
        group="policy_levers",
        ge=0.0,
        le=1e6,
        plausible=(3000.0, 10000.0),
    )
    internship_pool_coordination_fte: float = param(
        0.5,
        "Regional internship pool: coordination staff.",
        unit="fte/year",
        source="assumption (0.2-1)",
        group="policy_levers",
        ge=0.0,
        le=100.0,
        plausible=(0.2, 1.0),
    )
    outreach_choice_rr: float = param(
        1.25,
        "Relative rate at which exam pupils choose teacher training with outreach and "
        "guest teachers.",
        unit="ratio",
        source="[E] no causal estimate; assumption (1.0-1.5)",
        group="policy_levers",
        ge=1.0,
        le=5.0,
        plausible=(1.0, 1.5),
        prior="triangular",
    )
    outreach_fte_per_school: float = param(
        0.02,
        "Outreach: teacher time per school site for guest lessons and taster days.",
        unit="fte/site/year",
        source="assumption (0.01-0.05)",
        group="policy_levers",
        ge=0.0,
        le=1.0,
        plausible=(0.01, 0.05),
    )
    dual_qualification_rate: float = param(
        0.01,
        "Dual qualification: yearly share of teachers who start a second-subject "
        "qualification in the subject group with the largest regional shortage.",
        unit="share/year",
        source="assumption (0.005-0.02)",
        group="policy_levers",
        ge=0.0,
        le=0.2,
        plausible=(0.005, 0.02),
    )
    dual_qualification_years: int = param(
        2,
        "Years of the second-subject course.",
        unit="years",
        source="assumption (1-3)",
        group="policy_levers",
        ge=1,
        le=5,
        plausible=(1, 3),
    )
    dual_qualification_max_age: int = param(
        55,
        "Teachers from this age on do not start a second-subject course.",
        unit="years",
        source="assumption (50-60)",
        group="policy_levers",
        ge=18,
        le=70,
        plausible=(50, 60),
    )
    dual_qualification_cost_eur: float = param(
        5_000.0,
        "Course cost per teacher per course year.",
        unit="EUR/person/year",
        source="assumption (3k-8k)",
        group="policy_levers",
        ge=0.0,
        le=1e6,
        plausible=(3000.0, 8000.0),
    )
    dual_qualification_study_fte: float = param(
        0.1,
        "Teaching time a teacher on the course spends studying.",
        unit="fte/person",
        source="assumption (0.05-0.2)",
        group="policy_levers",
        ge=0.0,
        le=1.0,
        plausible=(0.05, 0.2),
    )
    slow_finisher_graduation_rr: float = param(
        1.5,
        "Relative yearly graduation rate of slow finishers who get help.",
        unit="ratio",
        source="[E] no causal estimate; assumption (1.0-2.0)",
        group="policy_levers",
        ge=1.0,
        le=5.0,
        plausible=(1.0, 2.0),
        prior="triangular",
    )
    slow_finisher_cost_eur: float = param(
        1_500.0,
        "Coaching cost per slow finisher per year.",
        unit="EUR/person/year",
        source="assumption (500-3000)",
        group="policy_levers",
        ge=0.0,
        le=1e6,
        plausible=(500.0, 3000.0),
    )
    experiment_unqualified_cap_share: float = param(
        0.14,
        "Cap on unqualified teaching while the region experiments with qualifications.",
        unit="share",
        source="assumption (0.1-0.2)",
        group="policy_levers",
        ge=0.0,
        le=1.0,
        plausible=(0.1, 0.2),
    )

    @model_validator(mode="after")
    def _check_profiles(self) -> Parameters:
        if self.pupils_total < 50 * self.school_sites:
            raise ValueError(
                f"school_sites: value {self.school_sites} is not allowed with pupils_total "
                f"{self.pupils_total}; allowed: at most pupils_total / 50 = "
                f"{self.pupils_total // 50} sites (a site needs at least 50 pupils)"
            )
        n = len(SUBJECT_GROUPS)
        for name, length, must_sum in (
            ("subject_demand_share", n, True),
            ("graduate_subject_share", n, True),
            ("initial_shortage_by_subject", n, False),
            ("contract_fte_shares", 3, True),
            ("age_distribution", len(AGE_BANDS), True),
            ("exit_hazard_by_age", len(AGE_BANDS), False),
            ("starter_exit_hazard", 5, False),
        ):
            value = getattr(self, name)
            if len(value) != length:
                raise ValueError(f"{name}: needs {length} values, got {len(value)}")
            if any(v < 0 or v > 1 for v in value):
                raise ValueError(f"{name}: every value must lie in [0, 1], got {value}")
            if must_sum and not math.isclose(sum(value), 1.0, abs_tol=0.01):
                raise ValueError(
                    f"{name}: values must add up to 1 (within 0.01), got sum {sum(value):.4f}"
                )
        return self

    # ------------------------------------------------------------ construction
    @classmethod
    def build(cls, values: dict[str, Any] | None = None, *, context: str = "") -> Parameters:
        """Validate ``values`` over the defaults and return the parameter object.

        Args:
            values: Parameter names and values; missing names keep their defaults.
            context: Where the values come from (e.g. a scenario file), for error messages.

        Raises:
            ParameterError: naming the parameter, the value given and what is allowed.
        """
        values = dict(values or {})
        where = f" (in {context})" if context else ""
        for name in values:
            if name not in cls.model_fields:
                close = difflib.get_close_matches(name, cls.model_fields, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise ParameterError(f"unknown parameter {name!r}{where}{hint}")
            values[name] = _coerce(name, values[name], cls.model_fields[name].annotation, where)
        try:
            return cls(**values)
        except ValidationError as exc:
            raise ParameterError(_explain(exc, values, where)) from None

    def with_overrides(self, **overrides: Any) -> Parameters:
        """Return a validated copy with some values replaced."""
        merged = self.model_dump()
        merged.update(overrides)
        return type(self).build(merged)

    @classmethod
    def info(cls) -> dict[str, ParamInfo]:
        """Documentation of every parameter, by name, in declaration order."""
        out = {}
        for name, field in cls.model_fields.items():
            extra = field.json_schema_extra or {}
            ge = le = None
            for meta in field.metadata:
                ge = getattr(meta, "ge", ge)
                le = getattr(meta, "le", le)
            ann = field.annotation
            plausible = extra.get("plausible")
            prior = None
            if "prior" in extra:
                lo, hi = plausible or (0.0, 0.0)
                prior = Prior(
                    name,
                    extra["prior"],
                    float(lo),
                    float(hi),
                    integer=ann is int,
                    concentration=float(extra.get("concentration") or 0.0),
                )
            out[name] = ParamInfo(
                name=name,
                default=field.default,
                doc=field.description or "",
                unit=extra["unit"],
                source=extra["source"],
                group=extra["group"],
                ge=ge,
                le=le,
                plausible=tuple(plausible) if plausible else None,
                integer=ann is int,
                boolean=ann is bool,
                sequence=ann not in (int, float, bool),
                grade=extra.get("grade"),
                prior=prior,
            )
        return out


def _coerce(name: str, value: Any, annotation: Any, where: str) -> Any:
    """Accept lists for tuple fields and ints for float fields; reject everything else early."""
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if annotation is float and isinstance(value, float) and not math.isfinite(value):
        raise ParameterError(
            f"parameter {name!r}{where}: value {value!r} is not allowed; it must be a finite number"
        )
    if annotation not in (int, float, bool) and isinstance(value, list | tuple):
        out = []
        for v in value:
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise ParameterError(
                    f"parameter {name!r}{where}: value {value!r} is not allowed; "
                    "it must be a list of finite numbers"
                )
            out.append(float(v))
        return tuple(out)
    if hasattr(value, "item") and not isinstance(value, list | tuple):  # numpy scalars
        return _coerce(name, value.item(), annotation, where)
    return value


def _explain(exc: ValidationError, values: dict[str, Any], where: str) -> str:
    infos = Parameters.info()
    lines = []
    for err in exc.errors():
        loc = err["loc"][0] if err["loc"] else None
        if loc is None or loc not in infos:
            lines.append(f"parameters{where}: {err['msg'].removeprefix('Value error, ')}")
            continue
        info = infos[loc]
        allowed = _allowed(info)
        lines.append(
            f"parameter {loc!r}{where}: value {values.get(loc)!r} is not allowed "
            f"({err['msg']}); allowed: {allowed}"
        )
    return "; ".join(lines)


def _allowed(info: ParamInfo) -> str:
    if info.boolean:
        return "true or false"
    kind = "a whole number" if info.integer else "a finite number"
    if info.sequence:
        return "a list of numbers in [0, 1]"
    lo = "-inf" if info.ge is None else f"{info.ge:g}"
    hi = "inf" if info.le is None else f"{info.le:g}"
    return f"{kind} in [{lo}, {hi}] ({info.unit})"


def parameter_names() -> list[str]:
    """All parameter names in declaration order."""
    return list(Parameters.model_fields)


def parse_assignments(items: list[str]) -> dict[str, object]:
    """Turn ``name=value`` strings into parameter overrides (values parsed as TOML literals).

    Raises:
        ParameterError: An item has no ``=``.
    """
    import tomllib

    out: dict[str, object] = {}
    for item in items:
        if "=" not in item:
            raise ParameterError(f"--set {item!r}: expected name=value")
        name, raw = item.split("=", 1)
        try:
            out[name.strip()] = tomllib.loads(f"v = {raw.strip()}")["v"]
        except tomllib.TOMLDecodeError:
            out[name.strip()] = raw.strip()
    return out
