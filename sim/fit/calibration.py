"""Calibration: observed targets with their sources, what a run says about each, and the fit.

The pieces, from the bottom up:

- :data:`TARGETS`: the observed figures the default region is held against, each with its source
  (a row of ``shared/reference/teacher-labour-market-nl.md``), how it is measured (a mean over a
  window of years, the value in a year, or the ratio of two years), whether it is *fitted* (in the
  objective, with a weight) or *held out* (only reported), and a tolerance for the report.
- :func:`simulate`: one run of a scenario; returns the simulated value of every target (and a few
  extra measures for the charts), measured the way the observed figure was measured.
- :func:`objective`: weighted sum of squared relative errors against the fitted targets; held-out
  targets never enter it.
- :data:`FREE_PARAMETERS` (checked by :func:`resolve_free_parameters`) and
  :func:`coordinate_search`: the uncertain parameters fitted, and a deterministic pattern search
  over them with common seeds (same seeds, same budget, same values).
- :func:`supported_ranges`: per fitted parameter, the values the search found within a tolerance
  of the best objective (the range parameter draws use as the calibrated parameter's prior).
- :func:`write_calibrated_block`: writes fitted values (and supported ranges) into a scenario
  file's ``[parameters]`` table between marker comments, keeping the rest of the file as it is.

The objective, the weights and how to rerun are documented in ``docs/calibration.md``.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.model.parameters import AGE_BANDS, Parameters
from sim.model.scenarios import SUPPORTED_RANGE_KEY, Scenario, ScenarioError, load_scenario

Measures = dict[str, float]
MapFn = Callable[[Callable[[Any], Any], Iterable[Any]], Iterable[Any]]

# Windows of simulated years, as offsets from the scenario's start year (census of 2023 = 0).
SHORTAGE_WINDOW = (0, 2)
"""Censuses 2023-2025: only the unqualified-share ratios by school type (held out) use it."""
RATE_WINDOW = (1, 12)
"""Exit rates, contract sizes and graduate entry: the years 2024-2035."""
AGE_WINDOW = (1, 5)
"""Age distribution: the years 2024-2028, nearest to the observed 2013-16 average."""
COHORT_WINDOW = (1, 12)
"""Starter attrition: cohorts of graduates who started in 2024-2035, pooled."""

NATIONAL_SHORTAGE_2023 = 0.058
"""[S] VO shortage Oct 2023, measured concept (open + hidden), 3,800 fte (CentERdata)."""
NATIONAL_SHORTAGE_FTE = {2023: 3_800.0, 2024: 3_800.0}
"""[S] measured VO shortage in fte, Oct 2023 and Oct 2024 (OCW; Trendrapportage Dec 2024)."""
NATIONAL_DEMAND_2023 = NATIONAL_SHORTAGE_FTE[2023] / NATIONAL_SHORTAGE_2023
"""[D] national teacher demand in fte, Oct 2023: 3,800 / 5.8% = about 65.5k."""
EMPLOYMENT_CHANGE_PER_YEAR = (58_441 / 60_892) ** (1 / 5) - 1
"""[D] yearly change of national teacher employment in the Mirror forecast (60,892 fte in 2023
to 58,441 in 2028 [S]): about -0.8% a year."""
PUPIL_CHANGE_2024 = 930.0 / 952.1 - 1
"""[D] pupils 2024/25 against 2023/24: about 930k [S] against the 952.1k peak [S], -2.3%."""
RIJNMOND_SHORTAGE_2023 = 0.069
"""[S] Rijnmond shortage Oct 2023 (ocwincijfers.nl)."""
ROTTERDAM_SHORTAGE_2023 = 0.061
"""[S] Rotterdam shortage Oct 2023 (ocwincijfers.nl, by labour-market region)."""
MIRROR_2023, MIRROR_2028 = 0.039, 0.050
"""[S] Mirror-concept national forecast: 3.9% in 2023, 5.0% in 2028 (VO-raad / Voion, Apr 2024)."""
MIRROR_RATIO_2028 = MIRROR_2028 / MIRROR_2023
"""[D] direction of the national forecast to 2028 as a ratio: 1.28."""
EARLIER_FORECAST_2026 = 0.045
"""[S] an earlier Mirror forecast for 2026 (Voion, Feb 2023): 4.5% — another vintage."""
IPTO_UNQUALIFIED = 0.037
"""[S] share of lessons by unqualified teachers, 2019 (IPTO)."""
IPTO_WITHOUT_FULL_QUALIFICATION = 0.037 + 0.084
"""[S] unqualified plus provisionally allowed ("benoembaar"), 2019 (IPTO)."""


def carried_national_rate(year: int, demand_change: float) -> float:
    """The national measured shortage rate in ``year`` from the fte counts (carrying rule).

    The shortage in fte of ``year`` [S] over the 2023 demand (3,800 / 5.8%) moved by
    ``demand_change`` a year: demand in fte is employment plus shortage, so it falls with
    employment (or with pupils) while the shortage in fte stays put.

    Args:
        year: A year of :data:`NATIONAL_SHORTAGE_FTE`.
        demand_change: Relative change of national demand per year since 2023.
    """
    demand = NATIONAL_DEMAND_2023 * (1 + demand_change) ** (year - 2023)
    return NATIONAL_SHORTAGE_FTE[year] / demand


def carried_to_region(national_rate: float, year: int = 2024) -> float:
    """A national rate carried to Rijnmond: Rijnmond 2023 x (national in year / national 2023)."""
    del year  # the rule is the same for every year; kept for readability at the call site
    return RIJNMOND_SHORTAGE_2023 * national_rate / NATIONAL_SHORTAGE_2023


RIJNMOND_2024_LOW = carried_to_region(carried_national_rate(2024, 0.0))
"""[D] Rijnmond 2024 if national demand did not change: 6.9%."""
RIJNMOND_2024 = carried_to_region(carried_national_rate(2024, EMPLOYMENT_CHANGE_PER_YEAR))
"""[D] Rijnmond 2024 with demand following the Mirror employment path (-0.8%): about 6.95%."""
RIJNMOND_2024_HIGH = carried_to_region(carried_national_rate(2024, PUPIL_CHANGE_2024))
"""[D] Rijnmond 2024 with demand following pupils (-2.3%): about 7.06%."""

SCHOOL_TYPES = ("vmbo", "havo", "vwo")
CONTRACT_CLASSES = ("upto_0_5", "0_5_to_0_8", "over_0_8")

KINDS = ("window", "year", "ratio", "column_ratio")
"""How a target's simulated value is read from a run:

- ``window``: a measure of :func:`measures_from_run` of the same name (a mean over a window of
  years, or pooled cohorts);
