"""Morris screening of the uncertain parameters and effect sizes (SALib), optionally Sobol.

Every parameter that its documentation marks uncertain carries a prior over its plausible range
(``Parameters.info()[name].prior``, see ``python -m sim params`` and ``docs/parameters.md``);
those with a scalar prior are the factors, except prices in euros (they move no shortage). The
sample lives in the unit cube of prior quantiles and every point is mapped through each prior's
inverse distribution around the scenario's point value, as in the parameter draws of the other
studies, so mu* is the change of an outcome over the whole prior of a parameter.
Each Morris point runs both policies with the same seed, so the outcomes are the shortage in the
last year under each policy and the benefit of collaboration (isolated minus collaborative),
paired per seed. The chart plots mu* (how much a parameter moves the outcome) against sigma
(how much that depends on the other parameters); the table ranks the parameters.

    python experiments/sensitivity.py                # 8 Morris trajectories, 2 workers
    python experiments/sensitivity.py --quick        # 2 trajectories, a first look
    python experiments/sensitivity.py --sobol        # then Sobol indices of the survivors
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from babel.numbers import get_decimal_symbol

from sim.batch import analysis
from sim.batch.analysis import Results
from sim.batch.report import Report
from sim.batch.runner import (
    DEFAULT_HORIZON,
    STUDY_ERRORS,
    Arm,
    BatchResult,
    Design,
    Terminated,
    add_runner_arguments,
    configure_logging,
    interrupted,
    overrides_from_args,
    run_from_args,
)
from sim.i18n import N_, Translator
from sim.model.parameters import Parameters
from sim.model.scenarios import load_scenario
from sim.plots import plotting

REPO = Path(__file__).resolve().parents[1]
POLICIES = ("isolated", "collaborative")
LEVELS = 4
SURVIVOR_SHARE = 0.1
"""A parameter survives screening when its mu* reaches this share of the largest mu*."""

OUTCOMES = {
    "isolated": N_("shortage under isolated policy (pp)"),
    "collaborative": N_("shortage under collaborative policy (pp)"),
    "benefit": N_("shortage avoided by collaboration (pp)"),
}


def factors(exclude: set[str] = frozenset()) -> dict[str, tuple[float, float]]:
    """The uncertain parameters (a scalar prior, not a price) and their prior ranges."""
    return {
        name: info.plausible
        for name, info in Parameters.info().items()
        if info.prior is not None
        and info.prior.shape != "dirichlet"
        and "EUR" not in info.unit
        and name not in exclude
    }


def problem(names: dict[str, tuple[float, float]]) -> dict:
    """A SALib problem definition over prior quantiles (every factor on [0, 1])."""
    return {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}


def point_overrides(
    names: list[str], row: np.ndarray, point: Parameters | None = None, scenario: Any = None
) -> dict[str, float | int]:
    """Parameter overrides of one sample point: each quantile through its prior (over the
    scenario's supported range for a calibrated parameter when ``scenario`` gives one)."""
    info = Parameters.info()
    point = point or Parameters()
    out: dict[str, float | int] = {}
    for name, q in zip(names, row, strict=True):
        prior = scenario.prior_of(name) if scenario is not None else info[name].prior
        (value,) = prior.ppf(np.array([min(float(q), 1 - 1e-9)]), getattr(point, name))
        out[name] = value if info[name].integer else float(f"{value:.6g}")
    return out


def sample_design(
    experiment: str,
    names: list[str],
    samples: np.ndarray,
    args: argparse.Namespace,
    replications: int,
) -> Design:
    """Both policies at every sample point, with the same replication seeds everywhere."""
    from sim.model.scenarios import load_scenario

    scenario = load_scenario(args.scenario)
    point = scenario.parameters(**overrides_from_args(args))
    arms = tuple(
        Arm(f"p{i:04d}-{pol}", pol, point_overrides(names, row, point, scenario))
        for i, row in enumerate(samples)
        for pol in POLICIES
    )
    return Design(
        experiment=experiment,
        arms=arms,
        replications=replications,
        horizon=args.horizon,
        scenario=args.scenario,
        overrides=overrides_from_args(args),
        base_seed=args.seed,
    )


def point_outcomes(batch: BatchResult, n_points: int) -> dict[str, np.ndarray]:
    """Per sample point, the mean last-year shortage per policy and the benefit (pp)."""
    end = Results.open(batch.folder).end_state(["shortage_rate"])
    end["point"] = end["arm"].str.slice(1, 5).astype(int)
    end["policy"] = end["arm"].str.slice(6)
    wide = end.pivot_table(index=["point", "replication"], columns="policy", values="shortage_rate")
    wide["benefit"] = wide["isolated"] - wide["collaborative"]
    means = (wide * 100).groupby(level="point").mean().reindex(range(n_points))
    if means.isna().any().any():
        missing = int(means.isna().any(axis=1).sum())
        raise RuntimeError(
            f"{missing} sample point(s) have no finished run of both policies; "
            "rerun the same command to finish them"
        )
    return {k: means[k].to_numpy() for k in OUTCOMES}


def _unit(unit: str) -> str:
    return "" if unit == "1" else unit


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="2 trajectories instead of 8")
    parser.add_argument(
        "--lang", default="en", choices=["en", "nl"], help="language of the report (default en)"
    )
    parser.add_argument(
        "--trajectories", type=int, help="Morris trajectories (default 8, or 2 with --quick)"
    )
    parser.add_argument(
        "--replications",
        type=int,
        default=1,
        help="seeds per sample point, averaged (default 1; the same seed at "
        "every point, so elementary effects are not blurred by noise)",
    )
    parser.add_argument(
        "--horizon", type=int, default=DEFAULT_HORIZON, help=f"years (default {DEFAULT_HORIZON})"
    )
    parser.add_argument("--scenario", default="rijnmond", help="scenario name or .toml path")
    parser.add_argument(
        "--sobol",
        action="store_true",
        help="after screening, Sobol indices of the surviving parameters",
    )
    parser.add_argument(
        "--sobol-params",
        type=int,
        default=6,
        help="largest number of survivors in the Sobol analysis (default 6)",
    )
    parser.add_argument(
        "--sobol-n", type=int, default=32, help="Sobol base sample size, a power of 2 (default 32)"
    )
    add_runner_arguments(parser, REPO / "results")
    return parser


