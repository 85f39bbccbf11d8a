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
from babel.numbers import get_decimal_symbol

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
from sim.i18n import N_, Translator
from sim.model.policies import LEVERS, PRESETS
from sim.plots import plotting

REPO = Path(__file__).resolve().parents[1]
ADDED = N_("added alone to isolated")
REMOVED = N_("removed alone from collaborative")


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
    t = rep.t
    ranks = unc.rankings(per, "lever", "avoided")
    rows = []
    for r in ranks.itertuples():
        sub = per[per["lever"] == r.lever]
        lo, hi = unc.percentile_interval(sub["avoided"])
        clo, chi = unc.percentile_interval(sub["per_meur"])
        rows.append(
            {
                t._("lever added alone"): r.lever,
                t._("rank at the means"): int(r.rank_at_means),
                t._("ranks first in"): t.pct(r.first_share, 0),
                t._("rank, 10-90% of draws"): f"{_g(r.rank_low, t)}-{_g(r.rank_high, t)}",
                t._("avoided over {years} years (fte-years, 95% of draws)").format(years=years): (
                    t._("{mean} ({low} to {high})").format(
                        mean=t.num(sub["avoided"].mean()), low=t.num(lo), high=t.num(hi)
                    )
                ),
                t._("avoided per MEUR incl. extra wages (95% of draws)"): (
                    t._("{mean} ({low} to {high})").format(
                        mean=t.num(sub["per_meur"].mean(), 1), low=t.num(clo, 1), high=t.num(chi, 1)
                    )
                    if sub["per_meur"].notna().any()
                    else t._("no net cost")
                ),
            }
        )
    rep.heading("Rankings under parameter uncertainty")
    rep.paragraph(
        t._(
            "Each of the {draws} parameter draws sets every uncertain assumption from its prior, "
            "the same in every arm. Per draw, the levers added alone to isolated policy are "
            "ranked by the shortage they avoid; the table gives each lever's rank at the mean "
            "values, the share of draws in which it ranks first and the range of its ranks. "
            "Costs include the wages of staff employed beyond the paired isolated run. The "
            "per-MEUR range is over the draws in which the lever costs anything net."
        ).format(draws=design.n_draws)
    )
    rep.table(pd.DataFrame(rows))
    top = ranks.iloc[0]
    words = [
        t._("Across {draws} parameter draws, `{lever}` ranks first in {share} of them").format(
            draws=design.n_draws, lever=top.lever, share=t.pct(top.first_share, 0)
        )
    ]
    if len(ranks) > 1:
        second = ranks.iloc[1]
        share = unc.beats(per, "lever", "avoided", second.lever, top.lever)
        words[0] += (
            t._(
                "; `{second}` avoids more than `{top}` in {share} of the draws, so the ranking "
                "of the two flips under the assumptions in a sizeable share of draws."
            )
            if share >= 0.1
            else t._(
                "; `{second}` avoids more than `{top}` in {share} of the draws, so the ranking "
                "of the two rarely flips."
            )
        ).format(second=second.lever, top=top.lever, share=t.pct(share, 0))
    return words


def _g(v: float, t: Translator) -> str:
    """A rank that may be fractional (a quantile), in ``t``'s number format."""
    return f"{v:g}".replace(".", get_decimal_symbol(t.locale))


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


