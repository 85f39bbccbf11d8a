"""Fit the uncertain parameters of a scenario to the calibration targets and write them into it.

Targets, objective, free parameters and search are described in ``docs/calibration.md`` and
implemented in :mod:`sim.fit.calibration`. The search is deterministic (common seeds, a fixed
evaluation budget, a fixed starting point), so rerunning it reproduces the same values.

    .venv/bin/python experiments/calibrate.py                       # rijnmond, ~10 min on 2 cores
    .venv/bin/python experiments/calibrate.py --quick --dry-run     # a short check, writes nothing
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sim.fit.calibration import (
    SUPPORT_ABSOLUTE,
    SUPPORT_RELATIVE,
    TARGETS,
    FreeParameterError,
    base_parameters,
    coordinate_search,
    free_parameter_names,
    make_evaluator,
    objective_terms,
    resolve_free_parameters,
    support_tolerance,
    supported_range_entries,
    supported_ranges,
    to_overrides,
    write_calibrated_block,
)
from sim.model.parameters import ParameterError, Parameters
from sim.model.scenarios import SCENARIO_DIR, ScenarioError, load_scenario

DEFAULT_SEEDS = (101, 102, 103, 104)
QUICK_SEEDS = (101, 102)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="rijnmond", help="shipped scenario name or .toml path")
    ap.add_argument(
        "--seeds",
        type=int,
        default=None,
        help="replications per evaluation (common seeds 101, 102, ...); default 4",
    )
    ap.add_argument(
        "--max-evals", type=int, default=None, help="evaluation budget of the search; default 360"
    )
    ap.add_argument("--workers", type=int, default=2, help="worker processes (1 = no pool)")
    horizon = Parameters.model_fields["horizon_years"].default
    ap.add_argument(
        "--years", type=int, default=horizon, help=f"simulated years per run (default {horizon})"
    )
    ap.add_argument(
        "--quick",
        action="store_true",
        help="2 seeds and 40 evaluations: a check that the pipeline works (~1 min)",
    )
    ap.add_argument("--dry-run", action="store_true", help="fit and print, write nothing")
    ap.add_argument(
        "--apply-from",
        metavar="SCENARIO",
        help="do not fit: copy the fitted values of SCENARIO (e.g. rijnmond) into --scenario",
    )
    args = ap.parse_args(argv)
    # 0 is an input to refuse, not a request for the default
    default_seeds = len(QUICK_SEEDS) if args.quick else len(DEFAULT_SEEDS)
    n_seeds = default_seeds if args.seeds is None else args.seeds
    args.seed_list = tuple(101 + i for i in range(n_seeds))
    if args.max_evals is None:
        args.max_evals = 40 if args.quick else 360
    if n_seeds < 1 or args.max_evals < 1 or args.workers < 1 or args.years < 6:
        ap.error("--seeds, --max-evals and --workers must be at least 1, --years at least 6")
    top = Parameters.info()["horizon_years"].le
    if args.years > top:
        ap.error(f"--years: value {args.years} is not allowed; allowed: 6 to {top}")
    return args


def _fmt(value: float) -> str:
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def apply_from(source_name: str, scenario, command: str, dry_run: bool) -> int:
    """Copy the fitted values of another scenario into ``scenario``'s file."""
    source = load_scenario(source_name)
    names = free_parameter_names()
    values = {k: v for k, v in source.parameter_overrides.items() if k in names}
    if not values:
        print(
            f"scenario {source.name} ({source.source}) has no fitted values; run "
            f"experiments/calibrate.py --scenario {source_name} first",
            file=sys.stderr,
        )
        return 2
    header = [
        f"Copied {dt.date.today().isoformat()} by `{command}` from the fit of {source.name} "
        f"({Path(source.source).name}); the fit quality is that of {source.name}'s block: the "
        "behaviour parameters are shared, this region was not fitted on its own.",
    ]
    comments = {k: f"from {source.name}" for k in values}
    for k, v in values.items():
        print(f"  {k} = {v}")
    supported = dict(source.supported_ranges)
    for k, (low, high) in supported.items():
        print(f"  supported range of {k}: {low:g} to {high:g}")
    if dry_run:
        print("--dry-run: nothing written")
        return 0
    note = f"Supported ranges copied from {source.name} (docs/calibration.md, Supported ranges)."
    write_calibrated_block(scenario.source, values, comments, header, supported, note)
    print(f"wrote {len(values)} values from {source.name} into {scenario.source}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the calibration and write the fitted values into the scenario file."""
    args = parse_args(argv)
    try:
        free = resolve_free_parameters()  # a bad name is an error before any run
    except FreeParameterError as exc:
        print(exc, file=sys.stderr)
        return 2
    try:
        scenario = load_scenario(args.scenario)
    except (ScenarioError, ParameterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    path = Path(scenario.source)
    command = " ".join(["experiments/calibrate.py", *(argv if argv is not None else sys.argv[1:])])
    if args.apply_from:
        return apply_from(args.apply_from, scenario, command, args.dry_run)
    base = base_parameters(scenario, free)
    x0 = [f.start(base) for f in free]
    lower = [f.lower for f in free]
    upper = [f.upper for f in free]
    print(
        f"calibrating {scenario.name} ({path}); seeds {list(args.seed_list)}; "
        f"budget {args.max_evals} evaluations; {args.workers} worker(s)"
    )
    t0 = time.perf_counter()
    pool = ProcessPoolExecutor(args.workers) if args.workers > 1 else None
    try:
        map_fn = pool.map if pool else map
        evaluate = make_evaluator(
            scenario, base, args.seed_list, args.years, free=free, map_fn=map_fn
        )
        calls = [0]

        def logged(points):
            out = evaluate(points)
            calls[0] += len(points)
            best = min(f for f, _ in out)
            print(
                f"  eval {calls[0]:4d}  best of batch {best:.4f}  ({time.perf_counter() - t0:.0f} s)",
                flush=True,
            )
            return out

        result = coordinate_search(logged, x0, lower, upper, max_evaluations=args.max_evals)
    finally:
        if pool:
            pool.shutdown()
    elapsed = time.perf_counter() - t0
    terms = objective_terms(result.measures)
    print(
        f"\nobjective {result.value:.4f} (start {result.start_value:.4f}) after "
        f"{result.evaluations} evaluations, {elapsed:.0f} s"
    )
    print(f"{'target':40s} {'observed':>12s} {'simulated':>10s} {'term':>8s}")
    for t in TARGETS:
        obs = _fmt(t.observed) if t.low == t.high else f"{_fmt(t.low)}-{_fmt(t.high)}"
        sim = result.measures.get(t.name)
        sim_text = "n/a" if sim is None else _fmt(sim)
        term = f"{terms[t.name]:8.4f}" if t.name in terms else "held out"
        print(f"{t.name:40s} {obs:>12s} {sim_text:>10s} {term:>8s}")
    labels = [f.label for f in free]
    ranges = supported_ranges(result.history, labels)
    limit = support_tolerance(result.value)
    n_kept = sum(1 for _, f, _ in result.history if f <= limit)
    print(
        f"\nfitted values and supported ranges ({n_kept} of {len(result.history)} evaluations "
        f"with objective <= {limit:.4f}):"
    )
    for f, start, value in zip(free, x0, result.x, strict=True):
        low, high = ranges[f.label]
        print(f"  {f.label:40s} {start:.4f} -> {value:.4f}   supported {low:.4f} to {high:.4f}")
    supported = supported_range_entries(ranges, free)
    supported_note = (
        f"Supported ranges (prior support of the parameter draws): values of the {n_kept} of "
        f"{len(result.history)} evaluations with objective <= best + max({SUPPORT_RELATIVE:g} x "
        f"best, {SUPPORT_ABSOLUTE:g}) = "
        f"{limit:.4f}; see docs/calibration.md, Supported ranges."
    )

    values = to_overrides(result.x, base, free)
    comments = {}
    for name in values:
        informs = [t for f in free if name in (f.name, *(n for n, _ in f.tied)) for t in f.informs]
        parts = []
        for tname in dict.fromkeys(informs):
            t = next(t for t in TARGETS if t.name == tname)
            obs = _fmt(t.observed) if t.low == t.high else f"{_fmt(t.low)}-{_fmt(t.high)}"
            sim = result.measures.get(tname)
            parts.append(f"{tname} {'n/a' if sim is None else _fmt(sim)} (obs {obs})")
        comments[name] = f"fit {dt.date.today().isoformat()}: " + "; ".join(parts)
    header = [
        f"Fitted {dt.date.today().isoformat()} by `{command}`: seeds {list(args.seed_list)}, "
        f"{result.evaluations} evaluations.",
        f"Fit quality: objective {result.value:.4f} (start {result.start_value:.4f}); weighted sum "
        "of squared relative errors, see docs/calibration.md and results/validation/report.md.",
    ]
    if args.dry_run:
        print("\n--dry-run: nothing written")
        return 0
    write_calibrated_block(path, values, comments, header, supported, supported_note)
    print(f"\nwrote {len(values)} fitted values and {len(supported)} supported ranges into {path}")
    if path.parent != SCENARIO_DIR:
        print("(not a shipped scenario file)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
