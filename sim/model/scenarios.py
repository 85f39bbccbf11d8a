"""Scenario files: a region's geography, its training programmes and parameter overrides.

A scenario is a TOML file under ``sim/model/scenarios/`` (loaded by name) or anywhere (loaded by path).
It holds four tables:

- ``[scenario]``: ``name``, ``description``, ``layout_seed`` (the seed that places the school
  sites, so that every replication of a scenario shares one geography) and optionally
  ``schools``: a schools table (CSV, path relative to the TOML file, else among the shipped
  scenarios; see :data:`SCHOOLS_COLUMNS` and ``python -m sim region build``) whose rows are the region's sites, boards, pupils and
  school-type mixes. Without it the sites are drawn around the municipality centres;
- ``[parameters]``: overrides of :class:`sim.model.parameters.Parameters` defaults (validated);
  its sub-table ``supported_range`` (written by ``experiments/calibrate.py`` inside the calibrated
  block, e.g. ``supported_range.returner_rate = [0.08, 0.12]``) gives a calibrated parameter the
  range of values the calibration supports, which parameter draws use as its prior's support
  (see :data:`SUPPORTED_RANGE_KEY`);
- ``[[municipalities]]``: ``name``, ``area``, ``lat``, ``lon``, ``population`` (not needed with
  a schools table) and optionally ``g4 = true`` for the four big cities (their sites follow the city pupil path and count as
  city sites in the reporters);
- ``[[programmes]]``: teacher-training programmes (see :class:`ProgrammeSpec`);
- ``[pupil_projection]`` (optional): pupils by school type and year (see
  :class:`PupilProjection`); without it pupil numbers stay level (before
  ``pupil_trend_per_year``);
- ``[parameter_paths]`` (optional): a scalar parameter given by year, e.g. an observed path of
  the pension age, ``retirement_age = { years = [2015, 2024], values = [65.25, 67.0] }`` (see
  :class:`ParameterPath`); the model reads the value of each census year.

``[scenario]`` may name another shipped scenario with ``extends = "netherlands"``: the file then
starts from that scenario (its parameters, municipalities, programmes, pupil projection and
paths) and replaces what it gives itself (``[parameters]`` and ``[parameter_paths]`` key by key,
the other tables whole).

Every error names the file and the key that is wrong.
"""

from __future__ import annotations

import csv
import dataclasses
import itertools
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from sim.model.parameters import SUBJECT_GROUPS, Parameters
from sim.model.priors import Prior

SCENARIO_DIR = Path(__file__).parent / "scenarios"

SUPPORTED_RANGE_KEY = "supported_range"
"""Sub-table of ``[parameters]`` holding, per calibrated parameter, ``[low, high]``: the values
the calibration supports (docs/calibration.md, *Supported ranges*). Each must lie within the
parameter's bounds and contain the scenario's value; the parameter must have a prior."""

SCHOOL_TYPES: tuple[str, ...] = ("vmbo", "havo", "vwo")
"""School types in the order of the pupil columns."""

PUPIL_PATHS: tuple[str, ...] = ("rest", "city")
"""Pupil paths: ``rest`` for every site, ``city`` (optional) for sites in G4 municipalities."""


SCHOOLS_COLUMNS: tuple[str, ...] = (
    "code",
    "name",
    "board",
    "municipality_code",
    "municipality",
    "area",
    "postcode",
    "lat",
    "lon",
    "pupils",
    "pupils_suppressed",
    "school_types",
    "vmbo_share",
    "havo_share",
    "vwo_share",
)
"""Columns of a schools table (``python -m sim region build`` writes them): DUO's location
code, name and board number, the municipality (CBS number and name, matching a
``[[municipalities]]`` entry), area, postcode, coordinates, pupils on 1 October, whether DUO
suppressed the count (``<5``), DUO's school types and the shares of the pupils in vmbo, havo
and vwo."""

FROM_SCHOOLS_TABLE: tuple[str, ...] = ("pupils_total", "school_sites", "school_boards")
"""Parameters a schools table sets (its pupils, rows and distinct boards)."""

DRAWN_LAYOUT_ONLY: tuple[str, ...] = (
    "school_boards",
    "board_size_exponent",
    "share_vmbo",
    "share_vmbo_city",
    "share_vwo_of_havo_vwo",
)
"""Parameters only the drawn layout uses: with a schools table the boards and the school-type
mixes are the table's, so changing these changes nothing (studies leave them out)."""


class ScenarioError(ValueError):
    """A scenario that cannot be found or read: names the file and the key."""


@dataclass(frozen=True)
class MunicipalitySpec:
    """A municipality whose population sizes and places school sites (synthetic layout), or
    that labels the sites of a schools table (``population`` 0)."""

    name: str
    area: str
    lat: float
    lon: float
    population: int
    g4: bool = False


