"""Scenario discovery with the EMA Workbench: when does the collaborative region still miss a
shortage target?

The EMA Workbench (an optional extra) samples the uncertain conditions of the region, runs the
model through the project's own run function (:func:`sim.batch.runner.run_one`, the same one the batch
runner uses), and PRIM then looks for the box of conditions in which collaborative policy still
ends above the target. Install the extra first:

    .venv/bin/pip install -e ".[ema]"
    python experiments/ema_workbench_example.py --scenarios 200 --target 0.03

Every experiment uses the same seed (common random numbers), so differences between experiments
come from the sampled conditions, not from noise.
"""

from __future__ import annotations

import argparse
import sys

from sim.batch.runner import DEFAULT_BASE_SEED, DEFAULT_HORIZON, RunSpec, run_one
from sim.model.parameters import Parameters

UNCERTAINTIES = (
    "pupil_trend_per_year",
    "outside_labour_market_tightness",
    "returner_rate",
    "inmigration_ratio",
    "leave_region_rate",
    "training_choice_rate",
    "side_entrant_applicants_per_100_teachers",
    "workload_exit_sensitivity",
)
"""Conditions outside the region's control; their ranges come from the parameter documentation."""

INSTALL_HINT = (
    "the EMA Workbench is an optional extra and is not installed; install it with\n"
    '    .venv/bin/pip install -e ".[ema]"\n'
    "(or pip install 'ema_workbench>=2.5'), then run this script again"
)


def region_outcomes(
    policy_preset: str = "collaborative",
    seed: int = DEFAULT_BASE_SEED,
    horizon: int = DEFAULT_HORIZON,
    scenario: str = "rijnmond",
    **conditions: float,
) -> dict[str, float]:
    """One model run as the EMA Workbench sees it: keyword inputs in, scalar outcomes out."""
    spec = RunSpec(
        run_id=0,
        arm=policy_preset,
        replication=0,
        seed=int(seed),
        scenario=scenario,
        policy=policy_preset,
        horizon=int(horizon),
        overrides=tuple(sorted((k, float(v)) for k, v in conditions.items())),
    )
    series = run_one(spec).series
    last = series.iloc[-1]
    return {
        "shortage_rate_end": float(last["shortage_rate"]),
        "open_shortage_rate_end": float(last["open_shortage_rate"]),
        "lever_cost_eur_total": float(series["lever_cost_eur"].iloc[1:].sum()),
    }


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--scenarios",
        type=int,
        default=200,
        help="sampled conditions (Latin hypercube, default 200)",
    )
    parser.add_argument(
        "--target",
        type=float,
        default=0.03,
        help="shortage target as a share of demand (default 0.03)",
    )
    parser.add_argument(
        "--horizon", type=int, default=DEFAULT_HORIZON, help=f"years (default {DEFAULT_HORIZON})"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="worker processes for the EMA Workbench (default 1)"
    )
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_BASE_SEED, help="model seed shared by every experiment"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        from ema_workbench import (
            CategoricalParameter,
            Constant,
            Model,
            MultiprocessingEvaluator,
            RealParameter,
            ScalarOutcome,
            SequentialEvaluator,
        )
        from ema_workbench.analysis import prim
    except ImportError:
        print(f"error: {INSTALL_HINT}", file=sys.stderr)
        return 1
    try:  # EMA Workbench 3 calls a policy a Sample; version 2 calls it Policy
        from ema_workbench import Sample as Policy
    except ImportError:
        from ema_workbench import Policy

    info = Parameters.info()
    model = Model("teacher_supply", function=region_outcomes)
    model.uncertainties = [RealParameter(n, *map(float, info[n].plausible)) for n in UNCERTAINTIES]
    model.levers = [CategoricalParameter("policy_preset", ["isolated", "collaborative"])]
    model.constants = [Constant("seed", args.seed), Constant("horizon", args.horizon)]
    model.outcomes = [
        ScalarOutcome("shortage_rate_end"),
        ScalarOutcome("open_shortage_rate_end"),
        ScalarOutcome("lever_cost_eur_total"),
    ]
    policies = [Policy(name, policy_preset=name) for name in ("isolated", "collaborative")]

    evaluator = (
        MultiprocessingEvaluator(model, n_processes=args.workers)
        if args.workers > 1
        else SequentialEvaluator(model)
    )
    with evaluator:
        experiments, outcomes = evaluator.perform_experiments(args.scenarios, policies)

    collaborative = (experiments["policy_preset"] == "collaborative").to_numpy()
    x = experiments.loc[collaborative, list(UNCERTAINTIES)].reset_index(drop=True)
    missed = outcomes["shortage_rate_end"][collaborative] > args.target
    print(
        f"collaborative policy misses the {args.target:.1%} target in "
        f"{missed.mean():.0%} of {collaborative.sum()} sampled futures "
        f"(isolated: {(outcomes['shortage_rate_end'][~collaborative] > args.target).mean():.0%})"
    )
    if not 0 < missed.sum() < missed.size:
        print("PRIM needs futures on both sides of the target; change --target")
        return 0
    try:
        algorithm = prim.Prim(x, missed, threshold=0.8)  # EMA Workbench 2: density threshold
    except TypeError:
        algorithm = prim.Prim(x, missed)  # version 3 has no threshold argument
    box = algorithm.find_box()
    if box is None:
        print("PRIM found no box of conditions that explains the misses")
        return 0
    print("Conditions under which the collaborative region still misses the target (PRIM box):")
    box.inspect()
    return 0


if __name__ == "__main__":
    sys.exit(main())
