"""Isolated and collaborative policy under contrasting futures: where does collaboration pay most?

A grid of futures, each a set of parameter overrides: pupil numbers that decline or grow (an
extra yearly trend on top of the scenario's pupil projection), an
outside labour market that is tight or slack, and a normal or a stronger retirement wave. Both
policies run in every future with the same replication seeds, so the benefit of collaboration
in each future is a paired difference per seed.

Three levers also run alone on top of isolated policy in every future, so the report can say
where their ranking flips: across futures, and across parameter draws within a future.

    python experiments/futures.py            # 8 futures x 5 arms x 10 parameter draws
    python experiments/futures.py --quick    # 2 draws
    python experiments/futures.py --fixed    # point parameters, 20 paired seeds

By default every replication draws the uncertain parameters that the futures do not set from
their priors (the same draw in every arm and future; ``docs/parameters.md``), so every interval
includes parameter uncertainty.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from pathlib import Path

import pandas as pd

from sim.batch import uncertainty as unc
from sim.batch.analysis import Results, mean_interval, paired_differences
from sim.batch.report import Report
from sim.batch.runner import (
    Arm,
    BatchResult,
    Design,
    add_uncertainty_arguments,
    overrides_from_args,
    replications_from_args,
    run_study,
    study_parser,
    uncertainty_from_args,
)
from sim.i18n import N_, Translator
from sim.model.scenarios import load_scenario
from sim.plots import plotting

REPO = Path(__file__).resolve().parents[1]
POLICIES = ("isolated", "collaborative")
FUTURE_LEVERS = ("regional_matching", "joint_side_entrant_programme", "internship_pool")
"""Levers run alone on top of isolated policy in every future, to see where their ranking flips."""

PUPILS = {N_("pupil decline"): -0.015, N_("pupil growth"): 0.008}
"""Extra yearly pupil trend of each future on top of the scenario's pupil projection
(share/year; the plausible range is -2% to +1%)."""

LABOUR = {N_("tight labour market"): 1.5, N_("slack labour market"): 0.7}
"""Outside labour-market tightness (1 = calibrated; the plausible range is 0.6-1.6)."""

RETIREMENT_WAVE = {N_("normal retirement"): 1.0, N_("strong retirement wave"): 1.6}
"""Factor on the yearly exit hazard of teachers aged 60 and over."""


def futures(scenario: str) -> dict[str, dict[str, object]]:
    """Every future of the grid by name, with its parameter overrides."""
    hazard = load_scenario(scenario).parameters().exit_hazard_by_age
    out = {}
    for (p, trend), (lab, tight), (ret, factor) in itertools.product(
        PUPILS.items(), LABOUR.items(), RETIREMENT_WAVE.items()
    ):
        overrides: dict[str, object] = {
            "pupil_trend_per_year": trend,
            "outside_labour_market_tightness": tight,
        }
        if factor != 1.0:
            overrides["exit_hazard_by_age"] = (
                *hazard[:-1],
                round(min(1.0, hazard[-1] * factor), 4),
            )
        out[f"{p}, {lab}, {ret}"] = overrides
    return out


def _name(name: str, t: Translator) -> str:
    """A future's name in the report's language ('pupil decline, tight labour market, ...')."""
    return ", ".join(t._(part) for part in name.split(", "))


def _key(name: str) -> str:
    """File-safe arm prefix of a future: 'decline-tight-normal'."""
    return "-".join(
        part.split()[1] if part.startswith("pupil") else part.split()[0]
        for part in name.split(", ")
    )


def build_parser() -> argparse.ArgumentParser:
    parser = study_parser(__doc__, REPO / "results", 20, 3)
    add_uncertainty_arguments(parser, 10, 2, 1)
    return parser


def design_from_args(args: argparse.Namespace) -> Design:
    arms = tuple(
        Arm(f"{_key(name)}-{pol}", pol, overrides)
        for name, overrides in futures(args.scenario).items()
        for pol in (*POLICIES, *(f"isolated+{lv}" for lv in FUTURE_LEVERS))
    )
    u, reps = uncertainty_from_args(args)
    return Design(
        experiment="futures",
        arms=arms,
        replications=reps or replications_from_args(args),
        horizon=args.horizon,
        scenario=args.scenario,
        overrides=overrides_from_args(args),
        base_seed=args.seed,
        uncertainty=u,
    )


def lever_rankings(
    end: pd.DataFrame, design: Design, last: int, t: Translator | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Per future, the levers run alone ranked by the shortage they avoid in the last year, at
    the means and across draws (replications when there are no draws); the reading's words."""
    t = t or Translator("en")
    rows, per_all = [], []
    for name in futures(design.scenario):
        key = _key(name)
        frames = []
        for lv in FUTURE_LEVERS:
            arm = f"{key}-isolated+{lv}"
            if arm not in set(end["arm"]):
                continue
            d = paired_differences(end, "shortage_rate", arm, f"{key}-isolated")
            draw = (
                d["replication"]
                if design.uncertainty is None
                else d["replication"].map(design.draw_of)
            )
            f = pd.DataFrame({"draw": draw, "avoided": -d["difference"] * 100, "lever": lv})
            frames.append(f.groupby(["draw", "lever"], as_index=False)["avoided"].mean())
        if not frames:
            continue
        per = pd.concat(frames, ignore_index=True)
        ranks = unc.rankings(per, "lever", "avoided")
        top = ranks.iloc[0]
        second = ranks.iloc[1] if len(ranks) > 1 else None
        rows.append(
            {
                "future": _name(name, t),
                N_("first at the means"): top.lever,
                N_("its avoided (pp)"): t.num(per[per["lever"] == top.lever]["avoided"].mean(), 2),
                N_("first in (share of draws)"): t.pct(top.first_share, 0),
                N_("second at the means"): second.lever if second is not None else "-",
                N_("second beats first in"): (
                    t.pct(unc.beats(per, "lever", "avoided", second.lever, top.lever), 0)
                    if second is not None
                    else "-"
                ),
                N_("order at the means"): " > ".join(ranks["lever"]),
            }
        )
        per_all.append(per.assign(future=name))
    table = pd.DataFrame(rows)
    words: list[str] = []
    if table.empty:
        return table, words
    orders = table["order at the means"].unique()
    counts = table["first at the means"].value_counts()
    if len(orders) > 1 and len(counts) == 1:
        words.append(
            t._(
                "`{lever}` avoids the most {last} shortage in every future; the order of the "
                "levers below it changes across futures."
            ).format(lever=counts.index[0], last=last)
        )
    elif len(orders) > 1:
        words.append(
            t._("The ranking of the levers run alone flips across futures: {flips}.").format(
                flips="; ".join(
                    t._("`{lever}` avoids the most {last} shortage in {n} of {k} futures").format(
                        lever=lv, last=last, n=n, k=len(table)
                    )
                    for lv, n in counts.items()
                )
            )
        )
    else:
        words.append(
            t._(
                "The levers run alone keep the same order in every future at the mean values "
                "({order})."
            ).format(order=orders[0])
        )
    within = [
        f"{r['future']} ({r['second beats first in']})"
        for _, r in table.iterrows()
        if r["second beats first in"] != "-"
        and int(r["second beats first in"].rstrip("%").replace("\u00a0", "")) >= 10
    ]
    if within:
        words.append(
            t._(
                "Within a future the top two swap places in a sizeable share of the draws in: "
                "{futures}"
            ).format(futures="; ".join(within))
            + "."
        )
    return table, words