- ``year``: ``column`` in ``year``;
- ``ratio``: ``column`` in ``year`` over ``column`` in ``base_year``;
- ``column_ratio``: ``column`` over ``other`` in ``year``.
"""


class TargetError(ValueError):
    """A target definition that cannot be measured or scored."""


@dataclass(frozen=True)
class Target:
    """An observed figure the model is held against.

    Attributes:
        name: Measure name (the key in :func:`simulate`'s result).
        label: What it is, in words.
        observed: The observed value (midpoint when the source gives a range).
        low: Lower end of the observed range (``observed`` for a point value).
        high: Upper end of the observed range (``math.inf`` for "above ``low``").
        source: Where the figure comes from, with its tag.
        group: Kind of target (for tables and charts).
        weight: Weight in the objective (positive for a fitted target, 0 for a held-out one).
        tolerance: Absolute distance outside [low, high] still counted as a match in the report.
        window: How the simulated value is measured, in words.
        fitted: True if the target is in the objective; False for a held-out check that is only
            reported.
        kind: One of :data:`KINDS`.
        column: Series column read by ``year``, ``ratio`` and ``column_ratio`` targets.
        year: Year the value is read in.
        base_year: Year of the denominator of a ``ratio`` target.
        other: Column of the denominator of a ``column_ratio`` target.
        why: Why the target is fitted or held out.
    """

    name: str
    label: str
    observed: float
    low: float
    high: float
    source: str
    group: str
    weight: float
    tolerance: float
    window: str
    fitted: bool = True
    kind: str = "window"
    column: str | None = None
    year: int | None = None
    base_year: int | None = None
    other: str | None = None
    why: str = ""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise TargetError(f"target {self.name}: kind {self.kind!r} is not one of {KINDS}")
        if self.fitted != (self.weight > 0):
            raise TargetError(
                f"target {self.name}: a fitted target needs a positive weight and a held-out "
                f"one weight 0 (fitted={self.fitted}, weight={self.weight})"
            )
        needs = {
            "year": ("column", "year"),
            "ratio": ("column", "year", "base_year"),
            "column_ratio": ("column", "other", "year"),
        }.get(self.kind, ())
        missing = [a for a in needs if getattr(self, a) is None]
        if missing:
            raise TargetError(f"target {self.name}: a {self.kind} target needs {missing}")
        if not self.low <= self.observed <= self.high:
            raise TargetError(f"target {self.name}: observed value outside [low, high]")

    @property
    def columns(self) -> tuple[str, ...]:
        """Series columns the target reads (empty for a ``window`` target)."""
        return tuple(c for c in (self.column, self.other) if c is not None)

    def measure(self, frame: pd.DataFrame) -> float:
        """The simulated value of a ``year``, ``ratio`` or ``column_ratio`` target from a
        yearly frame (indexed by year). NaN if a year is absent or a denominator is 0.

        Raises:
            KeyError: a column the target reads is not in ``frame`` (see :func:`available`).
            TargetError: the target is a ``window`` target (measured by
                :func:`measures_from_run`).
        """
        if self.kind == "year":
            return value_in_year(frame, self.column, self.year)
        if self.kind == "ratio":
            return ratio_of_years(frame, self.column, self.year, self.base_year)
        if self.kind == "column_ratio":
            return _divide(
                value_in_year(frame, self.column, self.year),
                value_in_year(frame, self.other, self.year),
            )
        raise TargetError(f"target {self.name}: a window target is measured by measures_from_run")

    def distance(self, value: float) -> float:
        """Absolute distance of ``value`` from the observed range (0 inside it; NaN stays NaN)."""
        if value is None or not math.isfinite(value):
            return float("nan")
        return max(self.low - value, value - self.high, 0.0)

    def inside(self, value: float) -> bool:
        """Whether ``value`` lies within the tolerance around the observed range."""
        d = self.distance(value)
        return bool(math.isfinite(d) and d <= self.tolerance + 1e-12)


def _divide(a: float, b: float) -> float:
    if not (math.isfinite(a) and math.isfinite(b)) or b == 0:
        return math.nan
    return a / b


def value_in_year(frame: pd.DataFrame, column: str, year: int) -> float:
    """``column`` of ``frame`` in ``year`` (NaN if that year is not in the frame).

    Raises:
        KeyError: ``column`` is not in ``frame``.
    """
    if column not in frame.columns:
        raise KeyError(f"no column {column!r} in the run's series")
    if year not in frame.index:
        return math.nan
    return float(frame.loc[year, column])


def ratio_of_years(frame: pd.DataFrame, column: str, year: int, base_year: int) -> float:
    """``column`` in ``year`` over ``column`` in ``base_year`` (NaN if either is missing or the
    base is 0)."""
    return _divide(value_in_year(frame, column, year), value_in_year(frame, column, base_year))


def available(t: Target, columns: Iterable[str]) -> bool:
    """Whether every series column ``t`` reads is among ``columns`` (window targets: always)."""
    cols = set(columns)
    return all(c in cols for c in t.columns)


def _point(
    name, label, value, source, group, weight, tol, window, low=None, high=None, **kw
) -> Target:
    return Target(
        name,
        label,
        value,
        value if low is None else low,
        value if high is None else high,
        source,
        group,
        weight,
        tol,
        window,
        fitted=weight > 0,
        **kw,
    )


_DUO_STARTERS = "[S] DUO, Uitval startende leraren vo, cohorts 2006-2017"
_DUO_EXITS = "[S] onderwijsincijfers.nl (DUO), exit from education by age, VO 2013-17"
_AGE = "[D] onderwijsincijfers.nl, Mobiliteit naar achtergrondkenmerken (avg 2013-16)"
_CONTRACT = "[S] DUO trend report 2019 via ocwincijfers.nl"
_SUBJECT = (
    "[D] national Oct 2023 shortage by subject [S] (ocwincijfers.nl) x Rijnmond/national "
    "(6.9% / 5.8%); the national level is the same in 2024 (3,800 fte) [S]"
)
_IPTO_TYPES = "[S] IPTO 2019 unqualified by school type: vmbo 5.5%, havo 2.5%, vwo 1.8%"
_RATES = "mean of 2024-2035"
_COHORTS = "graduates who started 2024-2035, pooled"
_SHORT = "mean of censuses 2023-2025"
_K = RIJNMOND_SHORTAGE_2023 / NATIONAL_SHORTAGE_2023
_WHY_LEVEL = "measured level: the fit's anchor for the path"
_WHY_BEHAVIOUR = "well sourced and moved by the fitted behaviour parameters"
_WHY_NO_PARAMETER = "no fitted parameter moves it; a check of the mechanisms"
_STRUCTURE = "structure from mechanisms: the issue asks it to emerge, fitting would force it"

TARGETS: tuple[Target, ...] = (
    # ------------------------------------------------------------------ fitted: the path
    _point(
        "shortage_rate_2023",
        "shortage (open + hidden) / demand, Oct 2023",
        RIJNMOND_SHORTAGE_2023,
        "[S] Rijnmond Oct 2023: 6.9% (ocwincijfers.nl)",
        "path",
        1.0,
        0.01,
        "census 2023",
        kind="year",
        column="shortage_rate",
        year=2023,
        why=_WHY_LEVEL + " (the initial census is built to it, so weight 1)",
    ),
    _point(
        "shortage_rate_2024",
        "shortage (open + hidden) / demand, Oct 2024",
        round(RIJNMOND_2024, 4),
        "[D] Rijnmond 2023 6.9% [S] x national 2024 / 2023; national 3,800 fte both years [S], "
        "demand constant (6.90%), following employment -0.8%/yr (6.95%) or pupils -2.3% (7.06%)",
        "path",
        3.0,
        0.015,
        "census 2024",
        round(RIJNMOND_2024_LOW, 4),
        round(RIJNMOND_2024_HIGH, 4),
        kind="year",
        column="shortage_rate",
        year=2024,
        why=_WHY_LEVEL + ": the first census the flows make",
    ),
    _point(
        "shortage_ratio_2028_2023",
        "shortage 2028 / shortage 2023 (direction of the forecast)",
        round(MIRROR_RATIO_2028, 4),
        "[D] national Mirror forecast 3.9% (2023) -> 5.0% (2028) [S], carried to the region as "
        "a ratio; range 1.10-1.45 for forecast uncertainty (dip first, then a sharp rise [S])",
        "path",
        2.0,
        0.1,
        "census 2028 / census 2023",
        1.10,
        1.45,
        kind="ratio",
        column="shortage_rate",
        year=2028,
        base_year=2023,
        why="the only source on the path after 2024; without it nothing constrains the inflows "
        "that drove the old baseline down (a wide range: direction, not size)",
    ),
    *(
        _point(
            f"shortage_rate_{g}_2024",
            f"shortage in {g}, Oct 2024",
            round(value * _K, 4),
            _SUBJECT,
            "path",
            0.5,
            0.03,
            "census 2024",
            kind="year",
            column=f"shortage_rate_{g}",
            year=2024,
            why="derived (scaled national figures), so half weight",
        )
        for g, value in (("dutch", 0.096), ("mathematics", 0.067), ("technology_computing", 0.1015))
    ),
    # ------------------------------------------------------------- fitted: behaviour
    *(
        _point(
            f"starter_attrition_{k}y",
            f"starters gone after {k} year{'s' if k > 1 else ''}",
            mid,
            _DUO_STARTERS,
            "starter_attrition",
            2.0,
            0.03,
            _COHORTS,
            lo,
            hi,
            why=_WHY_BEHAVIOUR,
        )
        for k, mid, lo, hi in ((1, 0.20, 0.19, 0.21), (3, 0.245, 0.24, 0.25), (5, 0.30, 0.29, 0.31))
    ),
    *(
        _point(
            f"exit_rate_{band}",
            f"yearly exit from education, aged {band}",
            value,
            _DUO_EXITS,
            "exit_by_age",
            1.0,
            tol,
            _RATES,
            why=_WHY_BEHAVIOUR,
        )
        for band, value, tol in zip(
            AGE_BANDS,
            (0.075, 0.038, 0.037, 0.035, 0.194),
            (0.015, 0.01, 0.01, 0.01, 0.03),
            strict=True,
        )
    ),
    _point(
        "mean_contract_fte",
        "mean contract size (fte)",
        0.80,
        "[D] 59.9k fte / 75.3k teachers, 2019 (DUO)",
        "contract",
        1.0,
        0.03,
        _RATES,
        why=_WHY_BEHAVIOUR,
    ),
    _point(
        "graduate_entry_share",
        "graduates who seek a teaching job (entering teaching)",
        0.52,
        "[S] Stamos 2016 (CBS microdata): 52% work in education a year later",
        "pipeline",
        1.0,
        0.08,
        "all graduates of 2024-2040, pooled",
        why=_WHY_BEHAVIOUR,
    ),
    _point(
        "hidden_shortage_rate",
        "lessons by staff without full qualification (hidden shortage), Oct 2024",
        IPTO_UNQUALIFIED,
        "[S] IPTO 2019: 3.7% unqualified, 8.4% benoembaar; the model's hidden shortage "
        "(side-entrants and stop-gaps) should lie between",
        "qualification",
        1.0,
        0.01,
        "census 2024",
        IPTO_UNQUALIFIED,
        IPTO_WITHOUT_FULL_QUALIFICATION,
        kind="year",
        column="hidden_shortage_rate",
        year=2024,
        why="splits the measured shortage into open and hidden; moved by the stop-gap parameters",
    ),
    # ---------------------------------------------------------------------- held out
    *(
        _point(
            f"unqualified_share_{kind}",
            f"lessons by unqualified staff in {kind}, Oct 2024",
            value,
            _IPTO_TYPES,
            "held_out_structure",
            0.0,
            0.015,
            "census 2024",
            kind="year",
            column=f"unqualified_share_{kind}",
            year=2024,
            why=_STRUCTURE,
        )
        for kind, value in zip(SCHOOL_TYPES, (0.055, 0.025, 0.018), strict=True)
    ),
    *(
        _point(
            f"unqualified_ratio_{kind}",
            f"unqualified share in {kind} / all types",
            value,
            _IPTO_TYPES + " (of 3.7% overall): the shape, free of the wider hidden-shortage notion",
            "held_out_structure",
            0.0,
            0.25,
            _SHORT,
            why=_STRUCTURE,
        )
        for kind, value in zip(
            SCHOOL_TYPES, (0.055 / 0.037, 0.025 / 0.037, 0.018 / 0.037), strict=True
        )
    ),
    _point(
        "shortage_second_over_first_degree_2024",
        "shortage of second-degree lessons / first-degree lessons, Oct 2024",
        1.0,
        "[S] Oct 2023: second-degree (lower years) 7.0%, above first-degree; only the direction "
        "is given, so the range is everything above 1",
        "held_out_structure",
        0.0,
        0.0,
        "census 2024",
        1.0,
        math.inf,
        kind="column_ratio",
        column="shortage_rate_second_degree",
        other="shortage_rate_first_degree",
        year=2024,
        why=_STRUCTURE,
    ),
    _point(
        "shortage_city_over_region_2024",
        "shortage in Rotterdam city / whole region, Oct 2024",
        round(ROTTERDAM_SHORTAGE_2023 / RIJNMOND_SHORTAGE_2023, 4),
        "[S] Oct 2023 by labour-market region: Rotterdam 6.1%, Rijnmond 6.9% (ratio 0.88 [D])",
        "held_out_structure",
        0.0,
        0.1,
        "census 2024",
        kind="column_ratio",
        column="shortage_rate_city",
        other="shortage_rate",
        year=2024,
        why=_STRUCTURE + "; city and rest differ by pupils and place, not a fitted number",
    ),
    _point(
        "staff_fte_ratio_2028_2023",
        "teacher fte employed 2028 / 2023 (the supply path)",
        round(58441 / 60892, 4),
        "[S] Mirror forecast (VO-raad / Voion, Apr 2024): teacher employment 60,892 fte (2023) -> "
        "58,441 fte (2028), national, while national demand falls with the pupils",
        "held_out_path",
        0.0,
        0.03,
        "census 2028 / census 2023",
        kind="ratio",
        column="staff_fte",
        year=2028,
        base_year=2023,
        why="checks the supply path behind the shortage's rise against the national forecast's; "
        "Rijnmond's pupils grow where the nation's fall, so a region that matches it is short "
        "of more",
    ),
    _point(
        "fte_share_55_plus_2023",
        "share of teacher fte aged 55+, first census",
        0.28,
        "[S] VO-raad Sectorrapportage 2023: 28% of teacher fte aged 55+ in 2022",
        "held_out_age",
        0.0,
        0.03,
        "census 2023 (nearest to 2022)",
        kind="year",
        column="fte_share_55_plus",
        year=2023,
        why="checks the initial state built from the 2022 structure",
    ),
    _point(
        "mean_age_teachers_2023",
        "mean age of teachers, first census",
        43.1,
        "[S] VO-raad Sectorrapportage 2023: mean age 43.1 in 2022",
        "held_out_age",
        0.0,
        1.0,
        "census 2023 (nearest to 2022)",
        kind="year",
        column="mean_age_teachers",
        year=2023,
        why="checks the initial state built from the 2022 structure",
    ),
    *(
        _point(
            f"age_share_{band}",
            f"share of teachers aged {band}",
            value,
            _AGE,
            "held_out_age",
            0.0,
            0.03,
            "mean of 2024-2028",
            why="observed a decade before the start; superseded by the 2022 structure",
        )
        for band, value in zip(AGE_BANDS, (0.149, 0.237, 0.207, 0.280, 0.126), strict=True)
    ),
    _point(
        "side_entrant_retention_5y",
        "side-entrants still in education after 5 years",
        0.83,
        "[S] DUO/OCW Rapportage zij-instroom 2020: 83% of the 2014 cohort (all sectors)",
        "pipeline",
        1.0,
        0.05,
        "market cohorts 2024-2035, each followed 5 years, pooled; last census",
        kind="year",
        column="side_entrant_retention_5y",
        year=2040,
        why="the only source on the side-entrant route: it sets the route's dropout, which "
        "had no source (the reference replaces the earlier 20-30% guess by it)",
    ),
    *(
        _point(
            f"contract_share_{cls}",
            f"contracts {text}",
            value,
            _CONTRACT,
            "held_out_flows",
            0.0,
            0.05,
            _RATES,
            why=_WHY_NO_PARAMETER,
        )
        for cls, text, value in zip(
            CONTRACT_CLASSES,
            ("of at most 0.5 fte", "of 0.5-0.8 fte", "over 0.8 fte"),
            (0.08, 0.29, 0.63),
            strict=True,
        )
    ),
)
"""The calibration targets, fitted ones first, in report order (see ``docs/calibration.md``)."""

TARGET_NAMES: tuple[str, ...] = tuple(t.name for t in TARGETS)
FITTED_TARGETS: tuple[Target, ...] = tuple(t for t in TARGETS if t.fitted)
"""The targets in the objective."""
HELD_OUT_TARGETS: tuple[Target, ...] = tuple(t for t in TARGETS if not t.fitted)
"""The targets never in the objective: reported by the validation only."""

SOURCE_POINTS: tuple[tuple[int, float, float, float, str], ...] = (
    (2023, RIJNMOND_SHORTAGE_2023, RIJNMOND_SHORTAGE_2023, RIJNMOND_SHORTAGE_2023, "measured"),
    (2024, RIJNMOND_2024, RIJNMOND_2024_LOW, RIJNMOND_2024_HIGH, "measured, carried"),
    (
        2026,
        RIJNMOND_SHORTAGE_2023 * EARLIER_FORECAST_2026 / MIRROR_2023,
        math.nan,
        math.nan,
        "earlier forecast",
    ),
    (
        2028,
        RIJNMOND_SHORTAGE_2023 * MIRROR_RATIO_2028,
        RIJNMOND_SHORTAGE_2023 * 1.10,
        RIJNMOND_SHORTAGE_2023 * 1.45,
        "forecast direction",
    ),
)
"""The sources' points on the regional shortage path: (year, value, low, high, kind). 2026 is
an earlier forecast (4.5%, Feb 2023) over the 2023 Mirror figure of a later vintage (3.9%): for
orientation only, not a target."""


def target(name: str) -> Target:
    """The target called ``name``."""
    for t in TARGETS:
        if t.name == name:
            return t
    raise KeyError(f"no calibration target {name!r}; targets: {', '.join(TARGET_NAMES)}")


# ------------------------------------------------------------------------------ measures
def census_extras(model: Any) -> dict[str, float]:
    """Measures of one census that the reporters do not give: contract-size classes and the
    share of lessons without the required qualification per school type.

    The model keeps unqualified teaching per school, subject group and level (upper havo/vwo
    years, which need a first-degree teacher, and the rest), not per school type. Each school's
    unqualified share at a level is attributed to its school types in proportion to their demand
    at that level: vmbo lessons are all at the second-degree level, havo lessons 1 -
    ``first_degree_share_havo`` of them, vwo 1 - ``first_degree_share_vwo``. A vmbo > havo > vwo
    gradient therefore emerges only where the second-degree level or schools with many vmbo
    pupils have more unqualified teaching.
    """
    eps = 1e-9
    wf = model.workforce
    live = wf.live()
    fte = wf.data["fte"][live]
    n = max(fte.size, 1)
    out = {
        "contract_share_upto_0_5": float((fte <= 0.5 + eps).sum() / n),
        "contract_share_0_5_to_0_8": float(((fte > 0.5 + eps) & (fte <= 0.8 + eps)).sum() / n),
        "contract_share_over_0_8": float((fte > 0.8 + eps).sum() / n),
    }
    unq, dem = unqualified_by_level(model)
    p = model.p
    pupils = np.asarray(model.pupils, dtype=float)
    upper = np.array([0.0, p.first_degree_share_havo, p.first_degree_share_vwo])
    by_type = np.stack([pupils * upper, pupils * (1 - upper)], axis=-1)  # (S, type, level)
    rate = unq / np.maximum(dem, eps)  # (S, level)
    unq_type = (by_type * rate[:, None, :]).sum(axis=(0, 2))
    dem_type = by_type.sum(axis=(0, 2))
    all_share = unq.sum() / max(dem.sum(), eps)
    # the same without levels: each school's whole share given to its types by pupils
    school_rate = unq.sum(1) / np.maximum(dem.sum(1), eps)
    school_weight = dem.sum(1)[:, None] * pupils / np.maximum(pupils.sum(1, keepdims=True), eps)
    by_school = (school_weight * school_rate[:, None]).sum(0) / np.maximum(
        school_weight.sum(0), eps
    )
    for k, kind in enumerate(SCHOOL_TYPES):
        share = unq_type[k] / max(dem_type[k], eps)
        out[f"unqualified_share_{kind}"] = float(share)
        out[f"unqualified_ratio_{kind}"] = float(share / all_share) if all_share > 0 else math.nan
        out[f"unqualified_ratio_by_school_{kind}"] = (
            float(by_school[k] / all_share) if all_share > 0 else math.nan
        )
    return out


def unqualified_by_level(model: Any) -> tuple[np.ndarray, np.ndarray]:
    """Unqualified fte and demand fte per school and level (0 first-degree, 1 second-degree)."""
    st = model.staffing
    return st.unqualified_by_level.sum(1), st.demand.sum(1)


def _window_mean(
    frame: pd.DataFrame, column: str, start_year: int, window: tuple[int, int]
) -> float:
    if column not in frame.columns:
        return math.nan
    years = range(start_year + window[0], start_year + window[1] + 1)
    values = frame.loc[frame.index.isin(years), column].astype(float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if len(values) else math.nan


def starter_attrition(
    cohorts: Mapping[int, np.ndarray], last_year: int, years: int, entry_years: range
) -> float:
    """Share of the graduates who started in ``entry_years`` gone ``years`` years later, pooled
    over the cohorts followed that long (NaN when none is)."""
    entered = left = 0
    for entry in entry_years:
        record = cohorts.get(entry)
        if record is None or entry + years > last_year or record[0] == 0:
            continue
        entered += int(record[0])
        left += int(record[1 : years + 1].sum())
    return left / entered if entered else math.nan


SUPPLY_COLUMNS = ("silent_reserve", "inmigrants", "outmigrants")
"""Supply reporters summarised per run (first census, last census, mean of the later years) so
the report can say what drives the shortage path; absent columns are skipped."""

PATH_PREFIX = "path_shortage_rate_"
"""Measures ``path_shortage_rate_<year>``: the shortage rate of every census (trend chart)."""


def measures_from_run(
    series: pd.DataFrame,
    extras: pd.DataFrame,
    cohorts: Mapping[int, np.ndarray],
    targets: Sequence[Target] = TARGETS,
) -> Measures:
    """The simulated value of every target (and attrition after 2 and 4 years) from one run.

    A ``year``, ``ratio`` or ``column_ratio`` target whose column the run does not report is
    left out of the result (the report says "not available"), so the code works with model
    versions that lack a reporter. A column missing from ``series`` is taken from ``extras``
    when it is there.

    Args:
        series: ``model.series()`` (indexed by year).
        extras: :func:`census_extras` per census, indexed by year.
        cohorts: ``model.cohorts`` (entry year -> [entered, left after 1, 2, ...]).
        targets: Targets whose year and ratio values are measured.
    """
    start = int(series.index.min())
    last = int(series.index.max())
    out: Measures = {}
    entry = range(start + COHORT_WINDOW[0], start + COHORT_WINDOW[1] + 1)
    for k in range(1, 6):
        out[f"starter_attrition_{k}y"] = starter_attrition(cohorts, last, k, entry)
    for band in AGE_BANDS:
        out[f"exit_rate_{band}"] = _window_mean(series, f"exit_rate_{band}", start, RATE_WINDOW)
        out[f"age_share_{band}"] = _window_mean(series, f"age_share_{band}", start, AGE_WINDOW)
    out["mean_contract_fte"] = _window_mean(series, "mean_contract_fte", start, RATE_WINDOW)
    for cls in CONTRACT_CLASSES:
        out[f"contract_share_{cls}"] = _window_mean(
            extras, f"contract_share_{cls}", start, RATE_WINDOW
        )
    after = series.loc[series.index > start]
    graduated = float(after["students_graduated"].sum())
    out["graduate_entry_share"] = (
        float(after["graduates_seeking"].sum()) / graduated if graduated else math.nan
    )
    for kind in SCHOOL_TYPES:
        for what in ("ratio", "ratio_by_school"):
            col = f"unqualified_{what}_{kind}"
            out[col] = _window_mean(extras, col, start, SHORTAGE_WINDOW)
    # year and ratio targets: the series, with the census extras for columns it lacks
    frame = series.join(extras[[c for c in extras.columns if c not in series.columns]])
    for t in targets:
        if t.kind != "window" and available(t, frame.columns):
            out[t.name] = t.measure(frame)
    for year, value in series["shortage_rate"].items():
        out[f"{PATH_PREFIX}{int(year)}"] = float(value)
    for col in SUPPLY_COLUMNS:  # what drives the path (reported, no target: no source)
        if col in series.columns:
            values = series[col].astype(float)
            out[f"{col}_first"] = float(values.iloc[0])
            out[f"{col}_last"] = float(values.iloc[-1])
            out[f"{col}_mean"] = float(values.iloc[1:].mean()) if len(values) > 1 else math.nan
    out["shortage_rate_start"] = float(series["shortage_rate"].iloc[0])
    out["shortage_rate_end"] = float(series["shortage_rate"].iloc[-1])
    return out


def simulate(
    scenario: str | Scenario = "rijnmond",
    overrides: Mapping[str, Any] | None = None,
    seed: int = 1,
    years: int = 17,
    policy: str = "isolated",
) -> Measures:
    """Run one replication and return its measures (see :func:`measures_from_run`)."""
    from sim.model.model import RegionModel

    model = RegionModel(scenario, policy, rng=seed, **dict(overrides or {}))
    extras = {model.year: census_extras(model)}
    for _ in range(years):
        model.step()
        extras[model.year] = census_extras(model)
    return measures_from_run(
        model.series(), pd.DataFrame.from_dict(extras, orient="index"), model.cohorts
    )


def _simulate_job(job: tuple) -> Measures:
    """Picklable wrapper of :func:`simulate` for process pools."""
    scenario, overrides, seed, years = job
    return simulate(scenario, overrides, seed, years)


def simulate_many(
    points: Sequence[Mapping[str, Any]],
    seeds: Sequence[int],
    scenario: str | Scenario = "rijnmond",
    years: int = 17,
    map_fn: MapFn = map,
) -> list[list[Measures]]:
    """Run every point (parameter overrides) with every seed; ``map_fn`` may be a pool's map.

    Returns one list of per-seed measures per point, in order.
    """
    jobs = [(scenario, dict(p), int(s), years) for p in points for s in seeds]
    flat = list(map_fn(_simulate_job, jobs))
    k = len(seeds)
    return [flat[i * k : (i + 1) * k] for i in range(len(points))]


def mean_measures(runs: Sequence[Measures]) -> Measures:
    """Mean of each measure over replications, ignoring NaN (NaN when all are)."""
    keys = runs[0].keys()
    out = {}
    for key in keys:
        vals = np.array([r.get(key, math.nan) for r in runs], dtype=float)
        vals = vals[np.isfinite(vals)]
        out[key] = float(vals.mean()) if vals.size else math.nan
    return out


# ----------------------------------------------------------------------------- objective
MISSING_PENALTY = 1.0
"""Squared relative error charged for a target the run cannot measure (NaN)."""


def in_objective(targets: Sequence[Target] = TARGETS) -> tuple[Target, ...]:
    """The targets the objective scores: the fitted ones (held-out targets never enter it)."""
    return tuple(t for t in targets if t.fitted and t.weight > 0)


def objective_terms(
    values: Mapping[str, float], targets: Sequence[Target] = TARGETS
) -> dict[str, float]:
    """Each fitted target's weighted squared relative error: ``weight * (distance / observed)
    ** 2``, where distance is how far the value lies outside the observed range (0 inside).

    Held-out targets in ``targets`` are skipped: they have no term. A fitted target the run
    cannot measure (NaN or absent) costs :data:`MISSING_PENALTY` times its weight.
    """
    terms = {}
    for t in in_objective(targets):
        d = t.distance(values.get(t.name, math.nan))
        rel = (d / abs(t.observed)) ** 2 if math.isfinite(d) else MISSING_PENALTY
        terms[t.name] = t.weight * rel
    return terms


def objective(values: Mapping[str, float], targets: Sequence[Target] = TARGETS) -> float:
    """Weighted sum of squared relative errors against the fitted ``targets`` (0 when all are
    matched)."""
    return float(sum(objective_terms(values, targets).values()))


# ------------------------------------------------------------------------ free parameters
class FreeParameterError(ValueError):
    """A free parameter that the model's :class:`Parameters` cannot take."""


@dataclass(frozen=True)
class FreeParameter:
    """An uncertain parameter (or elements of one) that the calibration fits.

    Attributes:
        name: Parameter name in :class:`sim.model.parameters.Parameters`.
        lower: Smallest value searched; ``None`` takes the parameter's ``plausible`` range.
        upper: Largest value searched; ``None`` takes the parameter's ``plausible`` range.
        index: For a tuple parameter, the elements set to the fitted value (tied together).
        tied: Other scalar parameters set to the fitted value times a fixed factor.
        informs: Targets this parameter mainly moves (for the fit-quality comments).
    """

    name: str
    lower: float | None = None
    upper: float | None = None
    index: tuple[int, ...] = ()
    tied: tuple[tuple[str, float], ...] = ()
    informs: tuple[str, ...] = ()

    @classmethod
    def plausible(cls, name: str, **kwargs: Any) -> FreeParameter:
        """A scalar parameter searched over the plausible range its documentation gives
        (resolved by :func:`resolve_free_parameters`)."""
        return cls(name, None, None, **kwargs)

    @property
    def label(self) -> str:
        """Name with its element indices, e.g. ``starter_exit_hazard[1,2]``."""
        return f"{self.name}[{','.join(map(str, self.index))}]" if self.index else self.name

    def start(self, base: Parameters) -> float:
        """The value in ``base`` (the first tied element for a tuple)."""
        value = getattr(base, self.name)
        return float(value[self.index[0]]) if self.index else float(value)


# The one list of fitted parameters: edit it here (names must exist in sim/model/parameters.py;
# bounds None = the parameter's documented plausible range). experiments/calibrate.py checks
# it with resolve_free_parameters before any run.
FREE_PARAMETERS: tuple[FreeParameter, ...] = (
    FreeParameter("starter_exit_hazard", 0.05, 0.35, (0,), informs=("starter_attrition_1y",)),
    FreeParameter("starter_exit_hazard", 0.0, 0.10, (1, 2), informs=("starter_attrition_3y",)),
    FreeParameter("starter_exit_hazard", 0.0, 0.10, (3, 4), informs=("starter_attrition_5y",)),
    *(
        FreeParameter("exit_hazard_by_age", 0.0, hi, (b,), informs=(f"exit_rate_{band}",))
        for b, (band, hi) in enumerate(zip(AGE_BANDS, (0.15, 0.10, 0.10, 0.10, 0.35), strict=True))
    ),
    FreeParameter.plausible(
        "workload_exit_sensitivity",
        informs=("shortage_rate_2024", "shortage_ratio_2028_2023", "exit_rate_under_30"),
    ),
    FreeParameter.plausible(
        "graduate_entry_interned_in_region",
        tied=(("graduate_entry_other", 0.35 / 0.62),),
        informs=("graduate_entry_share",),
    ),
    FreeParameter.plausible("unqualified_cap_share", informs=("hidden_shortage_rate",)),
    FreeParameter.plausible("stopgap_fill_share", informs=("hidden_shortage_rate",)),
    # the return hazard of the silent reserve and its decline with years out are [E]; the
    # regional moves stay symmetric (inmigration_ratio 1.0) because no source says otherwise
    FreeParameter.plausible(
        "returner_rate", informs=("shortage_rate_2024", "shortage_ratio_2028_2023")
    ),
    FreeParameter.plausible(
        "side_entrant_dropout_per_year", informs=("side_entrant_retention_5y",)
    ),
    FreeParameter.plausible(
        "returner_rate_decline", informs=("shortage_rate_2024", "shortage_ratio_2028_2023")
    ),
)
"""The parameters fitted: behaviour whose sources are weakest (assumptions, [E]), and the
exit hazards, which DUO's rates identify. Checked and given bounds by
:func:`resolve_free_parameters`.

The two graduate-entry shares keep their assumed ratio (interned outside the region 0.35 / 0.62
of interned inside) because one target cannot tell them apart."""


def resolve_free_parameters(
    free: Sequence[FreeParameter] = FREE_PARAMETERS,
) -> tuple[FreeParameter, ...]:
    """Check ``free`` against :class:`Parameters` and fill bounds from plausible ranges.

    Raises:
        FreeParameterError: naming every problem at once: a parameter (or tied parameter) that
            does not exist, an index outside a tuple parameter, a parameter without bounds and
            without a documented plausible range, bounds in the wrong order, or a parameter
            fitted twice.
    """
    info = Parameters.info()
    defaults = Parameters()
    problems: list[str] = []
    out: list[FreeParameter] = []
    seen: set[tuple[str, int | None]] = set()
    for f in free:
        if f.name not in info:
            problems.append(f"{f.label}: no such parameter")
            continue
        problems += [f"{f.label}: tied {n!r} is no parameter" for n, _ in f.tied if n not in info]
        value = getattr(defaults, f.name)
        if f.index:
            size = len(value) if isinstance(value, tuple | list) else 0
            bad = [i for i in f.index if not 0 <= i < size]
            if bad:
                problems.append(f"{f.label}: index {bad} outside a tuple of {size}")
                continue
        elif isinstance(value, tuple | list):
            problems.append(f"{f.label}: a tuple parameter needs an index")
            continue
        for key in [(f.name, i) for i in f.index] or [(f.name, None)]:
            if key in seen:
                problems.append(f"{f.label}: fitted twice")
            seen.add(key)
        lower, upper = f.lower, f.upper
        if lower is None or upper is None:
            rng = info[f.name].plausible
            if rng is None:
                problems.append(f"{f.label}: no bounds and no plausible range documented")
                continue
            lower = float(rng[0]) if lower is None else lower
            upper = float(rng[1]) if upper is None else upper
        if not lower < upper:
            problems.append(f"{f.label}: bounds {lower} .. {upper} are not increasing")
            continue
        out.append(dataclasses.replace(f, lower=float(lower), upper=float(upper)))
    if problems:
        raise FreeParameterError(
            "free parameters (sim/fit/calibration.py FREE_PARAMETERS) do not fit the model's "
            "Parameters:\n  " + "\n  ".join(problems)
        )
    return tuple(out)


def free_parameter_names(free: Sequence[FreeParameter] = FREE_PARAMETERS) -> set[str]:
    """Every parameter name the free parameters write (tied ones included)."""
    return {f.name for f in free} | {name for f in free for name, _ in f.tied}


def to_overrides(
    x: Sequence[float], base: Parameters, free: Sequence[FreeParameter] = FREE_PARAMETERS
) -> dict[str, Any]:
    """Parameter overrides that put the values ``x`` of ``free`` into ``base``."""
    out: dict[str, Any] = {}
    for f, value in zip(free, x, strict=True):
        value = float(value)
        if f.index:
            current = list(out.get(f.name, getattr(base, f.name)))
            for i in f.index:
                current[i] = value
            out[f.name] = tuple(current)
        else:
            out[f.name] = value
        for name, factor in f.tied:
            out[name] = min(1.0, value * factor)
    return out


def base_parameters(
    scenario: Scenario, free: Sequence[FreeParameter] = FREE_PARAMETERS
) -> Parameters:
    """The fit's starting point: defaults plus the scenario's overrides other than fitted ones.

    Starting from the same point whatever an earlier calibration wrote keeps reruns identical.
    """
    fitted = free_parameter_names(free)
    keep = {k: v for k, v in scenario.parameter_overrides.items() if k not in fitted}
    return Parameters.build(keep, context=f"scenario file {scenario.source}")


# ------------------------------------------------------------------------------- search
@dataclass
class SearchResult:
    """Outcome of :func:`coordinate_search`."""

    x: list[float]
    value: float
    start_value: float
    evaluations: int
    history: list[tuple[int, float, list[float]]] = field(default_factory=list)
    measures: Measures = field(default_factory=dict)


def coordinate_search(
    evaluate: Callable[[list[list[float]]], list[tuple[float, Measures]]],
    x0: Sequence[float],
    lower: Sequence[float],
    upper: Sequence[float],
    *,
    max_evaluations: int = 400,
    initial_step: float = 0.25,
    min_step: float = 0.01,
    decimals: int = 4,
) -> SearchResult:
    """Deterministic pattern search: try each coordinate one step up and down, keep the best
    improvement, halve every step after a sweep without one.

    Both trial points of a coordinate go to ``evaluate`` together, so they can run in parallel.
    Steps are fractions of each coordinate's range; points are rounded to ``decimals`` so that
    the values written to a scenario file are the values evaluated. Stops when every step is
    below ``min_step`` or after ``max_evaluations`` evaluations.

    Args:
        evaluate: Maps a list of points to (objective, measures) per point.
        x0: Starting point (clipped to the bounds).
        lower: Lower bounds.
        upper: Upper bounds.
        max_evaluations: Budget of objective evaluations (the start included).
        initial_step: First step as a fraction of each range.
        min_step: Smallest step as a fraction of each range.
        decimals: Rounding of every point.
    """
    lo = np.asarray(lower, dtype=float)
    hi = np.asarray(upper, dtype=float)
    x = np.round(np.clip(np.asarray(x0, dtype=float), lo, hi), decimals)
    ((f, meas),) = evaluate([x.tolist()])
    result = SearchResult(x.tolist(), f, f, 1, [(1, f, x.tolist())], meas)
    step = np.full(x.size, initial_step)
    while result.evaluations < max_evaluations and (step >= min_step).any():
        improved = False
        for i in range(x.size):
            if step[i] < min_step or result.evaluations >= max_evaluations:
                continue
            trials = []
            for sign in (1.0, -1.0):
                y = x.copy()
                y[i] = round(
                    float(np.clip(x[i] + sign * step[i] * (hi[i] - lo[i]), lo[i], hi[i])), decimals
                )
                if y[i] != x[i]:
                    trials.append(y)
            trials = trials[: max_evaluations - result.evaluations]
            if not trials:
                continue
            out = evaluate([t.tolist() for t in trials])
            for t, (ft, mt) in zip(trials, out, strict=True):
                result.evaluations += 1
                result.history.append((result.evaluations, ft, t.tolist()))
                if ft < result.value - 1e-12:
                    x, improved = t, True
                    result.x, result.value, result.measures = t.tolist(), ft, mt
        if not improved:
            step = step / 2.0
    return result


SUPPORT_RELATIVE = 0.25
"""Supported range: evaluations whose objective is at most this fraction above the best count
as supported (the fit's relative errors then grow by at most sqrt(1.25) - 1 = 12%)."""

SUPPORT_ABSOLUTE = 0.01
"""Supported range: the tolerance never goes below this (one target 10% off, 0.1 squared), so a
near-perfect fit, whose 25% is mostly seed noise, does not shrink the range to a point."""


def support_tolerance(
    best: float, relative: float = SUPPORT_RELATIVE, absolute: float = SUPPORT_ABSOLUTE
) -> float:
    """The objective below which an evaluation supports its values: best + max(relative x best,
    absolute)."""
    return best + max(relative * best, absolute)


def supported_ranges(
    history: Sequence[tuple[int, float, Sequence[float]]],
    labels: Sequence[str],
    relative: float = SUPPORT_RELATIVE,
    absolute: float = SUPPORT_ABSOLUTE,
) -> dict[str, tuple[float, float]]:
    """Per free parameter, the range of its values among the search's evaluations whose
    objective is within :func:`support_tolerance` of the best.

    The coordinate search tries each coordinate on both sides of the current point with shrinking
    steps, so the evaluations near the optimum form a profile along each axis; the range is the
    span of the values the data do not tell apart from the best. Parameters are moved one at a
    time, so correlations between them (a ridge along a diagonal) are not seen.

    Args:
        history: (evaluation, objective, values) per evaluation (:attr:`SearchResult.history`).
        labels: One label per coordinate of ``values`` (e.g. :attr:`FreeParameter.label`).
        relative: Tolerance as a fraction of the best objective.
        absolute: Smallest tolerance.

    Raises:
        ValueError: an empty history, or values whose length differs from ``labels``.
    """
    if not history:
        raise ValueError("supported_ranges: the search history is empty")
    best = min(f for _, f, _ in history)
    limit = support_tolerance(best, relative, absolute)
    kept = np.array([list(x) for _, f, x in history if f <= limit], dtype=float)
    if kept.shape[1] != len(labels):
        raise ValueError(
            f"supported_ranges: {kept.shape[1]} values per evaluation for {len(labels)} labels"
        )
    return {
        label: (float(kept[:, i].min()), float(kept[:, i].max())) for i, label in enumerate(labels)
    }


def supported_range_entries(
    ranges: Mapping[str, tuple[float, float]], free: Sequence[FreeParameter] = FREE_PARAMETERS
) -> dict[str, tuple[float, float]]:
    """The ``supported_range`` entries of a scenario file: per scalar free parameter with a
    prior (and each parameter tied to it, scaled as :func:`to_overrides` does) its range, keyed
    by parameter name. Tuple parameters (the exit hazards) have no prior, so no entry."""
    info = Parameters.info()
    out: dict[str, tuple[float, float]] = {}
    for f in free:
        if f.index or f.label not in ranges:
            continue
        low, high = ranges[f.label]
        if info[f.name].prior is not None:
            out[f.name] = (low, high)
        for name, factor in f.tied:
            if info[name].prior is not None:
                out[name] = (min(1.0, low * factor), min(1.0, high * factor))
    return out


def make_evaluator(
    scenario: Scenario,
    base: Parameters,
    seeds: Sequence[int],
    years: int = 17,
    free: Sequence[FreeParameter] = FREE_PARAMETERS,
    map_fn: MapFn = map,
    targets: Sequence[Target] = TARGETS,
):
    """An ``evaluate`` function for :func:`coordinate_search`: each point is run with every
    seed (common seeds across points) and scored on the mean measures."""

    def evaluate(points: list[list[float]]) -> list[tuple[float, Measures]]:
        overrides = [to_overrides(p, base, free) for p in points]
        runs = simulate_many(overrides, seeds, scenario, years, map_fn)
        out = []
        for per_seed in runs:
            m = mean_measures(per_seed)
            out.append((objective(m, targets), m))
        return out

    return evaluate


# --------------------------------------------------------------------- scenario writing
BEGIN_MARK = "# >>> calibrated (experiments/calibrate.py)"
END_MARK = "# <<< calibrated"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, float):
        text = f"{round(value, 6):.6g}"
        return text if any(c in text for c in ".e") else text + ".0"
    return repr(value)


