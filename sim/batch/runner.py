"""Batch experiments: a design as data, paired seeds, pluggable backends, resumable storage.

An experiment is a :class:`Design`: arms (a policy preset or lever expression, with parameter
overrides), a scenario, shared overrides, a number of replications and a horizon in years. It
expands to :class:`RunSpec` objects, small and picklable, and :func:`run_one` runs one spec into
its yearly model series and per-school end state. The same function serves worker processes,
Dask workers and outside tools (see ``experiments/ema_workbench_example.py``).

Common random numbers: replication ``r`` gets the same seed in every arm, derived from the
design's base seed with :class:`numpy.random.SeedSequence`; the model draws each mechanism from
its own named stream (:data:`sim.model.STREAMS`), so switching a lever on leaves the draws of
unrelated mechanisms alone, and arm differences are paired by seed.

:func:`run_batch` validates every arm before any run starts, runs the specs on a
:class:`Backend` (in-process, local worker processes, or Dask), writes each run to Parquet as it
finishes (:mod:`sim.batch.storage`), skips runs a previous session finished (checked against their
checksums), records runs that raise, time out or kill their worker, holds the folder's lock, and
rewrites ``manifest.json`` after every run. A folder holds runs of one identity only: the design,
the scenario file's content, every arm's resolved parameters and the model version. Results are read back sorted by run id, so they do not
depend on the backend, the number of workers or the order in which runs finished.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import contextlib
import dataclasses
import functools
import hashlib
import json
import logging
import multiprocessing
import os
import platform
import shlex
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from sim.batch.storage import (
    ResultsError,
    RunStore,
    encode_run,
    ensure_folder,
    file_checksums,
    folder_lock,
    write_json,
    write_text,
)
from sim.model.parameters import ParameterError, Parameters
from sim.model.policies import Policy, PolicyError
from sim.model.priors import Prior
from sim.model.scenarios import ScenarioError, load_scenario

log = logging.getLogger(__name__)

__all__ = [
    "Arm",
    "Backend",
    "BackendError",
    "BatchResult",
    "Design",
    "DesignError",
    "ResultsError",
    "RunResult",
    "RunSpec",
    "Uncertainty",
    "results_folder",
    "run_batch",
    "run_one",
]

DEFAULT_BASE_SEED = 20231001
"""Base seed of designs that name none (the census date of the first year)."""

DEFAULT_HORIZON: int = Parameters.model_fields["horizon_years"].default
"""Years a study covers unless told otherwise (the parameter object's ``horizon_years``)."""

MAX_HORIZON: int = Parameters.info()["horizon_years"].le
"""Most years a study may cover (the bound of ``horizon_years``)."""

WORKER_DIED = "WorkerDied"
"""Error name of a run whose worker process died under it (out of memory, a crash, a kill)."""

RUN_TIMEOUT = "RunTimeout"
"""Error name of a run stopped by the per-run timeout."""


class RunTimeout(Exception):  # noqa: N818 - the name users see in runs/failed/*.json
    """A run took longer than the batch's per-run timeout."""


class Terminated(BaseException):
    """The batch's process received SIGTERM (raised so that the manifest is written)."""


class DesignError(ValueError):
    """An experiment design that cannot run: names the arm and what is wrong."""


class BackendError(RuntimeError):
    """A backend that cannot start, e.g. an unreachable Dask scheduler."""


# ---------------------------------------------------------------------------- design
@dataclass(frozen=True)
class Arm:
    """One arm of an experiment: a policy with optional parameter overrides.

    Attributes:
        name: Short unique label used in file names, tables and charts.
        policy: Preset, lever, or expression accepted by :meth:`sim.model.policies.Policy.parse`.
        overrides: Parameter overrides on top of the design's shared overrides.
    """

    name: str
    policy: str
    overrides: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunSpec:
    """Everything one run needs; small and picklable so it travels to any worker."""

    run_id: int
    arm: str
    replication: int
    seed: int
    scenario: str
    policy: str
    horizon: int
    overrides: tuple[tuple[str, Any], ...] = ()
    scenario_sha256: str = ""
    draw: int | None = None
    layout_seed: int | None = None
    drawn: tuple[tuple[str, Any], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (stored with every result file and failure record).

        A run with drawn parameters also stores its draw number, its layout seed and the
        drawn values (they are already in ``overrides``, which is what the run uses).
        """
        out = asdict(self)
        out["overrides"] = {k: _jsonable(v) for k, v in self.overrides}
        if self.draw is None:
            for key in ("draw", "layout_seed", "drawn"):
                out.pop(key)
        else:
            out["drawn"] = {k: _jsonable(v) for k, v in self.drawn}
        return out


SAMPLERS = ("lhs", "sobol")
"""Unit-cube samplers of parameter draws: Latin hypercube or scrambled Sobol points
(:mod:`scipy.stats.qmc`)."""


@dataclass(frozen=True)
class Uncertainty:
    """Parameter draws of a design: which priors are sampled and how.

    Replication ``r`` uses draw ``r // seeds_per_draw`` in every arm (common random numbers
    for the seeds *and* the parameters), so a design with ``seeds_per_draw`` > 1 nests seeds
    within draws and can split the spread into seed noise and parameter uncertainty.

    Attributes:
        names: Parameters drawn; empty: every parameter with a prior (see
            ``python -m sim params``) except those the design or an arm overrides, and
            ``exclude``.
        exclude: Parameters held at their point value although they have a prior.
        seeds_per_draw: Replications (seeds) per parameter draw.
        sampler: "lhs" (Latin hypercube) or "sobol" (scrambled Sobol points).
        width: 1 draws from the priors as documented; 0 collapses every prior onto its
            point value (the fixed-parameter run); in between shrinks each range towards it.
        vary_layout: Give each draw its own layout seed (the school geography varies with the
            draw); off keeps the scenario's layout.
    """

    names: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    seeds_per_draw: int = 1
    sampler: str = "lhs"
    width: float = 1.0
    vary_layout: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "names": list(self.names),
            "exclude": list(self.exclude),
            "seeds_per_draw": self.seeds_per_draw,
            "sampler": self.sampler,
            "width": self.width,
            "vary_layout": self.vary_layout,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Uncertainty:
        return cls(
            names=tuple(data.get("names", ())),
            exclude=tuple(data.get("exclude", ())),
            seeds_per_draw=int(data.get("seeds_per_draw", 1)),
            sampler=str(data.get("sampler", "lhs")),
            width=float(data.get("width", 1.0)),
            vary_layout=bool(data.get("vary_layout", True)),
        )


@dataclass(frozen=True)
class Design:
    """An experiment as data.

    Attributes:
        experiment: Name of the study (the first folder level under the results folder).
        arms: The arms, each run with every replication seed.
        replications: Paired replications per arm.
        horizon: Years simulated after the initial census.
        scenario: Scenario name or path to a scenario TOML file.
        overrides: Parameter overrides shared by every arm.
        base_seed: Seed the replication seeds derive from.
        uncertainty: Parameter draws per replication (None: every run uses the point
            parameters).
    """

    experiment: str
    arms: tuple[Arm, ...]
    replications: int
    horizon: int
    scenario: str = "rijnmond"
    overrides: Mapping[str, Any] = field(default_factory=dict)
    base_seed: int = DEFAULT_BASE_SEED
    uncertainty: Uncertainty | None = None

    def to_dict(self) -> dict[str, Any]:
        """Canonical JSON-ready form (the folder name is a hash of it)."""
        out = {
            "experiment": self.experiment,
            "scenario": str(self.scenario),
            "replications": self.replications,
            "horizon": self.horizon,
            "base_seed": self.base_seed,
            "overrides": {k: _jsonable(v) for k, v in sorted(self.overrides.items())},
            "arms": [
                {
                    "name": a.name,
                    "policy": a.policy,
                    "overrides": {k: _jsonable(v) for k, v in sorted(a.overrides.items())},
                }
                for a in self.arms
            ],
        }
        if self.uncertainty is not None:  # absent otherwise: older designs keep their hash
            out["uncertainty"] = {**self.uncertainty.to_dict(), "priors": self._priors_digest()}
        return out

    def _priors_digest(self) -> str:
        """Hash of what the draws depend on besides the design: the drawn parameters, their
        priors and point values. A changed prior gives the design a new folder instead of a
        clash with runs drawn from the old one."""
        info = Parameters.info()
        try:
            point = self.point_parameters()
            priors = self.priors()
        except (ScenarioError, ParameterError):
            return "invalid"  # validate() names the problem
        names = [n for n in self.drawn_names() if n in info]
        text = json.dumps(
            [
                [
                    n,
                    priors[n].describe() if priors.get(n) else None,
                    _jsonable(getattr(point, n)),
                ]
                for n in names
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:10]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Design:
        """Rebuild a design from :meth:`to_dict` output (e.g. a manifest)."""
        return cls(
            experiment=data["experiment"],
            arms=tuple(
                Arm(a["name"], a["policy"], dict(a.get("overrides", {}))) for a in data["arms"]
            ),
            replications=int(data["replications"]),
            horizon=int(data["horizon"]),
            scenario=data.get("scenario", "rijnmond"),
            overrides=dict(data.get("overrides", {})),
            base_seed=int(data.get("base_seed", DEFAULT_BASE_SEED)),
            uncertainty=(
                Uncertainty.from_dict(data["uncertainty"]) if data.get("uncertainty") else None
            ),
        )

    def identity(self) -> dict[str, Any]:
        """What the results of this design depend on: the design, the scenario file's content,
        every arm's resolved parameters and the model version. A results folder holds runs of
        one identity only (:func:`run_batch` refuses to mix)."""
        scenario = load_scenario(self.scenario)
        return {
            "design": self.to_dict(),
            "scenario_sha256": scenario_checksum(self.scenario),
            "parameters": {
                arm.name: {
                    k: _jsonable(v)
                    for k, v in scenario.parameters(**{**self.overrides, **arm.overrides})
                    .model_dump()
                    .items()
                }
                for arm in self.arms
            },
            "model_version": model_version(),
        }

    def digest(self) -> str:
        """Short hash of :meth:`identity` (the folder name ends with it)."""
        text = json.dumps(self.identity(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:10]

    def default_name(self) -> str:
        """Folder name derived from the design, so the same design resumes in the same folder."""
        drawn = f"-{self.n_draws}draws" if self.uncertainty is not None else ""
        return f"{len(self.arms)}arms-{self.replications}rep{drawn}-{self.horizon}y-{self.digest()}"

    # ------------------------------------------------------------ parameter draws
    @property
    def n_draws(self) -> int:
        """Distinct parameter sets (0 without uncertainty)."""
        if self.uncertainty is None:
            return 0
        return -(-self.replications // max(1, self.uncertainty.seeds_per_draw))

    def draw_of(self, replication: int) -> int | None:
        """The parameter draw replication ``replication`` uses (None without uncertainty)."""
        if self.uncertainty is None:
            return None
        return replication // self.uncertainty.seeds_per_draw

    def drawn_names(self) -> list[str]:
        """The parameters drawn, in declaration order."""
        u = self.uncertainty
        if u is None:
            return []
        info = Parameters.info()
        fixed = set(self.overrides) | {k for a in self.arms for k in a.overrides} | set(u.exclude)
        if u.names:
            return [n for n in info if n in set(u.names)]
        return [n for n, i in info.items() if i.prior is not None and n not in fixed]

    def point_parameters(self) -> Parameters:
        """The parameters a fixed-parameter run of this design uses (scenario + overrides)."""
        return load_scenario(self.scenario).parameters(**self.overrides)

    def priors(self) -> dict[str, Prior | None]:
        """The prior each drawn parameter is drawn from: its documented prior, over the
        scenario's supported range when the scenario gives one (a calibrated parameter, see
        :meth:`sim.model.scenarios.Scenario.prior_of`)."""
        scenario = load_scenario(self.scenario)
        return {n: scenario.prior_of(n) for n in self.drawn_names() if n in Parameters.info()}

    def parameter_draws(self) -> list[dict[str, Any]]:
        """Each draw's parameter values (empty without uncertainty).

        Quantiles come from the design's sampler seeded from ``base_seed`` (a stream apart from
        the replication seeds), one unit-cube dimension per scalar parameter and one per share
        of a profile, mapped through each prior's inverse cumulative distribution.
        """
        u = self.uncertainty
        if u is None:
            return []
        from scipy.stats import qmc

        point = self.point_parameters()
        names = self.drawn_names()
        priors = self.priors()
        dims = [len(getattr(point, n)) if priors[n].shape == "dirichlet" else 1 for n in names]
        n = self.n_draws
        rng = np.random.default_rng(np.random.SeedSequence([self.base_seed, 1]))
        if not names:
            return [{} for _ in range(n)]
        if u.sampler == "sobol":
            m = max(0, int(np.ceil(np.log2(n))))
            cube = qmc.Sobol(sum(dims), scramble=True, rng=rng).random_base2(m)[:n]
        else:
            cube = qmc.LatinHypercube(sum(dims), rng=rng).random(n)
        out: list[dict[str, Any]] = [{} for _ in range(n)]
        col = 0
        for name, k in zip(names, dims, strict=True):
            q = cube[:, col] if k == 1 else cube[:, col : col + k]
            col += k
            for i, v in enumerate(priors[name].ppf(q, getattr(point, name), u.width)):
                out[i][name] = v
        return out

    def layout_seeds(self) -> list[int | None]:
        """One layout seed per draw (None each when the layout stays the scenario's)."""
        u = self.uncertainty
        if u is None:
            return []
        if not u.vary_layout:
            return [None] * self.n_draws
        state = np.random.SeedSequence([self.base_seed, 2]).generate_state(self.n_draws, np.uint32)
        return [int(s) for s in state]

    def draw_table(self) -> pd.DataFrame:
        """One row per replication: its draw, layout seed and drawn values (a share profile
        spread over ``name[i]`` columns), for reports and sensitivity analyses."""
        draws, layouts = self.parameter_draws(), self.layout_seeds()
        rows = []
        for r in range(self.replications):
            d = self.draw_of(r)
            row: dict[str, Any] = {"replication": r, "draw": d, "layout_seed": layouts[d]}
            for name, value in draws[d].items():
                if isinstance(value, tuple):
                    row.update({f"{name}[{i}]": v for i, v in enumerate(value)})
                else:
                    row[name] = value
            rows.append(row)
        return pd.DataFrame(rows)

    def seeds(self) -> list[int]:
        """One seed per replication, shared by every arm (common random numbers)."""
        children = np.random.SeedSequence(self.base_seed).spawn(self.replications)
        return [int(c.generate_state(1, np.uint64)[0] >> 1) for c in children]

    def arm(self, name: str) -> Arm:
        """The arm called ``name``."""
        for a in self.arms:
            if a.name == name:
                return a
        raise DesignError(f"unknown arm {name!r}; arms: {', '.join(a.name for a in self.arms)}")

    def run_specs(self) -> list[RunSpec]:
        """Every run, replication by replication, so a partial batch is still paired."""
        scenario_sha = scenario_checksum(self.scenario)
        specs = []
        draws, layouts = self.parameter_draws(), self.layout_seeds()
        for r, seed in enumerate(self.seeds()):
            d = self.draw_of(r)
            drawn = draws[d] if d is not None else {}
            for a, arm in enumerate(self.arms):
                # an arm's own overrides win over a draw (the arm defines that value)
                merged = {**self.overrides, **drawn, **arm.overrides}
                specs.append(
                    RunSpec(
                        run_id=r * len(self.arms) + a,
                        arm=arm.name,
                        replication=r,
                        seed=seed,
                        scenario=str(self.scenario),
                        policy=arm.policy,
                        horizon=self.horizon,
                        overrides=tuple(sorted(merged.items())),
                        scenario_sha256=scenario_sha,
                        draw=d,
                        layout_seed=layouts[d] if d is not None else None,
                        drawn=tuple(sorted(drawn.items())),
                    )
                )
        return specs

    def validate(self) -> None:
        """Build every arm's scenario, parameters and policy; fail before any run starts.

        Raises:
            DesignError: naming the arm (or design field) and what is wrong.
        """
        where = f"design {self.experiment!r}"
        if not self.experiment or not _safe_name(self.experiment):
            raise DesignError(f"{where}: experiment name must be letters, digits, '-', '_'")
        for name, value, low, high in (
            ("replications", self.replications, 1, None),
            ("horizon", self.horizon, 1, MAX_HORIZON),
            ("base_seed", self.base_seed, 0, 2**63 - 1),
        ):
            whole = not isinstance(value, bool) and isinstance(value, int | np.integer)
            if not whole or value < low or (high is not None and value > high):
                allowed = f">= {low}" if high is None else f"from {low} to {high}"
                raise DesignError(
                    f"{where}: {name} is {value!r}; allowed: a whole number {allowed}"
                )
        if not self.arms:
            raise DesignError(f"{where}: needs at least one arm")
        names = [a.name for a in self.arms]
        dup = sorted({n for n in names if names.count(n) > 1})
        if dup:
            raise DesignError(f"{where}: arm names must be unique; repeated: {dup}")
        try:
            scenario = load_scenario(self.scenario)
        except (ScenarioError, ParameterError) as exc:
            raise DesignError(f"{where}: {exc}") from None
        for arm in self.arms:
            if not _safe_name(arm.name):
                raise DesignError(
                    f"{where}: arm name {arm.name!r} is not allowed; use letters, "
                    "digits, '-', '_', '+'"
                )
            try:
                scenario.parameters(**{**self.overrides, **arm.overrides})
                Policy.parse(arm.policy)
            except (ParameterError, PolicyError) as exc:
                raise DesignError(f"{where}, arm {arm.name!r}: {exc}") from None
        if self.uncertainty is not None:
            self._validate_uncertainty(where, scenario)

    def _validate_uncertainty(self, where: str, scenario: Any) -> None:
        """Check the draw options, then build every draw's parameters before any run."""
        u = self.uncertainty
        info = Parameters.info()
        if u.sampler not in SAMPLERS:
            raise DesignError(f"{where}: sampler {u.sampler!r}; allowed: {SAMPLERS}")
        if (
            isinstance(u.seeds_per_draw, bool)
            or not isinstance(u.seeds_per_draw, int)
            or (u.seeds_per_draw < 1)
        ):
            raise DesignError(
                f"{where}: seeds_per_draw is {u.seeds_per_draw!r}; allowed: a whole number >= 1"
            )
        if not 0.0 <= u.width <= 1.0:
            raise DesignError(f"{where}: width is {u.width!r}; allowed: 0 to 1")
        for name in (*u.names, *u.exclude):
            if name not in info:
                raise DesignError(f"{where}: uncertainty names unknown parameter {name!r}")
            if name in u.names and info[name].prior is None:
                raise DesignError(
                    f"{where}: parameter {name!r} has no prior to draw from; parameters with "
                    "one are listed by `python -m sim params` (prior: ...)"
                )
        for d, drawn in enumerate(self.parameter_draws()):
            for arm in self.arms:
                try:
                    scenario.parameters(**{**self.overrides, **drawn, **arm.overrides})
                except ParameterError as exc:
                    raise DesignError(f"{where}, draw {d}, arm {arm.name!r}: {exc}") from None


def _safe_name(name: str) -> bool:
    # no path separators, and not "." or ".." (which would leave the results folder)
    return bool(name) and name.strip(".") != "" and all(ch.isalnum() or ch in "-_+." for ch in name)


def scenario_checksum(scenario: str | Path) -> str:
    """SHA-256 of the scenario file's content (a shipped name or a path)."""
    return hashlib.sha256(Path(load_scenario(scenario).source).read_bytes()).hexdigest()


def model_version() -> str:
    """The package version and a hash of the model's code and shipped scenarios: any change to
    a mechanism gives another version, and so another results folder."""
    root = Path(__file__).resolve().parents[1] / "model"
    digest = hashlib.sha256()
    for path in sorted([*root.rglob("*.py"), *root.rglob("*.toml")]):
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
    try:
        version = metadata.version("teacher-supply-sim")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a source tree
        version = "0"
    return f"{version}+{digest.hexdigest()[:10]}"


def _jsonable(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


# ------------------------------------------------------------------------- one run
@dataclass
class RunResult:
    """What one run returns: its yearly series and its per-school end state."""

    series: pd.DataFrame
    schools: pd.DataFrame


def run_one(spec: RunSpec) -> RunResult:
    """Run one spec: build the model, run ``horizon`` years, return its frames.

    The yearly series has one row per census year (the first is the initial census) and the
    per-school frame one row per school site at the last census; both carry ``run_id``,
    ``arm``, ``replication`` and ``seed`` columns (the school frame also ``year``).
    """
    if spec.scenario_sha256 and scenario_checksum(spec.scenario) != spec.scenario_sha256:
        raise ScenarioError(
            f"scenario {spec.scenario} changed since the batch started; its runs would mix two "
            "versions. Run the command again: the changed scenario gets its own results folder"
        )
    model = build_model(spec)
    model.run_for(spec.horizon)
    ids = {
        "run_id": spec.run_id,
        "arm": spec.arm,
        "replication": spec.replication,
        "seed": spec.seed,
    }
    series = model.series().reset_index()
    schools = model.school_frame()
    schools.insert(0, "year", model.year)
    for frame in (series, schools):
        for i, (k, v) in enumerate(ids.items()):
            frame.insert(i, k, v)
    return RunResult(series=series, schools=schools)


def build_model(spec: RunSpec) -> Any:
    """The :class:`RegionModel` of a spec, built at its first census (not yet run)."""
    from sim.model.model import RegionModel  # imported here so importing the runner stays light

    scenario: Any = spec.scenario
    if spec.layout_seed is not None:  # the draw places the school sites its own way
        scenario = dataclasses.replace(load_scenario(spec.scenario), layout_seed=spec.layout_seed)
    return RegionModel(scenario=scenario, policy=spec.policy, rng=spec.seed, **dict(spec.overrides))


def run_specs_model(design: Design, spec: RunSpec | None = None) -> Any:
    """A model of ``spec`` (built, not run), or of the design's point parameters under
    isolated policy with seed 0 when no spec is given (e.g. for the institutes of a map)."""
    if spec is not None:
        return build_model(spec)
    from sim.model.model import RegionModel

    return RegionModel(scenario=design.scenario, policy="isolated", rng=0, **design.overrides)


RunFunction = Callable[[RunSpec], RunResult]


def _execute(
    run_function: RunFunction,
    spec: RunSpec,
    timeout_s: float | None = None,
    batch_pid: int | None = None,
) -> tuple[str, Any, float]:
    """Worker side: run a spec and catch its error, so the traceback names the worker's frames.

    With ``timeout_s``, a run in a process's main thread (in-process backend) is stopped by an
    alarm that raises :class:`RunTimeout`; a run in a worker thread of another process (Dask)
    ends its worker process, which Dask then reports as lost.
    """
    start = time.perf_counter()
    with _run_timeout(timeout_s, spec, batch_pid):
        return _execute_now(run_function, spec, start)


def _execute_now(run_function: RunFunction, spec: RunSpec, start: float) -> tuple[str, Any, float]:
    try:
        result = run_function(spec)
        seconds = time.perf_counter() - start
        files = encode_run(
            spec.to_dict(), {"series": result.series, "schools": result.schools}, seconds
        )
    except Exception as exc:  # a failing run is recorded; the batch goes on
        return "error", (f"{type(exc).__name__}: {exc}", traceback.format_exc()), 0.0
    return "ok", files, seconds


@contextlib.contextmanager
def _run_timeout(timeout_s: float | None, spec: RunSpec, batch_pid: int | None) -> Iterator[None]:
    if not timeout_s:
        yield
        return
    if threading.current_thread() is threading.main_thread() and hasattr(signal, "setitimer"):

        def alarm(signum, frame):
            raise RunTimeout(f"run {spec.run_id} took longer than the timeout of {timeout_s:g} s")

        old = signal.signal(signal.SIGALRM, alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout_s)
        try:
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    elif batch_pid is not None and os.getpid() != batch_pid:
        # a worker thread cannot be interrupted; its process can end (and Dask reports it lost)
        timer = threading.Timer(timeout_s, os._exit, args=(124,))
        timer.daemon = True
        timer.start()
        try:
            yield
        finally:
            timer.cancel()
    else:  # a thread of the batch's own process (Dask with threads): nothing can stop it
        yield


def _watch_parent(parent_pid: int) -> None:
    """Worker start-up: end this worker when the batch's process is gone (killed, crashed), so
    no orphaned worker keeps its memory."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


# -------------------------------------------------------------------------- backends
class InProcessExecutor(cf.Executor):
    """Runs each submitted call at once in this process (for debugging and small batches)."""

    def submit(self, fn, /, *args, **kwargs):
        future: cf.Future = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
        return future


@dataclass(frozen=True)
class Backend:
    """Where runs execute: an in-process executor, a pebble process pool (a worker that dies or
    overruns the timeout fails its own run only and is replaced) or a Dask executor; each
    returns ``concurrent.futures`` futures.

    Attributes:
        kind: "inprocess", "processes" (local worker processes, reused across runs) or "dask".
        workers: Worker processes ("processes", and the Dask LocalCluster when no scheduler).
        scheduler: Address of a running Dask scheduler (e.g. from dask-jobqueue); None starts
            a LocalCluster.
        threads: For a Dask LocalCluster: run workers as threads of this process (tests).
        connect_timeout_s: How long to wait for a Dask scheduler before giving up.
    """

    kind: str = "processes"
    workers: int = 2
    scheduler: str | None = None
    threads: bool = False
    connect_timeout_s: float = 20.0

    KINDS = ("inprocess", "processes", "dask")

    def __post_init__(self) -> None:
        if self.kind not in self.KINDS:
            raise BackendError(f"backend {self.kind!r} is not allowed; allowed: {self.KINDS}")
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 1:
            raise BackendError(f"workers is {self.workers!r}; allowed: a whole number >= 1")

    def describe(self) -> str:
        if self.kind == "inprocess":
            return "in-process"
        if self.kind == "processes":
            return f"{self.workers} local worker process(es)"
        return (
            f"Dask scheduler {self.scheduler}"
            if self.scheduler
            else (f"Dask LocalCluster with {self.workers} worker(s)")
        )

    @property
    def slots(self) -> int:
        """Runs worth keeping in flight."""
        return 1 if self.kind == "inprocess" else self.workers

    @contextlib.contextmanager
    def executor(self) -> Iterator[cf.Executor]:
        """Start the backend and yield its executor; shut it down afterwards."""
        if self.kind == "inprocess":
            yield InProcessExecutor()
        elif self.kind == "processes":
            # pebble's pool: a worker that dies or overruns the timeout fails only its own run
            # and is replaced. spawn: a clean interpreter per worker on every OS (fork and
            # threads do not mix); each worker imports the model once and serves many runs
            from pebble import ProcessPool

            pool = ProcessPool(
                max_workers=self.workers,
                context=multiprocessing.get_context("spawn"),
                initializer=_watch_parent,
                initargs=(os.getpid(),),
            )
            try:
                yield pool
                pool.close()
            except BaseException:
                pool.stop()  # interrupted: stop the workers now, not after their runs
                raise
            finally:
                pool.join()
        else:
            with self._dask() as client:
                executor = client.get_executor(pure=False)
                try:
                    yield executor
                finally:
                    executor.shutdown(wait=True)

    @contextlib.contextmanager
    def _dask(self) -> Iterator[Any]:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - dask is a declared dependency
            raise BackendError(f"the Dask backend needs dask[distributed]: {exc}") from None
        if self.scheduler:
            try:
                client = Client(self.scheduler, timeout=f"{self.connect_timeout_s}s")
            except (OSError, TimeoutError, ValueError, TypeError) as exc:  # ValueError: malformed
                raise BackendError(
                    f"cannot reach the Dask scheduler at {self.scheduler!r} ({exc}); check the "
                    "address (e.g. tcp://host:8786) and that the scheduler is running"
                ) from None
            try:
                yield client
            finally:
                client.close()
            return
        cluster = LocalCluster(
            n_workers=self.workers,
            threads_per_worker=1,
            processes=not self.threads,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()


# ------------------------------------------------------------------------ the batch
@dataclass
class BatchResult:
    """Summary of a batch: where its results are and how many runs finished or failed."""

    folder: Path
    design: Design
    total: int
    finished: int
    skipped: int
    ran: int
    failed: list[dict]
    seconds: float

    @property
    def complete(self) -> bool:
        return self.finished == self.total

    def summary(self) -> str:
        """One line for the console."""
        text = (
            f"{self.finished} of {self.total} runs finished ({self.skipped} from earlier "
            f"sessions, {self.ran} now) in {self.seconds:.1f} s; {len(self.failed)} failed"
        )
        if self.failed:
            ids = ", ".join(str(f["run_id"]) for f in self.failed[:10])
            text += f" (run ids {ids}{', ...' if len(self.failed) > 10 else ''}; see "
            text += f"{self.folder / 'runs' / 'failed'})"
        return text


def results_folder(results_dir: Path | str, design: Design, name: str | None = None) -> Path:
    """``<results_dir>/<experiment>/<name>``; the name defaults to one derived from the design."""
    return Path(results_dir) / design.experiment / (name or design.default_name())


def run_batch(
    design: Design,
    results_dir: Path | str,
    backend: Backend | None = None,
    *,
    name: str | None = None,
    progress: bool | None = None,
    run_function: RunFunction = run_one,
    run_timeout_s: float | None = None,
) -> BatchResult:
    """Run every run of ``design`` that is not finished yet and store it as it finishes.

    Args:
        design: The experiment.
        results_dir: Results root; runs go to ``<results_dir>/<experiment>/<name>/``.
        backend: Where to run; default two local worker processes.
        name: Folder name; default derived from the design's identity (design, scenario
            content, resolved parameters, model version), so a rerun resumes and a change
            starts a new folder.
        progress: Show a progress bar; None shows it only when stderr is a terminal.
        run_function: The function that runs one spec (a top-level function, so that worker
            processes can import it); :func:`run_one` unless a caller needs other outputs.
        run_timeout_s: Stop a run that takes longer and record it as failed (None: no limit).

    Raises:
        DesignError: before any run, for an unknown lever, parameter or scenario.
        ResultsError: the results folder cannot be created or written, holds another design,
            or is in use by another batch.
        BackendError: the backend cannot start (e.g. unreachable Dask scheduler).
    """
    design.validate()
    if run_timeout_s is not None and not (
        isinstance(run_timeout_s, int | float) and 0 < run_timeout_s < float("inf")
    ):
        raise DesignError(
            f"run timeout is {run_timeout_s!r}; allowed: a number of seconds > 0, or none"
        )
    if name is not None and not _safe_name(name):
        raise ResultsError(
            f"--name {name!r} is not allowed; allowed: letters, digits, '-', '_', '+', '.' "
            "(a folder inside the results folder)"
        )
    backend = backend or Backend()
    results_dir = Path(results_dir)
    if not results_dir.exists() and not results_dir.parent.exists():
        raise ResultsError(
            f"results folder {results_dir} does not exist, nor does its parent "
            f"{results_dir.parent}; create it or pass another --results-dir"
        )
    folder = ensure_folder(results_folder(results_dir, design, name))
    with folder_lock(folder), _sigterm_raises():
        return _run_locked(design, folder, backend, progress, run_function, run_timeout_s)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While a batch runs, SIGTERM raises :class:`Terminated`, so the manifest is written and
    the workers are stopped as on Ctrl-C (only the main thread can set a handler)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum, frame):
        raise Terminated("SIGTERM")

    old = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, old)


def _run_locked(
    design: Design,
    folder: Path,
    backend: Backend,
    progress: bool | None,
    run_function: RunFunction,
    run_timeout_s: float | None,
) -> BatchResult:
    store = RunStore(folder)
    specs = design.run_specs()
    by_id = {s.run_id: s.to_dict() for s in specs}
    manifest = _open_manifest(folder, design)
    store.prepare()
    checksums = manifest.setdefault("run_checksums", {})
    done = store.finished(by_id, checksums)
    for key in [k for k in checksums if int(k) not in done]:
        del checksums[key]  # moved aside, or never finished
    # a run noted as running when the process died (in-process backend) killed the process:
    # record it as failed and run the others; the next rerun tries it again
    died = [i for i in store.started() if i in by_id and i not in done]
    for run_id in died:
        store.write_failure(
            run_id,
            by_id[run_id],
            f"{WORKER_DIED}: the process died while running this run (out of memory, a crash "
            "or a kill); rerun the command to try it again",
            "",
        )
        log.warning("run %d was running when the batch's process died; recorded as failed", run_id)
    for run_id in store.started():
        store.clear_started(run_id)
    todo = [s for s in specs if s.run_id not in done and s.run_id not in died]
    if design.uncertainty is not None:  # the drawn values beside the runs, for outside tools
        write_text(folder / "draws.csv", design.draw_table().to_csv(index=False))
    commit = _git_commit()
    if todo and done and manifest.get("git_commit") not in (None, commit):
        log.warning(
            "%s was started at commit %s and is resumed at %s (same model version); the runs "
            "finished earlier are kept (use another --name to start afresh)",
            folder,
            manifest["git_commit"],
            commit,
        )
    if done:
        log.info(
            "%s: %d of %d runs already finished; running the other %d",
            folder,
            len(done),
            len(specs),
            len(todo),
        )

    session = {
        "backend": backend.describe(),
        "git_commit": commit,
        "started_at": _now(),
        "runs_ran": 0,
        "runs_failed": 0,
        "run_seconds_total": 0.0,
        "run_timeout_s": run_timeout_s,
        "status": "running",
    }
    if not todo:  # a finished batch: nothing to run, and no session worth recording
        _write_manifest(folder, manifest, design, len(specs), len(done), store)
        return BatchResult(
            folder=folder,
            design=design,
            total=len(specs),
            finished=len(done),
            skipped=len(done),
            ran=0,
            failed=store.failures(),
            seconds=0.0,
        )
    manifest["sessions"].append(session)
    _write_manifest(folder, manifest, design, len(specs), len(done), store)

    start = time.perf_counter()
    bar = _progress_bar(len(specs), len(done), progress)
    failed_now = 0
    mark = backend.kind == "inprocess"  # the run shares the batch's process: note it first
    try:
        with backend.executor() as executor:
            stream = _stream(
                executor,
                run_function,
                todo,
                backend.slots,
                run_timeout_s,
                before=store.mark_started if mark else None,
                after=store.clear_started if mark else None,
            )
            for spec, outcome in stream:
                status, payload, seconds = outcome
                if status == "ok":
                    # checksums go into the manifest before the files go into place, so that
                    # every run file on disk is listed, whenever the batch is killed
                    checksums[str(spec.run_id)] = file_checksums(payload)
                    _write_manifest(folder, manifest, design, len(specs), len(done), store)
                    store.write_run(spec.run_id, payload)
                    session["runs_ran"] += 1
                    session["run_seconds_total"] += seconds
                    done[spec.run_id] = seconds
                else:
                    error, tb = payload
                    store.write_failure(spec.run_id, by_id[spec.run_id], error, tb)
                    log.warning(
                        "run %d (arm %s, replication %d) failed: %s",
                        spec.run_id,
                        spec.arm,
                        spec.replication,
                        error,
                    )
                    failed_now += 1
                    session["runs_failed"] += 1
                # the manifest follows every run, so its counts are true after any kill
                _write_manifest(folder, manifest, design, len(specs), len(done), store)
                bar.update(1)
                bar.set_postfix(failed=failed_now, refresh=False)
        session["status"] = "finished"
    except BaseException as exc:
        session["status"] = f"interrupted ({type(exc).__name__})"
        for run_id in store.started():  # an interrupt is not the run's fault
            store.clear_started(run_id)
        raise
    finally:
        bar.close()
        session["ended_at"] = _now()
        _write_manifest(folder, manifest, design, len(specs), len(done), store)
    failures = [f for f in store.failures() if f["run_id"] not in done]
    return BatchResult(
        folder=folder,
        design=design,
        total=len(specs),
        finished=len(done),
        skipped=len(specs) - len(todo),
        ran=session["runs_ran"],
        failed=failures,
        seconds=time.perf_counter() - start,
    )


def _stream(
    executor: Any,
    run_function: RunFunction,
    specs: list[RunSpec],
    slots: int,
    timeout_s: float | None = None,
    before: Callable[[int], None] | None = None,
    after: Callable[[int], None] | None = None,
) -> Iterator[tuple[RunSpec, tuple[str, Any, float]]]:
    """Yield (spec, outcome) as runs finish, keeping a bounded number in flight.

    Only a few results wait in memory at any time, however many runs the batch has. A run
    whose worker dies, or that overruns ``timeout_s``, comes back as a failed outcome.
    """
    from pebble import ProcessExpired, ProcessPool

    pending: dict[Any, RunSpec] = {}
    queue = iter(specs)
    window = max(2, 2 * slots)
    pebble = isinstance(executor, ProcessPool)

    def submit(spec: RunSpec) -> Any:
        if before is not None:
            before(spec.run_id)
        if pebble:  # the pool stops an overrunning worker itself
            return executor.schedule(_execute, args=(run_function, spec), timeout=timeout_s)
        future = executor.submit(_execute, run_function, spec, timeout_s, os.getpid())
        if after is not None:  # in-process: the run has returned (or raised) by now
            after(spec.run_id)
        return future

    def fill() -> None:
        while len(pending) < window:
            spec = next(queue, None)
            if spec is None:
                return
            pending[submit(spec)] = spec

    fill()
    while pending:
        finished, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
        for future in finished:
            spec = pending.pop(future)
            try:
                outcome = future.result()
            except ProcessExpired as exc:
                outcome = _failed(
                    f"{WORKER_DIED}: the worker process died while running this run (exit code "
                    f"{exc.exitcode}: out of memory, a crash or a kill)"
                )
            except TimeoutError:
                outcome = _failed(
                    f"{RUN_TIMEOUT}: the run took longer than the timeout of {timeout_s:g} s; "
                    "its worker was stopped"
                )
            except Exception as exc:
                # the result could not travel back (e.g. a lost Dask worker): record the run
                outcome = ("error", (f"{type(exc).__name__}: {exc}", traceback.format_exc()), 0.0)
            yield spec, outcome
        fill()


def _failed(error: str) -> tuple[str, Any, float]:
    return "error", (error, ""), 0.0


def _progress_bar(total: int, initial: int, progress: bool | None):
    from tqdm.auto import tqdm

    show = sys.stderr.isatty() if progress is None else progress
    return tqdm(
        total=total,
        initial=initial,
        unit="run",
        disable=not show,
        dynamic_ncols=True,
        desc="runs",
        smoothing=0.1,
    )


# ------------------------------------------------------------------------ manifest
def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _open_manifest(folder: Path, design: Design) -> dict[str, Any]:
    path = folder / "manifest.json"
    identity = design.identity()
    digest = design.digest()
    if not path.exists():
        return {
            "design_hash": digest,
            "design": design.to_dict(),
            "identity": identity,
            "seeds": design.seeds(),
            "created_at": _now(),
            "sessions": [],
        }
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ResultsError(
            f"{path} cannot be read ({exc}); move it away to start the folder "
            "afresh (the run files are kept and reused)"
        ) from None
    if manifest.get("design_hash") != digest:
        raise ResultsError(
            f"{folder} holds another {_what_differs(manifest.get('identity'), identity)} "
            f"(hash {manifest.get('design_hash')}, this one {digest}); runs are never mixed: "
            "give this one its own folder (--name, or leave --name out for a folder named "
            "after it) or remove the old one"
        )
    for session in manifest.get("sessions", []):
        if session.get("status") == "running":  # its process never wrote an end
            session["status"] = "ended without notice (killed, crashed or powered off)"
    return manifest


def _what_differs(old: dict | None, new: dict) -> str:
    if not old:
        return "design"
    if old.get("design") != new["design"]:
        return "design"
    if old.get("scenario_sha256") != new["scenario_sha256"]:
        return "version of the scenario file (its content changed)"
    if old.get("model_version") != new["model_version"]:
        return (
            f"model version ({old.get('model_version')}; now {new['model_version']}: the "
            "model's code changed)"
        )
    return "set of resolved parameters"


def _write_manifest(
    folder: Path, manifest: dict, design: Design, total: int, finished: int, store: RunStore
) -> None:
    sessions = manifest["sessions"]
    ran = sum(s["runs_ran"] for s in sessions)
    seconds = sum(s["run_seconds_total"] for s in sessions)
    commits = list(dict.fromkeys(s["git_commit"] for s in sessions if s["runs_ran"]))
    manifest.update(
        {
            "git_commit": commits[-1]
            if commits
            else (sessions[-1]["git_commit"] if sessions else _git_commit()),
            "run_commits": commits,
            "versions": _versions(),
            "runs_total": total,
            "runs_finished": finished,
            "runs_failed": len(store.failures()),
            "seconds_per_run": round(seconds / ran, 4) if ran else None,
            "started_at": sessions[0]["started_at"] if sessions else None,
            "ended_at": sessions[-1].get("ended_at") if sessions else None,
        }
    )
    write_json(folder / "manifest.json", manifest)


@functools.cache
def _versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in ("teacher-supply-sim", "mesa", "numpy", "pandas", "pyarrow", "dask", "distributed"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            continue
    return out


def _git_commit() -> str | None:
    """Commit of the working tree the model is imported from (with "-dirty" when modified)."""
    root = Path(__file__).resolve().parents[2]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "sim"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("-dirty" if dirty else "")


# ------------------------------------------------------------------- study scripts
STUDY_ERRORS = (DesignError, ResultsError, BackendError, ParameterError, PolicyError, ScenarioError)
"""Errors an experiment script reports as one clear line instead of a traceback."""


def add_runner_arguments(parser: argparse.ArgumentParser, default_results_dir: Path) -> None:
    """Add the options every study script shares (backend, workers, results folder, ...)."""
    g = parser.add_argument_group("running")
    g.add_argument(
        "--backend",
        choices=Backend.KINDS,
        default="processes",
        help="where runs execute: in this process, local worker processes "
        "(default), or Dask (a LocalCluster, or --scheduler)",
    )
    g.add_argument(
        "--workers",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="worker processes (default: 2, or 1 on a one-core machine)",
    )
    g.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
        "(implies --backend dask)",
    )
    g.add_argument(
        "--results-dir",
        type=Path,
        default=default_results_dir,
        help=f"results root (default: {default_results_dir})",
    )
    g.add_argument(
        "--name",
        help="results folder name (default: derived from the design, so the same command resumes)",
    )
    g.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_BASE_SEED,
        help=f"base seed of the replication seeds (default {DEFAULT_BASE_SEED})",
    )
    g.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        default=[],
        help="override a parameter in every arm, e.g. --set pupil_trend_per_year=-0.01",
    )
    g.add_argument(
        "--run-timeout",
        type=float,
        metavar="SECONDS",
        help="stop a run that takes longer and record it as failed (default: no limit)",
    )
    g.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: only on a terminal)",
    )


def backend_from_args(args: argparse.Namespace) -> Backend:
    """The backend the shared options ask for."""
    kind = "dask" if args.scheduler else args.backend
    return Backend(kind=kind, workers=args.workers, scheduler=args.scheduler)


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    """Parameter overrides from ``--set NAME=VALUE`` (values read as TOML literals)."""
    from sim.model.parameters import parse_assignments

    return parse_assignments(args.set)


def run_from_args(design: Design, args: argparse.Namespace) -> BatchResult:
    """Run a study's design with the shared command-line options."""
    return run_batch(
        design,
        args.results_dir,
        backend_from_args(args),
        name=args.name,
        progress=args.progress,
        run_timeout_s=getattr(args, "run_timeout", None),
    )


@dataclass
class StudyOutcome:
    """What a study script reports: its exit code and its lines for stdout and stderr."""

    code: int
    out: list[str]
    err: list[str]

    def emit(self, out: TextIO, err: TextIO) -> int:
        """Write the lines to the caller's streams and return the exit code."""
        for line in self.out:
            out.write(line + "\n")
        for line in self.err:
            err.write(line + "\n")
        return self.code


def study_parser(
    doc: str, default_results_dir: Path, replications: int, quick_replications: int
) -> argparse.ArgumentParser:
    """The options every study script has: ``--quick``, ``--replications``, ``--horizon``,
    ``--scenario`` and the runner's options (:func:`add_runner_arguments`)."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{quick_replications} replications instead of {replications}",
    )
    parser.add_argument(
        "--replications",
        type=int,
        help=f"paired replications per arm (default {replications}, or "
        f"{quick_replications} with --quick)",
    )
    parser.add_argument(
        "--horizon",
        type=int,
        default=DEFAULT_HORIZON,
        help=f"years after the first census (default {DEFAULT_HORIZON})",
    )
    parser.add_argument("--scenario", default="rijnmond", help="scenario name or .toml path")
    parser.add_argument(
        "--lang",
        default="en",
        choices=["en", "nl"],
        help="language of the report: en (default) or nl (Dutch, Dutch number format)",
    )
    add_runner_arguments(parser, default_results_dir)
    parser.set_defaults(replication_defaults=(replications, quick_replications))
    return parser


def add_uncertainty_arguments(
    parser: argparse.ArgumentParser, draws: int, quick_draws: int, seeds_per_draw: int
) -> None:
    """The options of a study that draws parameters: ``--fixed``, ``--draws``, ..."""
    g = parser.add_argument_group("parameter uncertainty")
    g.add_argument(
        "--fixed",
        action="store_true",
        help="keep every parameter at its point value (seed noise only; --replications seeds)",
    )
    g.add_argument(
        "--draws",
        type=int,
        help=f"parameter draws (default {draws}, or {quick_draws} with --quick)",
    )
    g.add_argument(
        "--seeds-per-draw",
        type=int,
        default=seeds_per_draw,
        help=f"seeds per parameter draw (default {seeds_per_draw}; 2 or more splits the spread "
        "into seed noise and parameters)",
    )
    g.add_argument("--sampler", choices=SAMPLERS, default="lhs", help="unit-cube sampler")
    parser.set_defaults(draw_defaults=(draws, quick_draws))


def uncertainty_from_args(args: argparse.Namespace) -> tuple[Uncertainty | None, int | None]:
    """The design's draws and its replications (None: the fixed-parameter replications)."""
    if args.fixed:
        return None, None
    default, quick = args.draw_defaults
    draws = args.draws if args.draws is not None else (quick if args.quick else default)
    u = Uncertainty(seeds_per_draw=args.seeds_per_draw, sampler=args.sampler)
    return u, draws * args.seeds_per_draw


def replications_from_args(args: argparse.Namespace) -> int:
    """``--replications``, else the study's default (or its ``--quick`` default)."""
    default, quick = args.replication_defaults
    if args.replications is not None:
        return args.replications  # validated with the design (0 is refused, not defaulted)
    return quick if args.quick else default


def run_study(
    parser: argparse.ArgumentParser,
    argv: list[str] | None,
    make_design: Callable[[argparse.Namespace], Design],
    analyse: Callable[[BatchResult, str], Path],
    script: str,
) -> StudyOutcome:
    """Parse a study's options, run its design, and analyse what finished.

    The script prints the returned lines. Exit codes: 0 all runs finished; 1 some failed (the
    report covers the rest) or none finished; 2 bad input, or an unusable folder or backend
    (nothing ran).
    """
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    configure_logging()
    command = shlex.join(["python", f"experiments/{Path(script).name}", *argv])
    design = None
    try:
        design = make_design(args)
        batch = run_from_args(design, args)
    except STUDY_ERRORS as exc:
        return StudyOutcome(2, [], [f"error: {exc}"])
    except (KeyboardInterrupt, Terminated) as exc:
        folder = (
            results_folder(args.results_dir, design, args.name)
            if design is not None and (args.name is None or _safe_name(args.name))
            else None
        )
        code, line = interrupted(exc, folder)
        return StudyOutcome(code, [], [line])
    out = [batch.summary()]
    if batch.finished == 0:
        return StudyOutcome(1, out, ["error: no run finished; nothing to report"])
    out.append(f"report: {analyse(batch, command, lang=args.lang)}")
    return StudyOutcome(1 if batch.failed else 0, out, [])


def interrupted(exc: BaseException, folder: Path | None = None) -> tuple[int, str]:
    """Exit code and message of a study stopped by Ctrl-C or SIGTERM: what is kept, what to do."""
    how, code = ("Ctrl-C", 130) if isinstance(exc, KeyboardInterrupt) else ("SIGTERM", 143)
    where = f" in {folder}" if folder is not None else ""
    return code, (
        f"interrupted ({how}): the finished runs are saved{where}; run the same command again "
        "to resume"
    )


def configure_logging() -> None:
    """Show the runner's messages (resume, failures) on the console, not Mesa's per-step log."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    logging.getLogger("sim").setLevel(logging.INFO)
