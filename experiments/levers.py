"""Lever by lever: which levers carry the benefit of collaboration, and what each costs.

Each lever is added alone to ``isolated`` and removed alone from ``collaborative``; every arm
runs with the same replication seeds, so each lever's effect is a paired difference per seed.
Cost-effectiveness is the shortage avoided over the horizon (fte-years) per fte-year of staff
time and per million euro the lever costs, where the cost is the lever's own cost plus the wages
of the staff the arm employs beyond its paired reference run (``staff_cost_eur``, surplus staff
included): a lever that fills gaps by hiring pays those wages.

    python experiments/levers.py            # 20 parameter draws (one seed each) of 21 arms
    python experiments/levers.py --quick    # 3 draws
    python experiments/levers.py --fixed    # point parameters, 20 paired seeds

By default every replication draws the uncertain parameters from their priors (the same draw
in every arm, like the seed; ``docs/parameters.md``), so the intervals include parameter
uncertainty, and the report says how often each lever ranks first across the draws and where
the ranking flips.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from sim.batch import analysis
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
from sim.model.policies import LEVERS, PRESETS
from sim.plots import plotting

REPO = Path(__file__).resolve().parents[1]
ADDED = "added alone to isolated"
REMOVED = "removed alone from collaborative"


def build_parser() -> argparse.ArgumentParser:
    parser = study_parser(__doc__, REPO / "results", 20, 3)
    add_uncertainty_arguments(parser, 20, 3, 1)
    return parser


def arms() -> tuple[Arm, ...]:
    """Both presets, every lever added to isolated, every collaborative lever removed."""
    out = [Arm("isolated", "isolated"), Arm("collaborative", "collaborative")]
    out += [Arm(f"isolated+{lv}", f"isolated+{lv}") for lv in LEVERS]
    out += [Arm(f"collaborative-{lv}", f"collaborative-{lv}") for lv in PRESETS["collaborative"]]
    return tuple(out)


def design_from_args(args: argparse.Namespace) -> Design:
    u, reps = uncertainty_from_args(args)
    return Design(
        experiment="levers",
        arms=arms(),
        replications=reps or replications_from_args(args),
        horizon=args.horizon,
        scenario=args.scenario,
        overrides=overrides_from_args(args),
        base_seed=args.seed,
        uncertainty=u,
    )


def lever_draws(tot: pd.DataFrame, draws: pd.DataFrame) -> pd.DataFrame:
    """Per parameter draw and lever added alone to isolated: shortage avoided (fte-years) and
    its cost, lever cost plus the wages of staff beyond the paired isolated run (MEUR)."""
    rows = []
    present = set(tot["arm"])
    for lever in LEVERS:
        arm = f"isolated+{lever}"
        if arm not in present:
            continue
        avoided = unc.paired_by_draw(tot, "shortage_fte", arm, "isolated", draws)
        cost = unc.paired_by_draw(tot, "total_cost_eur", arm, "isolated", draws)
        frame = pd.DataFrame(
            {
                "avoided": -unc.per_draw_effect(avoided),
                "cost_meur": unc.per_draw_effect(cost) / 1e6,
            }
        ).reset_index()
        frame["lever"] = lever
        rows.append(frame)
    out = pd.concat(rows, ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["per_meur"] = np.where(
            out["cost_meur"] > 1e-9, out["avoided"] / out["cost_meur"], np.nan
        )
    return out


def _uncertainty_section(rep: Report, per: pd.DataFrame, design: Design, years: int) -> list[str]:
    """Rankings of the levers across parameter draws; returns the reading's sentences."""
    ranks = unc.rankings(per, "lever", "avoided")
    rows = []
    for r in ranks.itertuples():
        sub = per[per["lever"] == r.lever]
        lo, hi = unc.percentile_interval(sub["avoided"])
        clo, chi = unc.percentile_interval(sub["per_meur"])
        rows.append(
            {
                "lever added alone": r.lever,
                "rank at the means": int(r.rank_at_means),
                "ranks first in": f"{r.first_share:.0%}",
                "rank, 10-90% of draws": f"{r.rank_low:g}-{r.rank_high:g}",
                f"avoided over {years} years (fte-years, 95% of draws)": f"{sub['avoided'].mean():,.0f} "
                f"({lo:,.0f} to {hi:,.0f})",
                "avoided per MEUR incl. extra wages (95% of draws)": (
                    f"{sub['per_meur'].mean():,.1f} ({clo:,.1f} to {chi:,.1f})"
                    if sub["per_meur"].notna().any()
                    else "no net cost"
                ),
            }
        )
    rep.heading("Rankings under parameter uncertainty")
    rep.paragraph(
        f"Each of the {design.n_draws} parameter draws sets every uncertain assumption from its "
        "prior, the same in every arm. Per draw, the levers added alone to isolated policy are "
        "ranked by the shortage they avoid; the table gives each lever's rank at the mean "
        "values, the share of draws in which it ranks first and the range of its ranks. Costs "
        "include the wages of staff employed beyond the paired isolated run. The per-MEUR "
        "range is over the draws in which the lever costs anything net."
    )
    rep.table(pd.DataFrame(rows))
    top = ranks.iloc[0]
    words = [
        f"Across {design.n_draws} parameter draws, `{top.lever}` ranks first in "
        f"{top.first_share:.0%} of them"
    ]
    if len(ranks) > 1:
        second = ranks.iloc[1]
        share = unc.beats(per, "lever", "avoided", second.lever, top.lever)
        words[0] += (
            f"; `{second.lever}` avoids more than `{top.lever}` in {share:.0%} of the draws, "
            "so the ranking of the two "
            + (
                "flips under the assumptions in a sizeable share of draws."
                if share >= 0.1
                else "rarely flips."
            )
        )
    return words