def calibrated_block(
    values: Mapping[str, Any],
    comments: Mapping[str, str],
    header: Sequence[str],
    supported: Mapping[str, tuple[float, float]] | None = None,
    supported_note: str = "",
) -> list[str]:
    """Lines of the marked block: header comments, then ``name = value  # comment`` lines, then
    ``supported_range.name = [low, high]`` lines (the sub-table the scenario loader reads as
    :data:`sim.model.scenarios.SUPPORTED_RANGE_KEY`)."""
    lines = [BEGIN_MARK, *(f"# {h}" for h in header)]
    for name, value in values.items():
        note = comments.get(name, "")
        lines.append(f"{name} = {_toml_value(value)}" + (f"  # {note}" if note else ""))
    if supported:
        if supported_note:
            lines.append(f"# {supported_note}")
        for name, rng in supported.items():
            lines.append(f"{SUPPORTED_RANGE_KEY}.{name} = {_toml_value(list(rng))}")
    lines.append(END_MARK)
    return lines


_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"^\s*([A-Za-z0-9_]+)\s*=")


def write_calibrated_block(
    path: str | Path,
    values: Mapping[str, Any],
    comments: Mapping[str, str] | None = None,
    header: Sequence[str] = (),
    supported: Mapping[str, tuple[float, float]] | None = None,
    supported_note: str = "",
) -> None:
    """Write ``values`` (and the ``supported`` ranges, if given) into the ``[parameters]`` table
    of the scenario file at ``path``.

    The values go between :data:`BEGIN_MARK` and :data:`END_MARK`; an existing marked block is
    replaced, otherwise the block is added at the end of ``[parameters]`` (a ``[parameters]``
    table is added before the first other table if there is none). A line of ``[parameters]``
    outside the block that sets one of the same keys is commented out, since TOML forbids
    duplicate keys. Everything else in the file is kept byte for byte. The new text is parsed and
    loaded as a scenario before it replaces the file.

    Raises:
        ScenarioError: the file cannot be read or parsed, has unbalanced markers, or the new
            values make an invalid scenario.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ScenarioError(
            f"scenario file {path}: cannot write calibrated values: {exc}"
        ) from None
    lines = text.splitlines()
    block = calibrated_block(values, comments or {}, header, supported, supported_note)
    begins = [i for i, s in enumerate(lines) if s.strip() == BEGIN_MARK]
    ends = [i for i, s in enumerate(lines) if s.strip() == END_MARK]
    if len(begins) != len(ends) or len(begins) > 1 or (begins and ends[0] < begins[0]):
        raise ScenarioError(
            f"scenario file {path}: unbalanced calibration markers ({BEGIN_MARK!r} / {END_MARK!r})"
        )
    if begins:
        lines[begins[0] : ends[0] + 1] = block
    else:
        tables = [(i, m.group(1)) for i, s in enumerate(lines) if (m := _TABLE.match(s))]
        start = next((i for i, name in tables if name == "parameters"), None)
        if start is None:
            at = next((i for i, name in tables if name != "scenario"), len(lines))
            lines[at:at] = ["[parameters]", *block, ""]
        else:
            nxt = next((i for i, _ in tables if i > start), len(lines))
            at = nxt
            while at - 1 > start and (
                not lines[at - 1].strip() or lines[at - 1].lstrip().startswith("#")
            ):
                at -= 1  # keep comments that introduce the next table with that table
            if at >= len(lines):
                lines[at:at] = ["", *block]
            else:  # keep one blank line between the block and what follows
                lines[at:at] = [*block, ""] if lines[at].strip() else block
    lines = _comment_out_duplicates(lines, set(values))
    new_text = "\n".join(lines).rstrip("\n") + "\n"
    with tempfile.TemporaryDirectory() as folder:
        check = Path(folder) / path.name
        check.write_text(new_text, encoding="utf-8")
        try:
            load_scenario(check)  # parse and validate before replacing the file
        except ValueError as exc:  # ScenarioError, ParameterError: name the real file
            raise type(exc)(str(exc).replace(str(check), str(path))) from None
    # write next to the file under a name that is not a scenario, then replace it in one step
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(new_text, encoding="utf-8")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def _comment_out_duplicates(lines: list[str], keys: set[str]) -> list[str]:
    out = []
    table = None
    inside = False
    for line in lines:
        stripped = line.strip()
        if stripped == BEGIN_MARK:
            inside = True
        elif stripped == END_MARK:
            inside = False
        elif (m := _TABLE.match(line)) is not None:
            table = m.group(1)
        elif (
            table == "parameters" and not inside and (k := _KEY.match(line)) and k.group(1) in keys
        ):
            line = f"# (replaced by the calibrated block) {line}"
        out.append(line)
    return out