def _ratio(v: float, none: str, t: Translator) -> str:
    return none if not np.isfinite(v) else t.num(v, 1)


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
    t = Translator(lang)
    files = {
        "effects": plotting.effects(
            eff,
            charts / "shortage_avoided_by_lever.png",
            title=t._(
                "Shortage avoided by each lever over {years} years (mean, 95% interval)"
            ).format(years=years),
            xlabel=t._("shortage avoided (fte-years)"),
            group_by="direction",
            t=t,
        ),
        "cost": plotting.cost_effect(
            eff,
            charts / "cost_effectiveness.png",
            title=t._("What each lever costs and what it avoids over {years} years").format(
                years=years
            ),
            xlabel=t._("lever cost plus extra staff wages over {years} years (MEUR)").format(
                years=years
            ),
            ylabel=t._("shortage avoided (fte-years)"),
            t=t,
        ),
    }
    package = -paired_differences(tot, "shortage_fte", "collaborative", "isolated")["difference"]

    no_cost = t._("no net cost")
    table = pd.DataFrame(
        {
            t._("lever"): eff["lever"],
            t._("how"): [t._(d) for d in eff["direction"]],
            t._("avoided (fte-years)"): [
                analysis.Interval(r.mean, r.low, r.high, r.n).format(1, 0, t=t)
                for r in eff.itertuples()
            ],
            t._("avoided in {last} (pp)").format(last=last): [
                iv.format(1, 2, t=t) for iv in eff["end_pp"]
            ],
            t._("extra staff (fte-years)"): eff["extra_staff_fte_years"].map(lambda v: t.num(v, 1)),
            t._("lever cost (MEUR)"): eff["lever_meur"].map(lambda v: t.num(v, 2)),
            t._("cost with staff (fte-years)"): eff["cost_fte_years"].map(lambda v: t.num(v, 1)),
            t._("cost with staff (MEUR)"): eff["cost_meur"].map(lambda v: t.num(v, 2)),
            t._("avoided per fte"): eff["per_fte"].map(lambda v: _ratio(v, no_cost, t)),
            t._("avoided per MEUR"): eff["per_meur"].map(lambda v: _ratio(v, no_cost, t)),
        }
    )

    added = eff[eff["direction"] == ADDED].set_index("lever")
    removed = eff[eff["direction"] == REMOVED].set_index("lever")
    reading = [
        t._(
            "The collaborative package avoids {avoided} fte-years of shortage over {years} years "
            "against isolated policy."
        ).format(avoided=t.num(package.mean()), years=years)
    ]
    best_alone = added["mean"].idxmax()
    reading.append(
        t._(
            "Added alone, `{best}` avoids the most ({mean} fte-years, 95% interval {low} to "
            "{high}); removed from the package, `{removed}` loses the most ({lost} fte-years)."
        ).format(
            best=best_alone,
            mean=t.num(added.loc[best_alone, "mean"]),
            low=t.num(added.loc[best_alone, "low"]),
            high=t.num(added.loc[best_alone, "high"]),
            removed=removed["mean"].idxmax(),
            lost=t.num(removed["mean"].max()),
        )
    )
    costly = added[added["per_meur"].notna()]
    if len(costly):
        best = costly["per_meur"].idxmax()
        worst = costly["per_meur"].idxmin()
        reading.append(
            t._(
                "Per euro, `{best}` is the most cost-effective lever on its own ({best_ratio} "
                "fte-years avoided per MEUR) and `{worst}` the least ({worst_ratio})."
            ).format(
                best=best,
                best_ratio=t.num(costly.loc[best, "per_meur"]),
                worst=worst,
                worst_ratio=t.num(costly.loc[worst, "per_meur"]),
            )
        )
    sums = added["mean"].sum()
    reading.append(
        (
            t._(
                "The levers added one at a time avoid {sum} fte-years together, more than the "
                "package as a whole: the levers overlap."
            )
            if sums > package.mean()
            else t._(
                "The levers added one at a time avoid {sum} fte-years together, less than the "
                "package as a whole: the levers reinforce each other."
            )
        ).format(sum=t.num(sums))
    )

    rep = Report("Lever by lever", batch.folder, lang=lang)
    rep.what_was_run(
        batch,
        command,
        [
            t._(
                "Arms: `isolated`, `collaborative`, each lever added alone to `isolated`, and "
                "each lever of the collaborative preset removed alone from `collaborative`."
            ),
            t._(
                "Shortage avoided is summed over the simulated years (fte-years of open plus "
                "hidden shortage); costs are the levers' staff time (fte-years) and euros (staff "
                "time priced in) plus the staff the arm employs beyond its paired reference run "
                "(extra staff fte-years, surplus included, at `staff_cost_eur_per_fte`), over the "
                "same years. 95% intervals of the mean paired difference per seed."
            ),
            *(
                [
                    t._(
                        "Parameter draws: {draws}, each replication its own draw of the {k} "
                        "uncertain parameters (shared by every arm) and its own school "
                        "geography; the *Levers* table's intervals include parameter "
                        "uncertainty. Drawn values: `draws.csv`."
                    ).format(draws=res.design.n_draws, k=len(res.design.drawn_names()))
                ]
                if res.design.uncertainty is not None
                else []
            ),
        ],
    )
    drawn = res.design.uncertainty is not None
    if drawn:
        sub = Report("Lever by lever", batch.folder, lang=lang)  # holds parts, never written
        reading += _uncertainty_section(sub, lever_draws(tot, res.draws()), res.design, years)
    rep.heading("Reading")
    rep.paragraph(" ".join(reading))
    if drawn:
        rep.parts += sub.parts
    rep.heading("Levers")
    rep.table(
        table,
        note=t._(
            "*extra staff*: staff fte-years employed beyond the paired reference run; *cost "
            "with staff*: lever cost plus the wages of that extra staff; *avoided per fte*: "
            "fte-years of shortage avoided per fte-year of that cost; *avoided per MEUR*: per "
            "million euro of it (*no net cost* where the lever's cost is at most the wages it "
            "saves). A lever removed from the package 'avoids' what the package loses without it."
        ),
    )
    rep.heading("Charts")
    rep.image(
        files["effects"],
        t._(
            "Shortage avoided by each lever, added alone to isolated and removed alone from "
            "collaborative (mean and 95% interval over paired seeds)."
        ),
    )
    rep.image(
        files["cost"],
        t._(
            "Cost against shortage avoided per lever (means over paired seeds); the dashed "
            "lines mark equal cost-effectiveness."
        ),
    )
    return rep.write()


def main(argv: list[str] | None = None) -> int:
    outcome = run_study(build_parser(), argv, design_from_args, analyse, __file__)
    return outcome.emit(sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
