"""Scenario files: a region's geography, its training programmes and parameter overrides.

A scenario is a TOML file under ``sim/model/scenarios/`` (loaded by name) or anywhere (loaded by path).
It holds four tables:

- ``[scenario]``: ``name``, ``description`` and ``layout_seed`` (the seed that places the school
  sites, so that every replication of a scenario shares one geography);
- ``[parameters]``: overrides of :class:`sim.model.parameters.Parameters` defaults (validated);
- ``[[municipalities]]``: ``name``, ``area``, ``lat``, ``lon``, ``population``;
- ``[[programmes]]``: teacher-training programmes (see :class:`ProgrammeSpec`).

Every error names the file and the key that is wrong.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.model.parameters import SUBJECT_GROUPS, Parameters

SCENARIO_DIR = Path(__file__).parent / "scenarios"


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


def _check_keys(table: dict, allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ScenarioError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(allowed)}")


def _parse(data: dict, path: Path) -> Scenario:
    where = f"scenario file {path}"
    _check_keys(data, {"scenario", "parameters", "municipalities", "programmes", "notes"}, where)
    head = _require(data, "scenario", dict, where)
    _check_keys(head, {"name", "description", "layout_seed"}, f"{where} [scenario]")
    name = _require(head, "name", str, f"{where} [scenario]")
    description = _require(head, "description", str, f"{where} [scenario]")
    layout_seed = _require(head, "layout_seed", int, f"{where} [scenario]")
    overrides = data.get("parameters", {})
    if not isinstance(overrides, dict):
        raise ScenarioError(f"{where}: [parameters] must be a table")

    munis = []
    for i, m in enumerate(_require(data, "municipalities", list, where)):
        w = f"{where} [[municipalities]] entry {i + 1}"
        if not isinstance(m, dict):
            raise ScenarioError(f"{w}: must be a table")
        _check_keys(m, {"name", "area", "lat", "lon", "population"}, w)
        munis.append(
            MunicipalitySpec(
                name=_require(m, "name", str, w),
                area=_require(m, "area", str, w),
                lat=_require(m, "lat", float, w),
                lon=_require(m, "lon", float, w),
                population=_require(m, "population", int, w),
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
            duration_years=_require(p, "duration_years", int, w),
            lat=_require(p, "lat", float, w),
            lon=_require(p, "lon", float, w),
            school_leaver_share=_require(p, "school_leaver_share", float, w),
            outside_intake=_require(p, "outside_intake", float, w),
            dropout_rr=_require(p, "dropout_rr", float, w) if "dropout_rr" in p else 1.0,
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
    )
    scenario.parameters()  # validates the overrides; the error names this file
    return scenario