@dataclass(frozen=True)
class SchoolSpec:
    """One row of a scenario's schools table: a real school site.

    Attributes:
        code: DUO location code (``21AB00``).
        name: Name of the location.
        board: DUO board number (``BEVOEGD GEZAG NUMMER``).
        municipality: Municipality name (as in ``[[municipalities]]``).
        area: Area label (e.g. the RPA area).
        lat: Latitude.
        lon: Longitude.
        pupils: Pupils on 1 October.
        shares: Shares of the pupils in vmbo, havo and vwo (sum 1).
    """

    code: str
    name: str
    board: str
    municipality: str
    area: str
    lat: float
    lon: float
    pupils: float
    shares: tuple[float, float, float]


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
class ParameterPath:
    """A scalar parameter given by calendar year (an observed or assumed exogenous path).

    The value in year t is linear between the given years, the first value before the first
    year and the last after the last (held level), rounded for whole-number parameters.
    """

    years: tuple[int, ...]
    values: tuple[float, ...]
    integer: bool = False

    def at(self, year: int) -> float | int:
        """The parameter's value in census year ``year``."""
        value = float(np.interp(year, self.years, self.values))
        return round(value) if self.integer else value


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
    schools: tuple[SchoolSpec, ...] | None = None
    schools_source: str = ""
    parameter_paths: dict[str, ParameterPath] = field(default_factory=dict)
    supported_ranges: dict[str, tuple[float, float]] = field(default_factory=dict)

    def prior_of(self, name: str) -> Prior | None:
        """The prior parameter draws use for ``name`` with this scenario: the documented prior,
        with its range replaced by the scenario's supported range when it gives one (None: the
        parameter has no prior)."""
        prior = Parameters.info()[name].prior
        if prior is None or name not in self.supported_ranges:
            return prior
        low, high = self.supported_ranges[name]
        return prior.with_range(low, high)

    def parameters(self, **overrides: Any) -> Parameters:
        """Defaults, then the scenario's overrides (and its schools table's pupils, sites and
        boards), then ``overrides``; validated."""
        base = Parameters.build(
            {**self.parameter_overrides, **self.table_parameters()},
            context=f"scenario file {self.source}",
        )
        return base.with_overrides(**overrides) if overrides else base

    def parameters_at(self, year: int, **overrides: Any) -> Parameters:
        """As :meth:`parameters`, with every parameter path at its value of ``year``; a
        parameter the caller overrides keeps the caller's value in every year."""
        paths = {k: v.at(year) for k, v in self.parameter_paths.items() if k not in overrides}
        return self.parameters(**paths, **overrides)

    @property
    def unused_parameters(self) -> frozenset[str]:
        """Parameters this scenario's layout does not use (:data:`DRAWN_LAYOUT_ONLY` with a
        schools table, none without)."""
        return frozenset(DRAWN_LAYOUT_ONLY if self.schools else ())

    def table_parameters(self) -> dict[str, int]:
        """``pupils_total``, ``school_sites`` and ``school_boards`` of the schools table (empty
        without one)."""
        if not self.schools:
            return {}
        return {
            "pupils_total": round(sum(s.pupils for s in self.schools)),
            "school_sites": len(self.schools),
            "school_boards": len({s.board for s in self.schools}),
        }


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
        {
            "scenario",
            "parameters",
            "municipalities",
            "programmes",
            "notes",
            "pupil_projection",
            "parameter_paths",
        },
        where,
    )
    head = _require(data, "scenario", dict, where)
    _check_keys(
        head, {"name", "description", "layout_seed", "schools", "extends"}, f"{where} [scenario]"
    )
    if "extends" in head:
        data = _extend(data, _require(head, "extends", str, f"{where} [scenario]"), path)
    name = _require(head, "name", str, f"{where} [scenario]")
    description = _require(head, "description", str, f"{where} [scenario]")
    layout_seed = _number(head, "layout_seed", int, f"{where} [scenario]")
    overrides = data.get("parameters", {})
    if not isinstance(overrides, dict):
        raise ScenarioError(f"{where}: [parameters] must be a table")
    overrides = dict(overrides)
    supported_table = overrides.pop(SUPPORTED_RANGE_KEY, {})
    schools = None
    schools_path = ""
    if "schools" in head:
        table = _require(head, "schools", str, f"{where} [scenario]")
        # beside the TOML file; a copy of a shipped scenario elsewhere finds the shipped table
        found = path.parent / table
        if not found.exists() and (SCENARIO_DIR / table).exists():
            found = SCENARIO_DIR / table
        schools_path = str(found)
        schools = _read_schools(Path(schools_path), f"{where} [scenario] key 'schools'")
        clash = sorted(set(overrides) & set(FROM_SCHOOLS_TABLE))
        if clash:
            raise ScenarioError(
                f"{where} [parameters]: key(s) {clash} are set by the schools table {table}; "
                "remove them from the scenario file (override them when running, e.g. "
                "pupils_total to scale every site's pupils)"
            )

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
                population=(
                    _number(m, "population", int, w) if schools is None or "population" in m else 0
                ),
                g4=_require(m, "g4", bool, w) if "g4" in m else False,
            )
        )
        if schools is None and munis[-1].population <= 0:
            raise ScenarioError(f"{w}: key 'population' must be positive")
    if not munis:
        raise ScenarioError(f"{where}: needs at least one [[municipalities]] entry")
    if schools is not None:
        known = {m.name for m in munis}
        unknown = sorted({s.municipality for s in schools} - known)
        if unknown:
            raise ScenarioError(
                f"{where}: the schools table {schools_path} has municipality(ies) {unknown} "
                f"without a [[municipalities]] entry; allowed: {sorted(known)}"
            )

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
        schools=schools,
        schools_source=schools_path,
        parameter_paths=_parse_parameter_paths(data.get("parameter_paths", {}), where),
    )
    point = scenario.parameters()  # validates the overrides; the error names this file
    supported = _parse_supported_ranges(supported_table, point, where)
    if supported:
        scenario = dataclasses.replace(scenario, supported_ranges=supported)
    for name, spec in scenario.parameter_paths.items():
        for value in spec.values:  # every given value must be a valid value of the parameter
            Parameters.build(
                {**overrides, name: round(value) if spec.integer else value},
                context=f"{where} [parameter_paths] {name}",
            )
    return scenario