def lever_effects(tot: pd.DataFrame, end: pd.DataFrame) -> pd.DataFrame:
    """One row per lever and direction: shortage avoided, its cost, and the ratios.

    Added alone: avoided = shortage(isolated) - shortage(isolated+lever), cost = the arm's
    lever cost plus the wages of the staff it employs beyond the paired isolated run. Removed
    alone: avoided = shortage(collaborative-lever) - shortage(collaborative), the part of the
    package's benefit the lever carries; cost = the lever and staff cost it saves.
    """
    rows = []
    present = set(tot["arm"])
    for lever in LEVERS:
        for direction, arm, ref in (
            (ADDED, f"isolated+{lever}", "isolated"),
            (REMOVED, f"collaborative-{lever}", "collaborative"),
        ):
            if arm not in present:
                continue
            sign = 1 if direction == ADDED else -1
            avoided = -sign * paired_differences(tot, "shortage_fte", arm, ref)["difference"]
            lever_eur = sign * paired_differences(tot, "lever_cost_eur", arm, ref)["difference"]
            lever_fte = sign * paired_differences(tot, "lever_cost_fte", arm, ref)["difference"]
            staff_eur = sign * paired_differences(tot, "staff_cost_eur", arm, ref)["difference"]
            staff_fte = sign * paired_differences(tot, "staff_fte", arm, ref)["difference"]
            cost_eur = lever_eur + staff_eur
            cost_fte = lever_fte + staff_fte
            pp = -sign * paired_differences(end, "shortage_rate", arm, ref)["difference"]
            iv = mean_interval(avoided)
            rows.append(
                {
                    "lever": lever,
                    "direction": direction,
                    "arm": arm,
                    "mean": iv.mean,
                    "low": iv.low,
                    "high": iv.high,
                    "n": iv.n,
                    "end_pp": mean_interval(pp * 100),
                    "cost_meur": cost_eur.mean() / 1e6,
                    "cost_fte_years": cost_fte.mean(),
                    "lever_meur": lever_eur.mean() / 1e6,
                    "extra_staff_fte_years": staff_fte.mean(),
                }
            )
    out = pd.DataFrame(rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["per_fte"] = np.where(
            out["cost_fte_years"] > 1e-9, out["mean"] / out["cost_fte_years"], np.nan
        )
        out["per_meur"] = np.where(out["cost_meur"] > 1e-9, out["mean"] / out["cost_meur"], np.nan)
    out["label"] = out["lever"].str.replace("_", " ")
    out["colour"] = [plotting.LEVER_COLOURS[lv] for lv in out["lever"]]
    return out


def _ratio(v: float, none: str) -> str:
    return none if not np.isfinite(v) else f"{v:,.1f}"


def analyse(batch: BatchResult, command: str, lang: str = "en") -> Path:
    """Charts, table and report of the lever study."""
    res = Results.open(batch.folder)
    series = res.series(
        [
            "vacancy_fte",
            "unqualified_fte",
            "shortage_rate",
            "lever_cost_eur",
            "lever_cost_fte",
            "staff_cost_eur",
            "staff_fte",
        ]
    )
    series["shortage_fte"] = series["vacancy_fte"] + series["unqualified_fte"]
    series["total_cost_eur"] = series["lever_cost_eur"] + series["staff_cost_eur"]
    end = analysis.end_state(series)
    tot = analysis.totals(
        series,
        [
            "shortage_fte",
            "lever_cost_eur",
            "lever_cost_fte",
            "staff_cost_eur",
            "staff_fte",
            "total_cost_eur",
        ],
    )
    last, first = int(end["year"].max()), int(series["year"].min())
    years = last - first
    eff = lever_effects(tot, end)
    charts = batch.folder / "charts"
    files = {
        "effects": plotting.effects(
            eff,
            charts / "shortage_avoided_by_lever.png",
            title=f"Shortage avoided by each lever over {years} years (mean, 95% interval)",
            xlabel="shortage avoided (fte-years)",
            group_by="direction",
        ),
        "cost": plotting.cost_effect(
            eff,
            charts / "cost_effectiveness.png",
            title=f"What each lever costs and what it avoids over {years} years",
            xlabel=f"lever cost plus extra staff wages over {years} years (MEUR)",
            ylabel="shortage avoided (fte-years)",
        ),
    }
    package = -paired_differences(tot, "shortage_fte", "collaborative", "isolated")["difference"]

    table = pd.DataFrame(
        {
            "lever": eff["lever"],
            "how": eff["direction"],
            "avoided (fte-years)": [
                analysis.Interval(r.mean, r.low, r.high, r.n).format(1, 0) for r in eff.itertuples()
            ],
            f"avoided in {last} (pp)": [iv.format(1, 2) for iv in eff["end_pp"]],
            "extra staff (fte-years)": eff["extra_staff_fte_years"].map(lambda v: f"{v:,.1f}"),
            "lever cost (MEUR)": eff["lever_meur"].map(lambda v: f"{v:,.2f}"),
            "cost with staff (fte-years)": eff["cost_fte_years"].map(lambda v: f"{v:,.1f}"),
            "cost with staff (MEUR)": eff["cost_meur"].map(lambda v: f"{v:,.2f}"),
            "avoided per fte": eff["per_fte"].map(lambda v: _ratio(v, "no net cost")),
            "avoided per MEUR": eff["per_meur"].map(lambda v: _ratio(v, "no net cost")),
        }
    )

    added = eff[eff["direction"] == ADDED].set_index("lever")
    removed = eff[eff["direction"] == REMOVED].set_index("lever")
    reading = [
        f"The collaborative package avoids {package.mean():,.0f} fte-years of shortage "
        f"over {years} years against isolated policy."
    ]
    best_alone = added["mean"].idxmax()
    reading.append(
        f"Added alone, `{best_alone}` avoids the most ({added.loc[best_alone, 'mean']:,.0f} "
        f"fte-years, 95% interval {added.loc[best_alone, 'low']:,.0f} to "
        f"{added.loc[best_alone, 'high']:,.0f}); removed from the package, `"
        f"{removed['mean'].idxmax()}` loses the most ({removed['mean'].max():,.0f} fte-years)."
    )
    costly = added[added["per_meur"].notna()]
    if len(costly):
        best = costly["per_meur"].idxmax()
        worst = costly["per_meur"].idxmin()
        reading.append(
            f"Per euro, `{best}` is the most cost-effective lever on its own "
            f"({costly.loc[best, 'per_meur']:,.0f} fte-years avoided per MEUR) and `{worst}` "
            f"the least ({costly.loc[worst, 'per_meur']:,.0f})."
        )
    sums = added["mean"].sum()
    reading.append(
        f"The levers added one at a time avoid {sums:,.0f} fte-years together, "
        f"{'more' if sums > package.mean() else 'less'} than the package as a whole: the levers "
        f"{'overlap' if sums > package.mean() else 'reinforce each other'}."
    )

    rep = Report("Lever by lever", batch.folder, lang=lang)
    rep.what_was_run(
        batch,
        command,
        [
            "Arms: `isolated`, `collaborative`, each lever added alone to `isolated`, and each lever "
            "of the collaborative preset removed alone from `collaborative`.",
            "Shortage avoided is summed over the simulated years (fte-years of open plus hidden "
            "shortage); costs are the levers' staff time (fte-years) and euros (staff time priced "
            "in) plus the staff the arm employs beyond its paired reference run (extra staff "
            "fte-years, surplus included, at `staff_cost_eur_per_fte`), over the same years. 95% "
            "intervals of the mean paired difference per seed.",
            *(
                [
                    f"Parameter draws: {res.design.n_draws}, each replication its own draw of "
                    f"the {len(res.design.drawn_names())} uncertain parameters (shared by every "
                    "arm) and its own school geography; the *Levers* table's intervals include "
                    "parameter uncertainty. Drawn values: `draws.csv`."
                ]
                if res.design.uncertainty is not None
                else []
            ),
        ],
    )
    drawn = res.design.uncertainty is not None
    if drawn:
        sub = Report("", batch.folder)
        reading += _uncertainty_section(sub, lever_draws(tot, res.draws()), res.design, years)
    rep.heading("Reading")
    rep.paragraph(" ".join(reading))
    if drawn:
        rep.parts += sub.parts
    rep.heading("Levers")
    rep.table(
        table,
        note="*extra staff*: staff fte-years employed beyond the paired reference run; *cost "
        "with staff*: lever cost plus the wages of that extra staff; *avoided per fte*: "
        "fte-years of shortage avoided per fte-year of that cost; *avoided per MEUR*: per "
        "million euro of it (*no net cost* where the lever's cost is at most the wages it saves). "
        "A lever removed from the package 'avoids' what the package loses without it.",
    )
    rep.heading("Charts")
    rep.image(
        files["effects"],
        "Shortage avoided by each lever, added alone to isolated and "
        "removed alone from collaborative (mean and 95% interval over paired seeds).",
    )
    rep.image(
        files["cost"],
        "Cost against shortage avoided per lever (means over paired "
        "seeds); the dashed lines mark equal cost-effectiveness.",
    )
    return rep.write()


def main(argv: list[str] | None = None) -> int:
    outcome = run_study(build_parser(), argv, design_from_args, analyse, __file__)
    return outcome.emit(sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