def analyse(batch: BatchResult, command: str, lang: str = "en") -> Path:
    """The grid chart, the table and the report of the futures study."""
    res = Results.open(batch.folder)
    end = res.end_state(["shortage_rate", "open_shortage_rate", "hidden_shortage_rate"])
    last = int(end["year"].max())
    t = Translator(lang)
    rows = []
    for name in futures(res.design.scenario):
        key = _key(name)
        iso, col = f"{key}-isolated", f"{key}-collaborative"
        diff = -paired_differences(end, "shortage_rate", col, iso)["difference"] * 100
        iv = mean_interval(diff)
        pupils, labour, wave = name.split(", ")
        rows.append(
            {
                "future": name,
                "pupils": pupils,
                "labour": labour,
                "wave": wave,
                "isolated": mean_interval(end.loc[end["arm"] == iso, "shortage_rate"] * 100),
                "collaborative": mean_interval(end.loc[end["arm"] == col, "shortage_rate"] * 100),
                "benefit": iv,
            }
        )
    grid = pd.DataFrame(rows)
    grid["benefit_mean"] = [iv.mean for iv in grid["benefit"]]
    values = grid.pivot(index=["pupils", "labour"], columns="wave", values="benefit_mean")
    pp = " " + t._("pp")
    text = grid.assign(
        # one line for the mean, one for its interval
        t=[iv.format(1, 2, unit=pp, t=t).replace(" [", "\n[", 1) for iv in grid["benefit"]]
    ).pivot(index=["pupils", "labour"], columns="wave", values="t")
    values.index = [f"{t._(p)}\n{t._(lab)}" for p, lab in values.index]
    values.columns = [t._(w) for w in values.columns]
    text.index = values.index
    values.index.name = t._("pupils and outside labour market")
    values.columns.name = t._("retirement")
    charts = batch.folder / "charts"
    files = {
        "grid": plotting.heatmap(
            values,
            charts / "where_collaboration_pays.png",
            annotations=text,
            title=t._("Where collaboration pays most: shortage avoided in {last}").format(
                last=last
            ),
            colour_label=t._("shortage avoided by collaboration (percentage points)"),
            t=t,
        ),
        "levels": plotting.dots_by_policy(
            pd.DataFrame(
                [
                    {
                        "label": _name(r.future, t),
                        "policy": pol,
                        "mean": iv.mean,
                        "low": iv.low,
                        "high": iv.high,
                    }
                    for r in grid.itertuples()
                    for pol, iv in (("isolated", r.isolated), ("collaborative", r.collaborative))
                ]
            ),
            charts / "shortage_by_future.png",
            title=t._("Shortage in {last} per future and policy").format(last=last),
            xlabel=t._("open + hidden shortage (% of demand)"),
            t=t,
        ),
    }
    table = pd.DataFrame(
        {
            t._("future"): [_name(n, t) for n in grid["future"]],
            t._("isolated, {last} (%)").format(last=last): [
                iv.format(1, 2, t=t) for iv in grid["isolated"]
            ],
            t._("collaborative, {last} (%)").format(last=last): [
                iv.format(1, 2, t=t) for iv in grid["collaborative"]
            ],
            t._("avoided by collaboration (pp)"): [iv.format(1, 2, t=t) for iv in grid["benefit"]],
        }
    )

    best = grid.loc[grid["benefit_mean"].idxmax()]
    worst = grid.loc[grid["benefit_mean"].idxmin()]
    by = {dim: grid.groupby(dim)["benefit_mean"].mean() for dim in ("pupils", "labour", "wave")}
    spread = {dim: s.max() - s.min() for dim, s in by.items()}
    driver = max(spread, key=spread.get)
    contrast = {
        "pupils": t._("pupil trend"),
        "labour": t._("outside labour market"),
        "wave": t._("retirement wave"),
    }
    reading = t._(
        "Collaboration pays most under {best}: it lowers the {last} shortage by {mean} "
        "percentage points (95% interval {low} to {high}), against {worst_mean} under {worst}. "
        "Of the three contrasts, the {contrast} moves the benefit most: {top} {top_pp} pp "
        "against {bottom} {bottom_pp} pp, averaged over the other contrasts."
    ).format(
        best=_name(best["future"], t),
        last=last,
        mean=t.num(best["benefit"].mean, 2),
        low=t.num(best["benefit"].low, 2),
        high=t.num(best["benefit"].high, 2),
        worst_mean=t.num(worst["benefit"].mean, 2),
        worst=_name(worst["future"], t),
        contrast=contrast[driver],
        top=t._(by[driver].idxmax()),
        top_pp=t.num(by[driver].max(), 2),
        bottom=t._(by[driver].idxmin()),
        bottom_pp=t.num(by[driver].min(), 2),
    )

    rep = Report("Policies across futures", batch.folder, lang=lang)
    rep.what_was_run(
        batch,
        command,
        [
            t._(
                "Futures: pupils {pupils} on top of the scenario's pupil projection; outside "
                "labour market {labour}; retirement {retirement}."
            ).format(
                pupils=", ".join(
                    f"{t._(k)} (`pupil_trend_per_year={v}`)" for k, v in PUPILS.items()
                ),
                labour=", ".join(
                    f"{t._(k)} (`outside_labour_market_tightness={v}`)" for k, v in LABOUR.items()
                ),
                retirement=", ".join(
                    t._("{name} (exit hazard at 60+ x{factor})").format(name=t._(k), factor=v)
                    for k, v in RETIREMENT_WAVE.items()
                ),
            ),
            t._(
                "Both policies run in all 8 futures with the same seeds; the benefit is the "
                "paired difference per seed (isolated minus collaborative), with its 95% interval."
            ),
            *(
                [
                    t._(
                        "Parameter draws: {draws}, each replication its own draw of the {k} "
                        "uncertain parameters the futures do not set, shared by every arm, with "
                        "its own school geography (drawn values in `draws.csv`)."
                    ).format(draws=res.design.n_draws, k=len(res.design.drawn_names()))
                ]
                if res.design.uncertainty is not None
                else []
            ),
        ],
    )
    lever_table, lever_words = lever_rankings(end, res.design, last, t)
    drawn = res.design.uncertainty is not None
    rep.heading("Reading")
    rep.paragraph(" ".join([reading, *lever_words]))
    rep.heading("Futures")
    rep.table(
        table,
        note=(
            t._(
                "End state {last}: mean [95% interval] over parameter draws and seeds together "
                "(every draw shared by all arms)."
            )
            if drawn
            else t._("End state {last}: mean [95% interval].")
        ).format(last=last),
    )
    if not lever_table.empty:
        rep.heading("Where lever rankings flip")
        rep.paragraph(
            (
                t._(
                    "Three levers run alone on top of isolated policy in every future "
                    "({levers}). Per future they are ranked by the {last} shortage they avoid "
                    "against isolated policy: at the mean values, and per parameter draw (how "
                    "often the first ranks first, and how often the second beats it)."
                )
                if drawn
                else t._(
                    "Three levers run alone on top of isolated policy in every future "
                    "({levers}). Per future they are ranked by the {last} shortage they avoid "
                    "against isolated policy: at the mean values, and per seed (how often the "
                    "first ranks first, and how often the second beats it)."
                )
            ).format(levers=", ".join(f"`{lv}`" for lv in FUTURE_LEVERS), last=last)
        )
        rep.table(lever_table.rename(columns={c: t._(c) for c in lever_table.columns}))
    rep.heading("Charts")
    rep.image(
        files["grid"],
        t._(
            "Shortage avoided by collaboration in each future (mean and 95% interval over "
            "paired seeds); darker is a larger benefit."
        ),
    )
    rep.image(files["levels"], t._("Shortage per future under each policy."))
    return rep.write()


def main(argv: list[str] | None = None) -> int:
    outcome = run_study(build_parser(), argv, design_from_args, analyse, __file__)
    return outcome.emit(sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