def _parse_supported_ranges(
    table: Any, point: Parameters, where: str
) -> dict[str, tuple[float, float]]:
    """Read and check ``[parameters] supported_range``: ``name = [low, high]`` per parameter."""
    w = f"{where} [parameters] {SUPPORTED_RANGE_KEY}"
    if not isinstance(table, dict):
        raise ScenarioError(f"{w}: must be a table of name = [low, high]; got {table!r}")
    info = Parameters.info()
    out: dict[str, tuple[float, float]] = {}
    for name, value in table.items():
        key = f"{w}.{name}"
        if name not in info:
            raise ScenarioError(f"{key}: no such parameter")
        i = info[name]
        if i.prior is None or i.sequence or i.boolean:
            raise ScenarioError(
                f"{key}: allowed only for a scalar parameter with a prior "
                "(`python -m sim params` lists them)"
            )
        if not (
            isinstance(value, list)
            and len(value) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            and all(math.isfinite(v) for v in value)
        ):
            raise ScenarioError(f"{key}: value {value!r}; allowed: [low, high], two numbers")
        low, high = float(value[0]), float(value[1])
        ge = -math.inf if i.ge is None else i.ge
        le = math.inf if i.le is None else i.le
        fitted = float(getattr(point, name))
        if not ge <= low <= high <= le:
            raise ScenarioError(
                f"{key}: value {value!r}; allowed: low <= high within the parameter's bounds "
                f"{i.ge} to {i.le}"
            )
        if not low <= fitted <= high:
            raise ScenarioError(
                f"{key}: value {value!r} does not contain the scenario's value {fitted:g}; "
                "allowed: low <= value <= high"
            )
        if i.prior.shape == "loguniform" and low <= 0:
            raise ScenarioError(f"{key}: value {value!r}; allowed: low > 0 (loguniform prior)")
        out[name] = (low, high)
    return out


def _extend(data: dict, base_name: str, path: Path) -> dict:
    """``data`` on top of the raw tables of the shipped scenario ``base_name`` (one level)."""
    base_path = SCENARIO_DIR / f"{base_name}.toml"
    where = f"scenario file {path} [scenario]"
    if not base_path.exists() or base_path.resolve() == path.resolve():
        raise ScenarioError(
            f"{where}: key 'extends' is {base_name!r}; allowed: another shipped scenario "
            f"({', '.join(n for n in available_scenarios() if SCENARIO_DIR / f'{n}.toml' != path)})"
        )
    base = tomllib.loads(base_path.read_text(encoding="utf-8"))
    if "extends" in base.get("scenario", {}):
        raise ScenarioError(
            f"{where}: {base_name!r} extends another scenario itself; one level only"
        )
    merged = {**base, **data}
    for key in ("parameters", "parameter_paths"):  # merged key by key, the rest replaced whole
        merged[key] = {**base.get(key, {}), **data.get(key, {})}
    own = data.get("parameters", {})
    inherited = base.get("parameters", {}).get(SUPPORTED_RANGE_KEY)
    if isinstance(inherited, dict) and isinstance(own, dict):
        # a range measured around the base's value does not hold for a value set here
        ranges = {k: v for k, v in inherited.items() if k not in own}
        given = own.get(SUPPORTED_RANGE_KEY, {})
        merged["parameters"][SUPPORTED_RANGE_KEY] = (
            {**ranges, **given} if isinstance(given, dict) else given
        )
    merged["scenario"] = {k: v for k, v in data["scenario"].items() if k != "extends"}
    return merged