def morris_table(batch: BatchResult, prob: dict, samples: np.ndarray, seed: int) -> pd.DataFrame:
    """mu*, sigma and mu* confidence per parameter and outcome, ranked by the benefit's mu*."""
    from SALib.analyze import morris

    ys = point_outcomes(batch, len(samples))
    info = Parameters.info()
    frames = []
    for outcome, y in ys.items():
        si = morris.analyze(prob, samples, y, num_levels=LEVELS, seed=seed)
        frames.append(
            pd.DataFrame(
                {
                    "parameter": prob["names"],
                    "outcome": outcome,
                    "mu_star": si["mu_star"],
                    "sigma": si["sigma"],
                    "mu_star_conf": si["mu_star_conf"],
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    top = table.groupby("outcome")["mu_star"].transform("max")
    table["relative"] = table["mu_star"] / top.where(top > 0, 1.0)
    table["group"] = table["parameter"].map(lambda n: info[n].group)
    return table


def analyse(
    batch: BatchResult,
    table: pd.DataFrame,
    prob: dict,
    command: str,
    sobol: pd.DataFrame | None = None,
    lang: str = "en",
) -> Path:
    """Chart, ranked table and report of the screening (and the Sobol indices, if run)."""
    info = Parameters.info()
    t = Translator(lang)
    last = int(Results.open(batch.folder).end_state(["shortage_rate"])["year"].max())
    charts = batch.folder / "charts"
    chart = plotting.morris(
        {o: table[table["outcome"] == o] for o in OUTCOMES},
        charts / "morris_mu_star_sigma.png",
        labels={k: f"{t._(v)}, {last}" for k, v in OUTCOMES.items()},
        t=t,
    )
    wide = table.pivot(index="parameter", columns="outcome", values="mu_star")[list(OUTCOMES)]
    sig = table.pivot(index="parameter", columns="outcome", values="sigma")["benefit"]
    rel = table.groupby("parameter")["relative"].max()
    wide = wide.assign(sigma_benefit=sig, survives=rel >= SURVIVOR_SHARE)
    wide = wide.sort_values(["benefit", "collaborative"], ascending=False)
    ranked = pd.DataFrame(
        {
            t._("rank"): range(1, len(wide) + 1),
            t._("parameter"): [f"`{p}`" for p in wide.index],
            t._("group"): [info[p].group for p in wide.index],
            t._("grade"): [info[p].grade or "-" for p in wide.index],
            t._("prior"): [f"{info[p].prior.describe()} {_unit(info[p].unit)}" for p in wide.index],
            t._("mu* benefit"): wide["benefit"].map(lambda v: t.num(v, 2)),
            t._("sigma benefit"): wide["sigma_benefit"].map(lambda v: t.num(v, 2)),
            t._("mu* isolated"): wide["isolated"].map(lambda v: t.num(v, 2)),
            t._("mu* collaborative"): wide["collaborative"].map(lambda v: t.num(v, 2)),
            t._("survives"): wide["survives"].map({True: t._("yes"), False: t._("no")}),
        }
    )
    top_benefit = list(wide.index[:3])
    top_iso = list(wide["isolated"].sort_values(ascending=False).index[:3])
    survivors = int(wide["survives"].sum())
    reading = t._(
        "The benefit of collaboration in {last} depends most on {top} (mu* {mu1}, {mu2} and "
        "{mu3} percentage points); the shortage under isolated policy most on {top_iso}. "
        "{survivors} of {n} parameters reach {share} of the largest mu* for at least one "
        "outcome; the other {rest} can stay at their defaults in further analysis."
    ).format(
        last=last,
        top=", ".join(f"`{p}`" for p in top_benefit),
        mu1=t.num(wide["benefit"].iloc[0], 2),
        mu2=t.num(wide["benefit"].iloc[1], 2),
        mu3=t.num(wide["benefit"].iloc[2], 2),
        top_iso=", ".join(f"`{p}`" for p in top_iso),
        survivors=survivors,
        n=len(wide),
        share=t.pct(SURVIVOR_SHARE, 0),
        rest=len(wide) - survivors,
    )
    if (wide["sigma_benefit"] > wide["benefit"]).iloc[:3].any():
        reading += " " + t._(
            "For some leading parameters sigma exceeds mu*: their effect depends on the other "
            "parameters (interactions or a non-linear response)."
        )

    rep = Report("Sensitivity: Morris screening", batch.folder, lang=lang)
    rep.what_was_run(
        batch,
        command,
        [
            t._(
                "Morris elementary effects (SALib, {levels} levels) over the {n} parameters with "
                "a scalar prior (`docs/parameters.md`, prices in euros left out), sampled in "
                "prior quantiles and mapped through each prior around the scenario's point value."
            ).format(levels=LEVELS, n=prob["num_vars"]),
            t._(
                "At every sample point both policies run with the same seed(s); outcomes are the "
                "last-year shortage per policy and their paired difference, in percentage points."
            ),
        ],
    )
    rep.heading("Reading")
    rep.paragraph(reading)
    rep.heading("Ranking")
    rep.table(
        ranked,
        note=t._(
            "mu*: mean absolute elementary effect per unit of prior quantile, i.e. the change of "
            "an outcome from one end of a parameter's prior to the other if it were linear (each "
            "step of the sample moves a parameter by 2/3 of its quantiles) (percentage points of "
            "shortage); sigma: spread of the elementary effects. *survives*: mu* at least "
            "{share} of the largest mu* of an outcome."
        ).format(share=t.pct(SURVIVOR_SHARE, 0)),
    )
    rep.heading("Chart")
    rep.image(
        chart,
        t._("mu* against sigma per outcome; the eight parameters with the largest mu* are named."),
    )
    if sobol is not None:
        sign = get_decimal_symbol(t.locale)
        shown = sobol.assign(
            outcome=[t._(o) for o in sobol["outcome"]],
            S1=[_localise(v, sign) for v in sobol["S1"]],
            ST=[_localise(v, sign) for v in sobol["ST"]],
        )
        rep.heading("Sobol indices of the survivors")
        rep.table(
            shown.rename(columns={"parameter": t._("parameter"), "outcome": t._("outcome")}),
            note=t._(
                "S1: share of the outcome's variance due to the parameter alone; ST: including "
                "its interactions (SALib, Saltelli sampling); 95% intervals in brackets."
            ),
        )
    return rep.write()


def _localise(text: str, sign: str) -> str:
    """``0.12 [0.05, 0.19]`` with the reader's decimal sign (the Sobol table is built before
    the report's language is known)."""
    return text if sign == "." else text.replace(", ", "; ").replace(".", sign)


def run_sobol(args: argparse.Namespace, table: pd.DataFrame) -> tuple[pd.DataFrame, BatchResult]:
    """Sobol indices of the parameters that survive screening (at most ``--sobol-params``)."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    rel = table.groupby("parameter")["relative"].max().sort_values(ascending=False)
    keep = list(rel[rel >= SURVIVOR_SHARE].index[: args.sobol_params])
    ranges = {n: r for n, r in factors().items() if n in keep}
    prob = problem(ranges)
    samples = sobol_sample.sample(prob, args.sobol_n, calc_second_order=False, seed=args.seed)
    design = sample_design("sensitivity_sobol", prob["names"], samples, args, args.replications)
    batch = run_from_args(design, args)
    ys = point_outcomes(batch, len(samples))
    rows = []
    for outcome, y in ys.items():
        si = sobol_analyze.analyze(prob, y, calc_second_order=False, seed=args.seed)
        for i, name in enumerate(prob["names"]):
            rows.append(
                {
                    "parameter": f"`{name}`",
                    "outcome": OUTCOMES[outcome],
                    "S1": f"{si['S1'][i]:.2f} [{si['S1'][i] - si['S1_conf'][i]:.2f}, "
                    f"{si['S1'][i] + si['S1_conf'][i]:.2f}]",
                    "ST": f"{si['ST'][i]:.2f} [{si['ST'][i] - si['ST_conf'][i]:.2f}, "
                    f"{si['ST'][i] + si['ST_conf'][i]:.2f}]",
                }
            )
    return pd.DataFrame(rows), batch


def main(argv: list[str] | None = None) -> int:
    from SALib.sample import morris as morris_sample

    argv = sys.argv[1:] if argv is None else argv
    args = build_parser().parse_args(argv)
    configure_logging()
    trajectories = args.trajectories or (2 if args.quick else 8)
    try:
        fixed = set(overrides_from_args(args))
        # a parameter fixed with --set is no factor, nor one the scenario's layout does not use
        # (the board and type-mix parameters of the drawn layout, with a schools table)
        fixed |= load_scenario(args.scenario).unused_parameters
        prob = problem(factors(exclude=fixed))
        samples = morris_sample.sample(prob, trajectories, num_levels=LEVELS, seed=args.seed)
        design = sample_design("sensitivity", prob["names"], samples, args, args.replications)
        batch = run_from_args(design, args)
        print(batch.summary())
        if batch.failed:
            print(
                "error: Morris needs every sample point; rerun the same command to retry the "
                "failed runs",
                file=sys.stderr,
            )
            return 1
        table = morris_table(batch, prob, samples, args.seed)
        sobol = None
        if args.sobol:
            sobol, sobol_batch = run_sobol(args, table)
            print(sobol_batch.summary())
    except STUDY_ERRORS as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, Terminated) as exc:
        code, line = interrupted(exc)
        print(line, file=sys.stderr)
        return code
    command = shlex.join(["python", "experiments/sensitivity.py", *argv])
    print(f"report: {analyse(batch, table, prob, command, sobol, lang=args.lang)}")
    print(
        analysis.to_markdown(
            table[table["outcome"] == "benefit"].nlargest(5, "mu_star")[
                ["parameter", "mu_star", "sigma"]
            ]
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
