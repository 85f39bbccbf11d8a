"""Command line: ``python -m sim run ...`` runs one simulation and prints its summary;
``python -m sim region build ...`` turns DUO's files into a scenario."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import pandas as pd

from sim.i18n import LANGUAGES, N_, LanguageError, Translator
from sim.model.parameters import SUBJECT_GROUPS, ParameterError, Parameters, parse_assignments
from sim.model.policies import LEVERS, PRESETS, PolicyError
from sim.model.scenarios import ScenarioError, available_scenarios, load_scenario

SUMMARY_COLUMNS = {
    "demand_fte": N_("demand fte"),
    "vacancy_fte": N_("open fte"),
    "unqualified_fte": N_("hidden fte"),
    "shortage_rate": N_("shortage %"),
    "teachers": N_("teachers"),
    "side_entrants": N_("side-entr."),
    "hires_graduate": N_("hired grad."),
    "exits_left_education": N_("left educ."),
    "exits_retirement": N_("retired"),
    "lever_cost_eur": N_("lever cost kEUR"),
    "lever_cost_fte": N_("lever staff fte"),
}


def summary_table(series: pd.DataFrame, t: Translator | None = None) -> str:
    """A readable table of the yearly series (every other year and the last), with the
    language's number format (1.490,5 in Dutch)."""
    t = t or Translator("en")
    years = list(series.index[::2])
    if series.index[-1] not in years:
        years.append(series.index[-1])
    table = series.loc[years, list(SUMMARY_COLUMNS)].copy()
    table["shortage_rate"] *= 100
    table["lever_cost_eur"] /= 1000
    table = table.rename(columns={k: t._(v) for k, v in SUMMARY_COLUMNS.items()})
    table.index.name = t._("year")
    return table.to_string(float_format=lambda v: t.num(v, 1))


def subject_table(series: pd.DataFrame, t: Translator | None = None) -> str:
    """Shortage rate per subject group in the first and the last year."""
    from sim.view.charts import SUBJECT_LABELS

    t = t or Translator("en")
    cols = [f"shortage_rate_{g}" for g in SUBJECT_GROUPS]
    table = series.loc[[series.index[0], series.index[-1]], cols].T
    table.index = [t._(SUBJECT_LABELS[g]) for g in SUBJECT_GROUPS]
    return table.to_string(formatters={c: t.pct for c in table.columns})


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
    t = Translator(args.lang)
    model.run_for(years)
    series = model.series()
    levers = ", ".join(model.policy.lever_names) or t._("none")
    print(
        t._(
            "scenario {scenario} | policy {policy} (levers: {levers}) | rng {rng} | "
            "{sites} school sites | {years} years"
        ).format(
            scenario=model.scenario_spec.name,
            policy=args.policy,
            levers=levers,
            rng=model.seed,
            sites=len(model.schools),
            years=years,
        )
    )
    print()
    print(summary_table(series, t))
    print()
    print(t._("Shortage by subject group (open + hidden, % of demand):"))
    print(subject_table(series, t))
    last = series.iloc[-1]
    flows = series.iloc[1:]
    print()
    print(
        t._(
            "End state {year}: shortage {shortage} of demand (open {open}, hidden {hidden}); "
            "worst tenth of schools {worst}; Gini across schools {gini}."
        ).format(
            year=int(last.name),
            shortage=t.pct(last.shortage_rate),
            open=t.pct(last.open_shortage_rate),
            hidden=t.pct(last.hidden_shortage_rate),
            worst=t.pct(last.shortage_rate_worst_decile),
            gini=t.num(last.shortage_gini, 2),
        )
    )
    print(
        t._(
            "Lever costs over the run: {eur} and {fte}-years of staff time "
            "({eur_year} and {fte_year} in {year})."
        ).format(
            eur=t.eur(flows["lever_cost_eur"].sum()),
            fte=t.fte(flows["lever_cost_fte"].sum(), 1),
            eur_year=t.eur(last.lever_cost_eur),
            fte_year=t.fte(last.lever_cost_fte, 1),
            year=int(last.name),
        )
    )
    if args.csv:
        series.to_csv(args.csv)
        print(t._("yearly series written to {path}").format(path=args.csv))
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
        "quarter of the range, cut at the range (used for derived and calibrated values); "
        "`dirichlet` varies a share profile around "
        "its point profile (larger concentration, less spread). Batch designs draw from "
        "these priors (`docs/running-studies.md`, *Parameter uncertainty*). A parameter "
        "without a prior is held at its value in every draw.",
        "",
        "Calibrated parameters: the range shown is the calibration's search range. A scenario "
        "whose calibrated block gives `supported_range.NAME = [low, high]` (written by "
        "`experiments/calibrate.py`: the values the search found within a tolerance of the best "
        "fit, `docs/calibration.md`, *Supported ranges*) replaces it for that scenario's draws, "
        "with the same shape around the fitted value; `python -m sim params --scenario NAME` "
        "lists the priors a scenario's draws use.",
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
    scenario = load_scenario(args.scenario) if args.scenario else None
    point = scenario.parameters() if scenario else None
    for info in Parameters.info().values():
        if args.group and info.group != args.group:
            continue
        value = getattr(point, info.name) if point is not None else info.default
        where = f"scenario {scenario.name}" if scenario else info.group
        print(f"{info.name} = {value!r}  [{info.unit}]  ({where})")
        print(f"    {info.doc}")
        print(f"    source: {info.source}")
        if info.grade or info.prior:
            # with a scenario, the prior draws use: over its supported range if it gives one
            prior = scenario.prior_of(info.name) if scenario else info.prior
            text = prior.describe() if prior else "none (held at its value)"
            print(f"    evidence: {info.grade or '-'}; prior: {text}")
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
    env["SIM_VIEW_LANG"] = args.lang
    print(f"serving the browser view on http://127.0.0.1:{args.port}/ (Ctrl-C stops it)")
    os.execve(sys.executable, argv, env)
    return 0  # not reached: execve replaces this process