def _parse_parameter_paths(table: Any, where: str) -> dict[str, ParameterPath]:
    """Read and check ``[parameter_paths]``: scalar numeric parameters by year."""
    w = f"{where} [parameter_paths]"
    if not isinstance(table, dict):
        raise ScenarioError(f"{w}: must be a table of parameter names")
    info = Parameters.info()
    out = {}
    for name, spec in table.items():
        if name not in info:
            raise ScenarioError(f"{w}: unknown parameter {name!r}")
        pi = info[name]
        if pi.sequence or pi.boolean or name in ("start_year", "horizon_years"):
            raise ScenarioError(
                f"{w}: parameter {name!r} cannot follow a path; allowed: a scalar number "
                "other than start_year and horizon_years"
            )
        ww = f"{w} {name}"
        if not isinstance(spec, dict):
            raise ScenarioError(f"{ww}: must be a table with keys 'years' and 'values'")
        _check_keys(spec, {"years", "values", "source"}, ww)
        years = _require(spec, "years", list, ww)
        values = _require(spec, "values", list, ww)
        if not years or not all(isinstance(y, int) and not isinstance(y, bool) for y in years):
            raise ScenarioError(f"{ww}: field 'years' is {years!r}; allowed: a list of whole years")
        if any(b <= a for a, b in itertools.pairwise(years)):
            raise ScenarioError(
                f"{ww}: field 'years' is {years!r}; allowed: strictly increasing years"
            )
        ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in values)
        if not ok or len(values) != len(years) or not np.all(np.isfinite(values)):
            raise ScenarioError(
                f"{ww}: field 'values' is {values!r}; allowed: one finite number per year "
                f"({len(years)})"
            )
        out[name] = ParameterPath(tuple(years), tuple(float(v) for v in values), pi.integer)
    return out


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


def _read_schools(path: Path, where: str) -> tuple[SchoolSpec, ...]:
    """Read a schools table (:data:`SCHOOLS_COLUMNS`, by header name); every error names the
    file, the line and the column."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{where}: schools table {path} cannot be read ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    needed = (
        "code",
        "name",
        "board",
        "municipality",
        "lat",
        "lon",
        "pupils",
        "vmbo_share",
        "havo_share",
        "vwo_share",
    )
    missing = [c for c in needed if c not in (reader.fieldnames or [])]
    if missing:
        raise ScenarioError(
            f"schools table {path}, line 1: missing column(s) {missing}; the table has "
            f"{reader.fieldnames}"
        )
    out = []
    for row in reader:
        line = reader.line_num

        def number(col: str, low: float, high: float, row: dict = row, line: int = line) -> float:
            try:
                value = float(row[col])
            except (TypeError, ValueError):
                value = math.nan
            if not (math.isfinite(value) and low <= value <= high):
                raise ScenarioError(
                    f"schools table {path}, line {line}, column {col!r}: value {row[col]!r} is "
                    f"not allowed; allowed: a number in [{low:g}, {high:g}]"
                )
            return value

        shares = tuple(number(f"{k}_share", 0.0, 1.0) for k in SCHOOL_TYPES)
        if abs(sum(shares) - 1.0) > 1e-3:
            raise ScenarioError(
                f"schools table {path}, line {line}, columns 'vmbo_share', 'havo_share', "
                f"'vwo_share': they add up to {sum(shares):.4f}; allowed: 1"
            )
        for col in ("code", "name", "board", "municipality"):
            if not (row[col] or "").strip():
                raise ScenarioError(
                    f"schools table {path}, line {line}, column {col!r}: empty; allowed: text"
                )
        out.append(
            SchoolSpec(
                code=row["code"].strip(),
                name=row["name"].strip(),
                board=row["board"].strip(),
                municipality=row["municipality"].strip(),
                area=(row.get("area") or "").strip(),
                lat=number("lat", -90.0, 90.0),
                lon=number("lon", -180.0, 180.0),
                pupils=number("pupils", 0.0, 100_000.0),
                shares=tuple(v / sum(shares) for v in shares),  # type: ignore[arg-type]
            )
        )
    if not out:
        raise ScenarioError(f"schools table {path}: has no rows; allowed: one row per site")
    return tuple(out)
