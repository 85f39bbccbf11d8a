"""Scenario files: a region's geography, its training programmes and parameter overrides.

A scenario is a TOML file under ``sim/model/scenarios/`` (loaded by name) or anywhere (loaded by path).
It holds four tables:

- ``[scenario]``: ``name``, ``description`` and ``layout_seed`` (the seed that places the school
  sites, so that every replication of a scenario shares one geography);
- ``[parameters]``: overrides of :class:`sim.model.parameters.Parameters` defaults (validated);
- ``[[municipalities]]``: ``name``, ``area``, ``lat``, ``lon``, ``population`` and optionally
  ``g4 = true`` for the four big cities (their sites follow the city pupil path and count as
  city sites in the reporters);
- ``[[programmes]]``: teacher-training programmes (see :class:`ProgrammeSpec`);
- ``[pupil_projection]`` (optional): pupils by school type and year (see
  :class:`PupilProjection`); without it pupil numbers stay level (before
  ``pupil_trend_per_year``).

Every error names the file and the key that is wrong.
"""

from __future__ import annotations

import itertools
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.model.parameters import SUBJECT_GROUPS, Parameters

SCENARIO_DIR = Path(__file__).parent / "scenarios"

SCHOOL_TYPES: tuple[str, ...] = ("vmbo", "havo", "vwo")
"""School types in the order of the pupil columns."""

PUPIL_PATHS: tuple[str, ...] = ("rest", "city")
"""Pupil paths: ``rest`` for every site, ``city`` (optional) for sites in G4 municipalities."""


class ScenarioError(ValueError):
    """A scenario that cannot be found or read: names the file and the key."""


@dataclass(frozen=True)
class MunicipalitySpec:
    """A municipality whose population sizes and places school sites."""

    name: str
    area: str
    lat: float
    lon: float
    population: int
    g4: bool = False


@dataclass(frozen=True)
class PupilPath:
    """One pupil path: an index of pupils per school type at given years.

    Attributes:
        years: Calendar years (census of 1 October), strictly increasing.
        index: Array (years, 3) of pupil numbers or an index per school type (vmbo, havo, vwo);
            only ratios between years are used.
    """

    years: tuple[int, ...]
    index: tuple[tuple[float, float, float], ...]

    def at(self, year: int) -> np.ndarray:
        """Index per school type in ``year``: linear between given years; before the first
        year the first value and after the last year the last value (held level)."""
        years = np.asarray(self.years, dtype=float)
        values = np.asarray(self.index, dtype=float)
        return np.array([np.interp(year, years, values[:, k]) for k in range(values.shape[1])])


@dataclass(frozen=True)
class PupilProjection:
    """Pupil projection of a scenario: the ``rest`` path and optionally a ``city`` path.

    Pupils of a site in year t are its pupils at the first census times
    ``path.at(t) / path.at(start_year)`` per school type (times the extra trend and noise of
    the demand stage). After the last given year the index is held at its last value.
    """

    rest: PupilPath
    city: PupilPath | None = None
    notes: str = ""

    def path(self, city: bool) -> PupilPath:
        """The path for a city (G4) site or any other site."""
        return self.city if city and self.city is not None else self.rest


@dataclass(frozen=True)
class ProgrammeSpec:
    """A teacher-training programme of an institute.

    Attributes:
        name: Programme name.
        institute: Institute that runs it (e.g. "Hogeschool Rotterdam").
        route: "hbo_fulltime", "hbo_parttime" or "university".
        degree: Qualification degree of its graduates: 1 (first) or 2 (second).
        duration_years: Nominal duration.
        lat: Latitude of the institute.
        lon: Longitude of the institute.
        school_leaver_share: Share of the region's school leavers who choose teacher training
            that enter this programme.
        outside_intake: Students per year from elsewhere (other regions, mbo, bachelor
            graduates, career changers).
        dropout_rr: Relative dropout risk against the pipeline parameters.
        subjects: Subject groups it trains for.
    """

    name: str
    institute: str
    route: str
    degree: int
    duration_years: int
    lat: float
    lon: float
    school_leaver_share: float
    outside_intake: float
    dropout_rr: float = 1.0
    subjects: tuple[str, ...] = SUBJECT_GROUPS


@dataclass(frozen=True)
class Scenario:
    """A loaded, validated scenario."""

    name: str
    description: str
    layout_seed: int
    parameter_overrides: dict[str, Any]
    municipalities: tuple[MunicipalitySpec, ...]
    programmes: tuple[ProgrammeSpec, ...]
    source: str = ""
    notes: dict[str, Any] = field(default_factory=dict)
    pupil_projection: PupilProjection | None = None

    def parameters(self, **overrides: Any) -> Parameters:
        """Defaults, then the scenario's overrides, then ``overrides``; validated."""
        base = Parameters.build(self.parameter_overrides, context=f"scenario file {self.source}")
        return base.with_overrides(**overrides) if overrides else base


ROUTES = ("hbo_fulltime", "hbo_parttime", "university")


