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


def cmd_run(args: argparse.Namespace) -> int:
    from sim.model.model import RegionModel

    overrides = parse_assignments(args.set or [])
    params = load_scenario(args.scenario).parameters(**overrides)
    rng = params.default_seed if args.rng is None else args.rng
    model = RegionModel(scenario=args.scenario, policy=args.policy, rng=rng, **overrides)
    years = params.horizon_years if args.years is None else args.years
    if args.csv:
        out = Path(args.csv)
        if not out.parent.exists():
            raise ScenarioError(f"--csv {out}: folder {out.parent} does not exist")
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


PARAMETERS_DOC = Path(__file__).resolve().parents[1] / "docs" / "parameters.md"
"""The generated list of parameters (``python -m sim params --write-doc``; a test keeps it fresh)."""


def parameters_markdown() -> str:
    """``docs/parameters.md``: every parameter with its default, unit, evidence grade, prior
    and source, by group."""
    from sim.model.priors import GRADES

    lines = [
        "# Parameters, their evidence and their priors",
        "",
        "Generated from `sim/model/parameters.py` by `python -m sim params --write-doc`; "
        "`tests/test_priors.py` fails when this file is stale. Defaults are those of the "
        "parameter object; a scenario file (`sim/model/scenarios/*.toml`) may override them, "
        "e.g. with calibrated values, and the prior's point value is then the scenario's.",
        "",
        "Evidence grades: "
        + "; ".join(f"**{k}** {v}" for k, v in GRADES.items())
        + ". A parameter without a grade is a model-design choice (a switch, a seed, the "
        "horizon).",
        "",
        "Priors: the range is the parameter's plausible range. `uniform` is flat over it; "
        "`loguniform` flat in the logarithm; `triangular` peaks at the point value; "
        "`truncnorm` is a normal around the point value with a standard deviation of a "
        "quarter of the range, cut at the range (used for derived and calibrated values: for "
        "the calibrated ones the range is the calibration's search range, which the fit has "
        "not narrowed into a measured interval); `dirichlet` varies a share profile around "
        "its point profile (larger concentration, less spread). Batch designs draw from "
        "these priors (`docs/running-studies.md`, *Parameter uncertainty*). A parameter "
        "without a prior is held at its value in every draw.",
        "",
    ]
    infos = Parameters.info()
    for group in ("region", "pipeline", "labour_market", "policy_levers"):
        lines += [
            f"## {group.replace('_', ' ')}",
            "",
            "| parameter | default | unit | grade | prior | source |",
            "|---|---|---|---|---|---|",
        ]
        for info in infos.values():
            if info.group != group:
                continue
            prior = info.prior.describe() if info.prior else "-"
            default = info.default
            if isinstance(default, tuple):
                default = ", ".join(f"{v:g}" for v in default)
            cells = [
                f"`{info.name}`",
                str(default),
                info.unit,
                info.grade or "-",
                prior,
                info.source.replace("|", "/"),
            ]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def cmd_params(args: argparse.Namespace) -> int:
    if args.write_doc:
        PARAMETERS_DOC.write_text(parameters_markdown(), encoding="utf-8")
        print(f"wrote {PARAMETERS_DOC}")
        return 0
    for info in Parameters.info().values():
        if args.group and info.group != args.group:
            continue
        print(f"{info.name} = {info.default!r}  [{info.unit}]  ({info.group})")
        print(f"    {info.doc}")
        print(f"    source: {info.source}")
        if info.grade or info.prior:
            prior = info.prior.describe() if info.prior else "none (held at its value)"
            print(f"    evidence: {info.grade or '-'}; prior: {prior}")
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
    params.add_argument(
        "--write-doc",
        action="store_true",
        help=f"write the list of parameters with grades and priors to {PARAMETERS_DOC.name}",
    )
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
    if getattr(args, "years", None) is not None and args.years < 1:
        parser.error(f"--years: value {args.years} is not allowed; allowed: a whole number >= 1")
    try:
        return args.func(args)
    except (ParameterError, PolicyError, ScenarioError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