def cmd_region_build(args: argparse.Namespace) -> int:
    import shlex

    from sim.regions.build import RegionBuildError, build_region, write_scenario
    from sim.regions.duo import DuoFileError

    if not args.municipalities and not args.region:
        raise ScenarioError(
            "region build: give --municipalities NAME ... and/or --region KIND=CODE "
            "(KIND: rpa, corop, onderwijsgebied)"
        )
    if not args.name or not all(c.isalnum() or c in "-_" for c in args.name):
        raise ScenarioError(
            f"--name: value {args.name!r} is not allowed; allowed: letters, digits, '-' and '_'"
        )
    try:
        region = build_region(
            args.name,
            args.locations,
            args.pupils,
            municipalities=args.municipalities or [],
            regions=args.region or [],
            **({"pc4_path": args.postcodes} if args.postcodes else {}),
        )
        command = shlex.join(["python", "-m", "sim", *args.argv])
        toml_path, table = write_scenario(region, args.out, args.template, command=command)
    except (DuoFileError, RegionBuildError) as exc:
        raise ScenarioError(str(exc)) from None
    mix = [sum(s.pupils * s.shares[k] for s in region.sites) / region.pupils for k in range(3)]
    print(
        f"{region.name}: {len(region.sites)} school sites, {len(region.boards)} boards, "
        f"{region.pupils:,.0f} pupils in {len(region.municipalities)} municipalities "
        f"(vmbo {mix[0]:.0%}, havo {mix[1]:.0%}, vwo {mix[2]:.0%})"
    )
    for note in region.notes:
        print(f"  note: {note}")
    print(f"wrote {toml_path}\nwrote {table}")
    print(f"run it: python -m sim run --scenario {toml_path}")
    return 0


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
    run.add_argument(
        "--lang",
        default="en",
        choices=sorted(LANGUAGES),
        help="language of the summary: en (default) or nl (Dutch, with Dutch number format)",
    )
    run.set_defaults(func=cmd_run)
    params = sub.add_parser("params", help="list every parameter with its default and source")
    params.add_argument("--group", choices=["region", "pipeline", "labour_market", "policy_levers"])
    params.add_argument(
        "--write-doc",
        action="store_true",
        help=f"write the list of parameters with grades and priors to {PARAMETERS_DOC.name}",
    )
    params.add_argument(
        "--scenario",
        default=None,
        help="show this scenario's values and the priors its parameter draws use (a calibrated "
        "parameter's prior over the scenario's supported range); default: the defaults",
    )
    params.set_defaults(func=cmd_params)
    view = sub.add_parser("view", help="serve the browser view on 127.0.0.1 (SolaraViz)")
    view.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    view.add_argument(
        "--scenario",
        default="rijnmond",
        help=f"scenario name ({', '.join(available_scenarios())}) or path to a .toml",
    )
    view.add_argument(
        "--lang", default="en", choices=sorted(LANGUAGES), help="language the page opens in"
    )
    view.set_defaults(func=cmd_view)
    region = sub.add_parser("region", help="build a region scenario from DUO's open data")
    region_sub = region.add_subparsers(dest="region_command", required=True)
    build = region_sub.add_parser(
        "build",
        help="write NAME.toml and NAME-schools.csv from DUO's address and pupils files",
        description="Build a scenario from DUO's 02.-alle-vestigingen-vo.csv (--locations) and "
        "03.-leerlingen-vo-per-vestiging-en-bestuur-(vavo-apart)-YYYY.csv (--pupils).",
    )
    build.add_argument("--locations", required=True, help="DUO's address file of VO locations")
    build.add_argument("--pupils", required=True, help="DUO's pupils per location file")
    build.add_argument(
        "--municipalities",
        nargs="+",
        metavar="NAME",
        help="municipalities by name or CBS number (e.g. Rotterdam Schiedam 0622)",
    )
    build.add_argument(
        "--region",
        action="append",
        metavar="KIND=CODE",
        help="a region code the address file carries: rpa=23, corop=29, onderwijsgebied=17 "
        "(or the name: rpa=Rijnmond); may be repeated and combined with --municipalities",
    )
    build.add_argument("--name", required=True, help="scenario name (letters, digits, - and _)")
    build.add_argument("--out", default="regions", help="output folder (default: ./regions)")
    build.add_argument(
        "--template",
        default="rijnmond",
        help="scenario whose parameters, pupil projection and programmes are copied "
        "(default rijnmond)",
    )
    build.add_argument(
        "--postcodes", help="postcode table PC4 -> [lat, lon] (default: the shipped one)"
    )
    build.set_defaults(func=cmd_region_build)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.argv = list(sys.argv[1:] if argv is None else argv)
    top = Parameters.info()["horizon_years"].le
    if getattr(args, "years", None) is not None and not 1 <= args.years <= top:
        parser.error(
            f"--years: value {args.years} is not allowed; allowed: a whole number from 1 to {top}"
        )
    try:
        return args.func(args)
    except (ParameterError, PolicyError, ScenarioError, CommandError, LanguageError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted (Ctrl-C); nothing was written; run the command again", file=sys.stderr)
        return 130