def available_scenarios() -> list[str]:
    """Names of the scenarios shipped with the package."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.toml"))


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a scenario by shipped name (e.g. ``"rijnmond"``) or by path to a TOML file.

    Raises:
        ScenarioError: unknown name, unreadable or malformed file, missing or wrong key.
        ParameterError: an invalid parameter override (naming the file).
    """
    text = str(name_or_path)
    path = Path(text)
    if path.suffix != ".toml":
        path = SCENARIO_DIR / f"{text}.toml"
        if not path.exists():
            raise ScenarioError(
                f"unknown scenario {text!r}; shipped scenarios: {', '.join(available_scenarios())}"
                " (or give the path to a .toml file)"
            )
    if not path.exists():
        raise ScenarioError(f"scenario file {path} does not exist")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(f"scenario file {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ScenarioError(f"scenario file {path} cannot be read: {exc}") from None
    return _parse(data, path)


def _require(table: dict, key: str, kind: type | tuple[type, ...], where: str) -> Any:
    if key not in table:
        raise ScenarioError(f"{where}: missing key {key!r}")
    value = table[key]
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        name = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
        raise ScenarioError(f"{where}: key {key!r} must be {name}, got {value!r}")
    return value


LIMITS: dict[str, tuple[float, float]] = {
    "layout_seed": (0, 2**63 - 1),
    "lat": (-90.0, 90.0),
    "lon": (-180.0, 180.0),
    "population": (1, 50_000_000),
    "duration_years": (1, 8),
    "school_leaver_share": (0.0, 1.0),
    "outside_intake": (0.0, 10_000.0),
    "dropout_rr": (0.0, 5.0),
}
"""Allowed ranges of the numbers in a scenario file. ``population`` stops at 50 million (more than
any municipality); ``outside_intake`` at 10,000 students a year per programme (the largest Dutch
teacher-training programme takes in a few hundred; 1e7 would take minutes and gigabytes)."""


def _number(table: dict, key: str, kind: type, where: str) -> Any:
    """A required number, finite and within :data:`LIMITS`; the error names file, key, value
    and the allowed range."""
    value = _require(table, key, kind, where)
    low, high = LIMITS[key]
    if not (np.isfinite(value) and low <= value <= high):
        raise ScenarioError(
            f"{where}: key {key!r} is {value!r}; allowed: a finite number from {low:g} to {high:g}"
        )
    return value


def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")


def _parse(data: dict, path: Path) -> Scenario:
    where = f"scenario file {path}"
    _check_keys(
        data,
        {"scenario", "parameters", "municipalities", "programmes", "notes", "pupil_projection"},
        where,
    )
    head = _require(data, "scenario", dict, where)
    _check_keys(head, {"name", "description", "layout_seed"}, f"{where} [scenario]")
    name = _require(head, "name", str, f"{where} [scenario]")
    description = _require(head, "description", str, f"{where} [scenario]")
    layout_seed = _number(head, "layout_seed", int, f"{where} [scenario]")
    overrides = data.get("parameters", {})
    if not isinstance(overrides, dict):
        raise ScenarioError(f"{where}: [parameters] must be a table")

    munis = []
    for i, m in enumerate(_require(data, "municipalities", list, where)):
        w = f"{where} [[municipalities]] entry {i + 1}"
        if not isinstance(m, dict):
            raise ScenarioError(f"{w}: must be a table")
        _check_keys(m, {"name", "area", "lat", "lon", "population", "g4"}, w)
        munis.append(
            MunicipalitySpec(
                name=_require(m, "name", str, w),
                area=_require(m, "area", str, w),
                lat=_number(m, "lat", float, w),
                lon=_number(m, "lon", float, w),
                population=_number(m, "population", int, w),
                g4=_require(m, "g4", bool, w) if "g4" in m else False,
            )
        )
        if munis[-1].population <= 0:
            raise ScenarioError(f"{w}: key 'population' must be positive")
    if not munis:
        raise ScenarioError(f"{where}: needs at least one [[municipalities]] entry")

    progs = []
    keys = {
        "name",
        "institute",
        "route",
        "degree",
        "duration_years",
        "lat",
        "lon",
        "school_leaver_share",
        "outside_intake",
        "dropout_rr",
        "subjects",
    }
    for i, p in enumerate(_require(data, "programmes", list, where)):
        w = f"{where} [[programmes]] entry {i + 1}"
        if not isinstance(p, dict):
            raise ScenarioError(f"{w}: must be a table")
        _check_keys(p, keys, w)
        route = _require(p, "route", str, w)
        if route not in ROUTES:
            raise ScenarioError(f"{w}: key 'route' is {route!r}; allowed: {list(ROUTES)}")
        degree = _require(p, "degree", int, w)
        if degree not in (1, 2):
            raise ScenarioError(f"{w}: key 'degree' is {degree!r}; allowed: 1 or 2")
        subjects = p.get("subjects", list(SUBJECT_GROUPS))
        if not isinstance(subjects, list) or not all(isinstance(x, str) for x in subjects):
            raise ScenarioError(
                f"{w}: key 'subjects' must be a list of subject-group names, got {subjects!r}; "
                f"allowed: {list(SUBJECT_GROUPS)}"
            )
        subjects = tuple(subjects)
        bad = [s for s in subjects if s not in SUBJECT_GROUPS]
        if bad or not subjects:
            raise ScenarioError(
                f"{w}: key 'subjects' has {bad or 'no subjects'}; allowed: {list(SUBJECT_GROUPS)}"
            )
        spec = ProgrammeSpec(
            name=_require(p, "name", str, w),
            institute=_require(p, "institute", str, w),
            route=route,
            degree=degree,
            duration_years=_number(p, "duration_years", int, w),
            lat=_number(p, "lat", float, w),
            lon=_number(p, "lon", float, w),
            school_leaver_share=_number(p, "school_leaver_share", float, w),
            outside_intake=_number(p, "outside_intake", float, w),
            dropout_rr=_number(p, "dropout_rr", float, w) if "dropout_rr" in p else 1.0,
            subjects=subjects,
        )
        if not 1 <= spec.duration_years <= 8:
            raise ScenarioError(f"{w}: key 'duration_years' must lie in [1, 8]")
        if not 0 <= spec.school_leaver_share <= 1:
            raise ScenarioError(f"{w}: key 'school_leaver_share' must lie in [0, 1]")
        if spec.outside_intake < 0 or not 0 <= spec.dropout_rr <= 5:
            raise ScenarioError(f"{w}: 'outside_intake' >= 0 and 'dropout_rr' in [0, 5] needed")
        progs.append(spec)
    if sum(p.school_leaver_share for p in progs) > 1 + 1e-9:
        raise ScenarioError(f"{where}: the programmes' 'school_leaver_share' add up to more than 1")

    scenario = Scenario(
        name=name,
        description=description,
        layout_seed=layout_seed,
        parameter_overrides=dict(overrides),
        municipalities=tuple(munis),
        programmes=tuple(progs),
        source=str(path),
        notes=dict(_require(data, "notes", dict, where) if "notes" in data else {}),
        pupil_projection=(
            _parse_projection(data["pupil_projection"], where)
            if "pupil_projection" in data
            else None
        ),
    )
    scenario.parameters()  # validates the overrides; the error names this file
    return scenario


def _parse_projection(table: Any, where: str) -> PupilProjection:
    """Read and check ``[pupil_projection]``: each error names the file, the field, the value
    and what is allowed."""
    w = f"{where} [pupil_projection]"
    if not isinstance(table, dict):
        raise ScenarioError(f"{w}: must be a table with sub-tables {list(PUPIL_PATHS)}")
    _check_keys(table, {*PUPIL_PATHS, "notes"}, w)
    if "rest" not in table:
        raise ScenarioError(f"{w}: missing sub-table 'rest' (the path of every site)")
    notes = table.get("notes", "")
    if not isinstance(notes, str):
        raise ScenarioError(f"{w}: key 'notes' must be str, got {notes!r}")
    paths = {
        name: _parse_path(table[name], f"{where} [pupil_projection.{name}]")
        for name in PUPIL_PATHS
        if name in table
    }
    return PupilProjection(rest=paths["rest"], city=paths.get("city"), notes=notes)


def _parse_path(table: Any, w: str) -> PupilPath:
    if not isinstance(table, dict):
        raise ScenarioError(f"{w}: must be a table with keys 'years' and {list(SCHOOL_TYPES)}")
    unknown = sorted(set(table) - {"years", *SCHOOL_TYPES})
    if unknown:
        raise ScenarioError(
            f"{w}: unknown school type or key {unknown}; allowed: 'years' and school types "
            f"{list(SCHOOL_TYPES)}"
        )
    years = _require(table, "years", list, w)
    if not years or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
        raise ScenarioError(f"{w}: field 'years' is {years!r}; allowed: a list of whole years")
    if any(b <= a for a, b in itertools.pairwise(years)):
        raise ScenarioError(
            f"{w}: field 'years' is {years!r}; allowed: strictly increasing years (sorted, no "
            "repeats)"
        )
    columns = []
    for kind in SCHOOL_TYPES:
        values = _require(table, kind, list, w)
        ok = all(
            isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v) and v >= 0
            for v in values
        )
        if not ok:
            bad = [v for v in values if not (isinstance(v, int | float) and v >= 0)]
            raise ScenarioError(
                f"{w}: field {kind!r} has value(s) {bad or values!r}; allowed: pupil numbers or "
                "an index, finite and >= 0"
            )
        if len(values) != len(years):
            raise ScenarioError(
                f"{w}: field {kind!r} has {len(values)} values for {len(years)} years; allowed: "
                "one value per year"
            )
        columns.append([float(v) for v in values])
    index = tuple(zip(*columns, strict=True))
    return PupilPath(years=tuple(years), index=index)
