"""Command line: ``python -m sim run ...`` runs one simulation and prints its summary."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from sim.model.parameters import SUBJECT_GROUPS, ParameterError, Parameters, parse_assignments
from sim.model.policies import LEVERS, PRESETS, PolicyError
from sim.model.scenarios import ScenarioError, available_scenarios, load_scenario

SUMMARY_COLUMNS = {
    "demand_fte": "demand fte",
    "vacancy_fte": "open fte",
    "unqualified_fte": "hidden fte",
    "shortage_rate": "shortage %",
    "teachers": "teachers",
    "side_entrants": "side-entr.",
    "hires_graduate": "hired grad.",
    "exits_left_education": "left educ.",
    "exits_retirement": "retired",
    "lever_cost_eur": "lever cost kEUR",
}


def summary_table(series: pd.DataFrame) -> str:
    """A readable table of the yearly series (every other year and the last)."""
    years = list(series.index[::2])
    if series.index[-1] not in years:
        years.append(series.index[-1])
    table = series.loc[years, list(SUMMARY_COLUMNS)].copy()
    table["shortage_rate"] *= 100
    table["lever_cost_eur"] /= 1000
    table = table.rename(columns=SUMMARY_COLUMNS)
    return table.to_string(float_format=lambda v: f"{v:,.1f}")


def subject_table(series: pd.DataFrame) -> str:
    """Shortage rate per subject group in the first and the last year."""
    cols = [f"shortage_rate_{g}" for g in SUBJECT_GROUPS]
    table = series.loc[[series.index[0], series.index[-1]], cols].T * 100
    table.index = list(SUBJECT_GROUPS)
    return table.to_string(float_format=lambda v: f"{v:.1f}%")


class CommandError(ValueError):
    """A command-line option that cannot be used: names the option, the value and why."""


def cmd_run(args: argparse.Namespace) -> int:
    from sim.model.model import RegionModel

    if args.csv:  # checked before the simulation, not after it
        out = Path(args.csv)
        if out.is_dir():
            raise CommandError(
                f"--csv {out}: is a folder; give a file name, e.g. {out / 'run.csv'}"
            )
        if not out.parent.exists():
            raise CommandError(f"--csv {out}: folder {out.parent} does not exist")
    overrides = parse_assignments(args.set or [])
    params = load_scenario(args.scenario).parameters(**overrides)
    rng = params.default_seed if args.rng is None else args.rng
    model = RegionModel(scenario=args.scenario, policy=args.policy, rng=rng, **overrides)
    years = params.horizon_years if args.years is None else args.years
    model.run_for(years)
    series = model.series()
    levers = ", ".join(model.policy.lever_names) or "none"
    print(
        f"scenario {model.scenario_spec.name} | policy {args.policy} (levers: {levers}) | "
        f"rng {model.seed} | {len(model.schools)} school sites | {years} years"
    )
    print()
    print(summary_table(series))
    print()
    print("Shortage by subject group (open + hidden, % of demand):")
    print(subject_table(series))
    last = series.iloc[-1]
    print()
    print(
        f"End state {int(last.name)}: shortage {last.shortage_rate:.1%} of demand "
        f"(open {last.open_shortage_rate:.1%}, hidden {last.hidden_shortage_rate:.1%}); "
        f"worst tenth of schools {last.shortage_rate_worst_decile:.1%}; "
        f"Gini across schools {last.shortage_gini:.2f}."
    )
    if args.csv:
        series.to_csv(args.csv)
        print(f"yearly series written to {args.csv}")
    return 0


def cmd_params(args: argparse.Namespace) -> int:
    for info in Parameters.info().values():
        if args.group and info.group != args.group:
            continue
        print(f"{info.name} = {info.default!r}  [{info.unit}]  ({info.group})")
        print(f"    {info.doc}")
        print(f"    source: {info.source}")
    return 0


def view_command(port: int, scenario: str) -> tuple[list[str], dict[str, str]]:
    """The ``solara run`` command line and environment that serve the browser view locally."""
    app = Path(__file__).parent / "view" / "app.py"
    argv = [
        sys.executable,
        "-m",
        "solara",
        "run",
        str(app),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--production",
    ]
    env = {**os.environ, "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False", "SIM_VIEW_SCENARIO": scenario}
    return argv, env


def cmd_view(args: argparse.Namespace) -> int:
    from sim.model.scenarios import load_scenario

    if not 1 <= args.port <= 65535:
        raise ScenarioError(f"--port: value {args.port} is not allowed; allowed: 1 to 65535")
    load_scenario(args.scenario)  # a bad name fails here, not in the browser
    argv, env = view_command(args.port, args.scenario)
    print(f"serving the browser view on http://127.0.0.1:{args.port}/ (Ctrl-C stops it)")
    os.execve(sys.executable, argv, env)
    return 0  # not reached: execve replaces this process


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m sim", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="run one simulation and print its summary")
    run.add_argument(
        "--scenario",
        default="rijnmond",
        help=f"scenario name ({', '.join(available_scenarios())}) or path to a .toml",
    )
    run.add_argument(
        "--policy",
        default="isolated",
        help=f"preset ({', '.join(PRESETS)}), a lever ({', '.join(LEVERS)}), or an "
        "expression like isolated+joint_induction or collaborative-no_poaching",
    )
    defaults = Parameters.model_fields
    run.add_argument(
        "--years",
        type=int,
        help=f"years to simulate (default: the scenario's horizon_years, "
        f"{defaults['horizon_years'].default} unless it sets another)",
    )
    run.add_argument(
        "--rng",
        type=int,
        help=f"random seed (default: default_seed, {defaults['default_seed'].default})",
    )
    run.add_argument(
        "--set",
        action="append",
        metavar="NAME=VALUE",
        help="override a parameter, e.g. --set pupil_trend_per_year=-0.01",
    )
    run.add_argument("--csv", help="write the yearly series to this CSV file")
    run.set_defaults(func=cmd_run)
    params = sub.add_parser("params", help="list every parameter with its default and source")
    params.add_argument("--group", choices=["region", "pipeline", "labour_market", "policy_levers"])
    params.set_defaults(func=cmd_params)
    view = sub.add_parser("view", help="serve the browser view on 127.0.0.1 (SolaraViz)")
    view.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    view.add_argument(
        "--scenario",
        default="rijnmond",
        help=f"scenario name ({', '.join(available_scenarios())}) or path to a .toml",
    )
    view.set_defaults(func=cmd_view)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    top = Parameters.info()["horizon_years"].le
    if getattr(args, "years", None) is not None and not 1 <= args.years <= top:
        parser.error(
            f"--years: value {args.years} is not allowed; allowed: a whole number from 1 to {top}"
        )
    try:
        return args.func(args)
    except (ParameterError, PolicyError, ScenarioError, CommandError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted (Ctrl-C); nothing was written; run the command again", file=sys.stderr)
        return 130
