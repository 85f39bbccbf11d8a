"""Isolated versus collaborative policy on the default region, 2023-2040, paired by seed.

Runs both arms with the same replication seeds, stores every run as it finishes under
``results/compare_policies/<name>/`` and writes ``report.md`` with the charts and the table of
end-state outcomes there. Run the same command again to resume an interrupted batch; when all
runs are finished it only rebuilds the report.

    python experiments/compare_policies.py              # 50 paired replications, 2 workers
    python experiments/compare_policies.py --quick      # 6 replications, for a first look
    python experiments/compare_policies.py --search-sweep   # plus the search-process sweep
    python experiments/compare_policies.py --drivers        # plus what drives the difference

Costs: every cost and cost-effectiveness figure counts the levers' own cost *and* the wages of
the staff collaboration employs beyond the paired isolated run (``staff_cost_eur``, staff beyond
demand included).

``--search-sweep`` adds a section on how the isolated-versus-collaborative difference in the
last year depends on the search process of the isolated arm (``hiring_rounds`` x
``applications_per_round``): a separate small batch (``--search-sweep-replications`` paired
seeds per cell, 4 by default; 9 cells x 2 arms) stored under
``results/compare_policies_search/``. The committed report is built with it.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import pandas as pd

from sim.batch import analysis
from sim.batch.analysis import Results, mean_interval, paired_differences
from sim.batch.report import Report
from sim.batch.runner import (
    Arm,
    BatchResult,
    Design,
    overrides_from_args,
    replications_from_args,
    run_from_args,
    run_study,
    study_parser,
)
from sim.i18n import N_, Translator
from sim.model.policies import PRESETS
from sim.plots import plotting

REPO = Path(__file__).resolve().parents[1]
ARMS = ("isolated", "collaborative")

OUTCOMES: dict[str, tuple[str, float, int]] = {
    "shortage_rate": (N_("shortage, open + hidden (% of demand)"), 100, 2),
    "open_shortage_rate": (N_("open shortage: vacancies (% of demand)"), 100, 2),
    "hidden_shortage_rate": (N_("hidden shortage: unqualified (% of demand)"), 100, 2),
    "shortage_fte": (N_("shortage (fte)"), 1, 0),
    "shortage_rate_worst_decile": (N_("shortage at the worst tenth of schools (%)"), 100, 1),
    "shortage_gini": (N_("Gini of school shortage rates (0-1)"), 1, 3),
    "teachers": (N_("qualified teachers (persons)"), 1, 0),
    "side_entrants": (N_("side-entrants in training (persons)"), 1, 0),
    "surplus_fte": (N_("staff beyond demand (fte)"), 1, 1),
    "staff_fte": (N_("staff employed (fte)"), 1, 0),
    "lever_cost_eur": (N_("lever cost in the last year (kEUR/year)"), 1e-3, 0),
    "staff_cost_eur": (N_("staff wages in the last year (MEUR/year)"), 1e-6, 1),
}

SEARCH_ROUNDS: tuple[int, ...] = (1, 4, 8)
"""Hiring rounds of the search sweep (the plausible range of ``hiring_rounds`` and its default)."""
SEARCH_APPLICATIONS: tuple[int, ...] = (1, 2, 4)
"""Applications per round of the search sweep (``applications_per_round``: range and default)."""


def build_parser() -> argparse.ArgumentParser:
    parser = study_parser(__doc__, REPO / "results", 50, 6)
    parser.add_argument(
        "--search-sweep",
        action="store_true",
        help="add the section on how the difference between the arms depends on the search "
        "process (hiring rounds x applications per round)",
    )
    parser.add_argument(
        "--search-sweep-replications",
        type=int,
        default=4,
        help="paired replications per cell of the search sweep (default 4)",
    )
    parser.add_argument(
        "--drivers",
        action="store_true",
        help="add the section on what drives the difference: collaborative policy with one "
        "lever left out at a time",
    )
    parser.add_argument(
        "--drivers-replications",
        type=int,
        default=8,
        help="paired replications per arm of the lever decomposition (default 8)",
    )
    return parser


def _design(args: argparse.Namespace, experiment: str, arms: tuple[Arm, ...], reps: int) -> Design:
    """A design of this study's batches: the given arms, paired seeds, the shared options."""
    return Design(
        experiment=experiment,
        arms=arms,
        replications=reps,
        horizon=args.horizon,
        scenario=args.scenario,
        overrides=overrides_from_args(args),
        base_seed=args.seed,
    )


def design_from_args(args: argparse.Namespace) -> Design:
    """The comparison's design: both presets, paired seeds."""
    reps = replications_from_args(args)
    return _design(args, "compare_policies", tuple(Arm(a, a) for a in ARMS), reps)


def _institutes(design: Design) -> pd.DataFrame:
    from sim.model.model import RegionModel
    from sim.plots.maps import institutes_frame

    model = RegionModel(scenario=design.scenario, policy="isolated", rng=0, **design.overrides)
    return institutes_frame(model)


def _map_scale(maps: dict[str, pd.DataFrame]) -> float:
    """Top of the shared colour scale: the 95th percentile of school shortage, in 5% steps."""
    q = max(float(m["shortage_rate"].quantile(0.95)) for m in maps.values())
    return max(0.05, math.ceil(q * 20) / 20)


def _direction(
    iv: analysis.Interval, lower: str, higher: str, unclear: str = "does not clearly change"
) -> str:
    if iv.high < 0:
        return lower
    if iv.low > 0:
        return higher
    return unclear


def analyse(
    batch: BatchResult,
    command: str,
    sweep: pd.DataFrame | None = None,
    drivers: pd.DataFrame | None = None,
    lang: str = "en",
) -> Path:
    """Charts, table and report of a finished (or partly finished) comparison, with the
    search sweep's and the lever decomposition's tables when given."""
    t = Translator(lang)
    res = Results.open(batch.folder)
    folder = batch.folder
    series = res.series()
    series["shortage_fte"] = series["vacancy_fte"] + series["unqualified_fte"]
    end = analysis.end_state(series)
    last = int(end["year"].max())
    years = last - int(series["year"].min())
    schools = res.schools(["school", "x_km", "y_km", "pupils", "training_school", "shortage_rate"])
    charts = folder / "charts"

    base, treat = ARMS
    diff = paired_differences(series, "shortage_rate", treat, base, on=["year"])
    series["total_cost_eur"] = series["lever_cost_eur"] + series["staff_cost_eur"]
    tot = analysis.totals(
        series,
        [
            "shortage_fte",
            "lever_cost_eur",
            "lever_cost_fte",
            "staff_fte",
            "surplus_fte",
            "staff_cost_eur",
            "total_cost_eur",
            *plotting.HIRE_SOURCES,
        ],
    )
    maps = {arm: analysis.school_medians(schools, arm) for arm in ARMS}

    files = {
        "over_time": plotting.time_bands(
            series,
            "shortage_rate",
            ARMS,
            charts / "shortage_over_time.png",
            title="Shortage over time",
            ylabel="open + hidden shortage (% of demand)",
        ),
        "difference": plotting.paired_difference(
            diff,
            charts / "paired_difference.png",
            title=f"Paired difference: {treat} minus {base}",
            ylabel="difference in shortage (percentage points)",
            label=f"{treat} - {base}, per seed",
        ),
        "open_hidden": plotting.open_hidden(series, ARMS, charts / "open_vs_hidden.png"),
        "subjects": plotting.subject_groups(end, ARMS, charts / "subject_groups.png", year=last),
        "spread": plotting.school_spread(
            schools, series, ARMS, charts / "school_spread.png", year=last
        ),
        "maps": plotting.region_maps(
            maps, _institutes(res.design), charts / "maps.png", year=last, vmax=_map_scale(maps)
        ),
        "hires": plotting.hires_by_source(tot, ARMS, charts / "hires_by_source.png", years=years),
    }

    table = analysis.outcome_table(end, OUTCOMES, ARMS, treat, base)
    cum = analysis.outcome_table(
        tot,
        {
            "shortage_fte": (t._("shortage over {years} years (fte-years)"), 1, 0),
            "staff_fte": (t._("staff employed over {years} years (fte-years)"), 1, 0),
            "surplus_fte": (t._("staff beyond demand over {years} years (fte-years)"), 1, 0),
            "lever_cost_eur": (t._("lever cost over {years} years (MEUR)"), 1e-6, 2),
            "staff_cost_eur": (t._("staff wages over {years} years (MEUR)"), 1e-6, 1),
            "total_cost_eur": (
                t._("lever cost + staff wages over {years} years (MEUR)"),
                1e-6,
                1,
            ),
        },
        ARMS,
        treat,
        base,
    )
    cum["outcome"] = [label.format(years=years) for label in cum["outcome"]]

    # numbers the reading is built from
    eff = mean_interval(paired_differences(end, "shortage_rate", treat, base)["difference"])
    arm_mean = {a: end.loc[end["arm"] == a, "shortage_rate"].mean() for a in ARMS}
    open_eff = mean_interval(
        paired_differences(end, "open_shortage_rate", treat, base)["difference"]
    )
    hidden_eff = mean_interval(
        paired_differences(end, "hidden_shortage_rate", treat, base)["difference"]
    )
    avoided = -paired_differences(tot, "shortage_fte", treat, base)["difference"]
    lever_cost = paired_differences(tot, "lever_cost_eur", treat, base)["difference"]
    extra_cost = paired_differences(tot, "total_cost_eur", treat, base)["difference"]
    extra_staff = paired_differences(tot, "staff_fte", treat, base)["difference"]
    lower_share = (paired_differences(end, "shortage_rate", treat, base)["difference"] < 0).mean()
    first_year = int(series["year"].min())
    start_rate = series.loc[series["year"] == first_year, "shortage_rate"].mean()

    def pp(x: float) -> str:  # a signed number of percentage points, two decimals
        return ("+" if x >= 0 else "-") + t.num(abs(x) * 100, 2)

    reading = [
        t._(
            "In {last} the shortage is {base_rate} of lesson demand under isolated and "
            "{treat_rate} under collaborative policy (from {start_rate} in {first_year}; means "
            "over {n} paired seeds): collaboration {direction} it ({eff} percentage points, 95% "
            "interval {low} to {high}, lower in {lower_share} of the seeds; {open_eff} in open "
            "and {hidden_eff} in hidden shortage)."
        ).format(
            last=last,
            base_rate=t.pct(arm_mean[base]),
            treat_rate=t.pct(arm_mean[treat]),
            start_rate=t.pct(start_rate),
            first_year=first_year,
            n=eff.n,
            direction=_direction(eff, t._("lowers"), t._("raises"), t._("does not clearly change")),
            eff=pp(eff.mean),
            low=pp(eff.low),
            high=pp(eff.high),
            lower_share=t.pct(lower_share, 0),
            open_eff=pp(open_eff.mean),
            hidden_eff=pp(hidden_eff.mean),
        )
    ]
    gini = {a: end.loc[end["arm"] == a, "shortage_gini"].mean() for a in ARMS}
    worst = {a: end.loc[end["arm"] == a, "shortage_rate_worst_decile"].mean() for a in ARMS}
    reading.append(
        t._(
            "Across schools, the shortage that remains is {more_or_less} concentrated under "
            "collaboration (Gini {gini_base} isolated, {gini_treat} collaborative), while the "
            "worst tenth of schools goes from {worst_base} to {worst_treat} shortage."
        ).format(
            more_or_less=t._("more") if gini[treat] > gini[base] else t._("less"),
            gini_base=t.num(gini[base], 2),
            gini_treat=t.num(gini[treat], 2),
            worst_base=t.pct(worst[base]),
            worst_treat=t.pct(worst[treat]),
        )
    )
    cost_words = t._(
        "{extra} MEUR: {lever} MEUR of lever cost plus the wages of {staff} staff fte-years "
        "employed beyond the paired isolated run ({wages} MEUR)"
    ).format(
        extra=t.num(extra_cost.mean() / 1e6, 1),
        lever=t.num(lever_cost.mean() / 1e6, 1),
        staff=t.num(extra_staff.mean()),
        wages=t.num((extra_cost.mean() - lever_cost.mean()) / 1e6, 1),
    )
    if avoided.mean() > 0 and extra_cost.mean() > 0:
        reading.append(
            t._(
                "Over {years} years collaboration avoids {avoided} fte-years of shortage for "
                "{cost_words}, about {per_fte} EUR per fte-year avoided. Most of that is the "
                "wages of the teachers who now fill posts that stayed open or were taught by "
                "unqualified staff; the levers' own cost is about {lever_per_fte} EUR per "
                "fte-year avoided."
            ).format(
                years=years,
                avoided=t.num(avoided.mean()),
                cost_words=cost_words,
                per_fte=t.num(extra_cost.mean() / avoided.mean()),
                lever_per_fte=t.num(lever_cost.mean() / avoided.mean()),
            )
        )
    else:
        reading.append(
            t._(
                "Over {years} years the shortage changes by {change} fte-years for {cost_words}."
            ).format(
                years=years,
                change=("+" if -avoided.mean() >= 0 else "-") + t.num(abs(avoided.mean())),
                cost_words=cost_words,
            )
        )

    hires = {
        src: paired_differences(tot, src, treat, base)["difference"].mean()
        for src in plotting.HIRE_SOURCES
        if src in tot
    }
    moved = [
        ("+" if v >= 0 else "-") + f"{t.num(abs(v))} {t._(plotting.HIRE_SOURCES[k])}"
        for k, v in hires.items()
        if abs(v) >= 1
    ]
    if moved:
        reading.append(
            t._(
                "Over the {years} years collaborative policy hires, per seed, {moved} against "
                "isolated policy: the difference is in who gets placed, and where"
            ).format(years=years, moved=", ".join(moved))
            + (
                t._(" (graduates who would have been lost to the region find a post that fits)")
                if hires.get("hires_graduate", 0.0) > 0
                else ""
            )
            + (
                t._(
                    "; far fewer teachers change school, since boards no longer poach each "
                    "other's staff"
                )
                if hires.get("hires_mover", 0.0) < 0
                else ""
            )
            + "."
        )
    reading.extend(_drivers_words(drivers))
    if sweep is not None and not sweep.empty:
        diffs = [float(v.split()[0]) for v in sweep["difference (pp)"]]
        reading.append(
            f"How much collaboration gains depends on how hard isolated boards' search is: over "
            f"the search sweep the difference in {last} runs from {max(diffs):+.1f} to "
            f"{min(diffs):+.1f} percentage points (few seeds per cell)."
        )
    reading.append(
        t._(
            "Every lever effect is an assumed mechanism size, not a measured one, and the "
            "interval shows seed noise only; the isolated arm's search friction is assumed too "
            "(section *How the difference depends on the search process*), while the regional "
            "pool is frictionless: it places every seeker where the need is largest, ignoring "
            "their preferences, the best case for collaboration. Stop-gap cover (lessons taught "
            "by staff outside the model's workforce) is not priced, and isolated policy has more "
            "of it, so the extra wages overstate collaboration's net cost."
        )
    )

    rep = Report("Isolated versus collaborative policy", folder, lang=lang)
    rep.what_was_run(
        batch,
        command,
        [
            t._(
                "Arms: `isolated` (every board recruits, trains and inducts alone) and "
                "`collaborative` (all levers of the preset except the qualification experiment)."
            ),
            t._(
                "Intervals are 95% confidence intervals of the mean over replications "
                "(t distribution); bands in the charts are the 10-90% range over replications."
            ),
        ],
    )
    rep.heading("Reading")
    rep.paragraph(" ".join(reading))
    rep.heading("Outcomes")
    rep.table(
        _translated_table(table, t),
        note=t._(
            "End state {last}: mean [95% interval] per arm; the effect is the mean paired "
            "difference per seed; *seeds where lower* is the share of seeds where `{treat}` is "
            "below `{base}`."
        ).format(last=last, treat=treat, base=base),
    )
    rep.table(
        _translated_table(cum, t),
        note=t._(
            "Totals over {start}-{last}. Staff wages are all staff fte paid (staff beyond demand "
            "included) at `staff_cost_eur_per_fte`; the effect on *lever cost + staff wages* is "
            "what collaboration costs net of the paired isolated run."
        ).format(start=first_year + 1, last=last),
    )
    rep.heading("Charts")
    captions = {
        "over_time": t._(
            "Shortage rate per arm over time: median and 10-90% band over replications."
        ),
        "difference": t._("Collaborative minus isolated, per seed: median and 10-90% band."),
        "open_hidden": t._("Open shortage (vacancies) and hidden shortage (unqualified teaching)."),
        "subjects": t._("Shortage per subject group in {last}.").format(last=last),
        "spread": t._("Spread across schools: distribution of school shortage rates and Gini."),
        "maps": t._(
            "School sites coloured by their median shortage rate in {last}, per arm."
        ).format(last=last),
        "hires": t._("Hires by source over {years} years.").format(years=years),
    }
    for key, path in files.items():
        rep.image(path, captions[key])
    if drivers is not None:
        _drivers_section(rep, drivers, last)
    if sweep is not None:
        _search_section(rep, sweep, last)
    return rep.write()


def drivers_design(args: argparse.Namespace) -> Design:
    """What drives the difference: collaborative policy with one lever left out at a time,
    beside both arms, paired by seed."""
    arms = (
        *(Arm(a, a) for a in ARMS),
        *(Arm(f"without-{name}", f"collaborative-{name}") for name in PRESETS["collaborative"]),
    )
    return _design(args, "compare_policies_drivers", arms, args.drivers_replications)


def drivers_table(batch: BatchResult) -> pd.DataFrame:
    """Per lever: how much higher the shortage in the last year and over the years is when that
    lever is left out of collaborative policy (paired by seed), and its cost over the years."""
    res = Results.open(batch.folder)
    series = res.series(["vacancy_fte", "unqualified_fte", "shortage_rate", "lever_cost_eur"])
    series["shortage_fte"] = series["vacancy_fte"] + series["unqualified_fte"]
    end = analysis.end_state(series)
    tot = analysis.totals(series, ["shortage_fte"])
    base, treat = ARMS
    if not {base, treat} <= set(end["arm"]):
        return pd.DataFrame()
    whole = -paired_differences(tot, "shortage_fte", treat, base)["difference"].mean()
    rows = []
    for name in PRESETS["collaborative"]:
        arm = f"without-{name}"
        if arm not in set(end["arm"]):
            continue
        rate = mean_interval(paired_differences(end, "shortage_rate", arm, treat)["difference"])
        fte = paired_differences(tot, "shortage_fte", arm, treat)["difference"]
        rows.append(
            {
                "lever": name,
                "end_pp": rate.mean * 100,
                "end_interval": rate.format(100, 2),
                "fte_years": fte.mean(),
                "share_of_effect": fte.mean() / whole if whole > 0 else float("nan"),
                "seeds": rate.n,
            }
        )
    return pd.DataFrame(rows).sort_values("fte_years", ascending=False, ignore_index=True)


def _drivers_section(rep: Report, drivers: pd.DataFrame, last: int) -> None:
    """The section on what drives the difference: collaborative policy less one lever."""
    rep.heading("What drives the difference")
    if drivers.empty:
        rep.paragraph("The lever decomposition has no finished arm.")
        return
    rep.paragraph(
        "Collaborative policy is run again with one lever left out at a time (same seeds). "
        "What the shortage rises by without a lever is that lever's contribution *given all the "
        "others*; contributions need not add up to the whole effect, because levers act on the "
        "same vacancies and the same people (regional matching and the joint side-entrant "
        "programme compete for the same open posts, for example). Every lever's effect comes "
        "from an assumed mechanism size: no study has measured the effect of regional "
        'collaboration (reference, "Evidence on policy effects").'
    )
    table = pd.DataFrame(
        {
            "lever left out": drivers["lever"],
            f"shortage {last} (pp, 95% interval)": drivers["end_interval"],
            "shortage over the years (fte-years)": drivers["fte_years"].map(lambda v: f"{v:+,.0f}"),
            "share of the whole effect": drivers["share_of_effect"].map(
                lambda v: "n/a" if v != v else f"{v:.0%}"
            ),
            "seeds": drivers["seeds"],
        }
    )
    rep.table(
        table,
        note="Collaborative minus one lever, minus collaborative, paired by seed: positive "
        "means the shortage is higher without the lever. `--drivers-replications` seeds.",
    )


def _translated_table(table: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """An outcome table with its labels and column names in the report's language (the
    cumulative labels carry their number of years, which is kept)."""
    out = table.copy()
    out["outcome"] = [t._(label) for label in out["outcome"]]
    names = {"outcome": t._("outcome"), "seeds where lower": t._("seeds where lower")}
    for col in out.columns:
        if col.startswith("effect ("):
            names[col] = t._("effect") + col[len("effect") :]
    return out.rename(columns=names)


def _drivers_words(drivers: pd.DataFrame | None) -> list[str]:
    """The reading's sentence on the levers that drive the difference."""
    if drivers is None or drivers.empty:
        return []
    top = drivers[drivers["fte_years"] > 0].head(3)
    if top.empty:
        return [
            "No single lever, left out, raises the shortage clearly: the levers substitute for each other."
        ]
    parts = [f"`{r.lever}` ({r.share_of_effect:.0%})" for r in top.itertuples()]
    return [
        "Left out one at a time, the levers whose absence raises the shortage most are "
        + ", ".join(parts)
        + " of the shortage fte-years collaboration avoids (section *What drives the "
        "difference*; the shares overlap and need not add up)."
    ]


def search_design(args: argparse.Namespace) -> Design:
    """The search sweep: both arms in every cell of hiring rounds x applications per round."""
    arms = tuple(
        Arm(
            f"{arm}-r{r}-a{a}",
            arm,
            {"hiring_rounds": r, "applications_per_round": a},
        )
        for r in SEARCH_ROUNDS
        for a in SEARCH_APPLICATIONS
        for arm in ARMS
    )
    return _design(args, "compare_policies_search", arms, args.search_sweep_replications)


def search_table(batch: BatchResult) -> pd.DataFrame:
    """Per cell of the sweep: each arm's shortage in the last year and the paired difference."""
    res = Results.open(batch.folder)
    end = analysis.end_state(res.series(["shortage_rate"]))
    rows = []
    for r in SEARCH_ROUNDS:
        for a in SEARCH_APPLICATIONS:
            base, treat = (f"{arm}-r{r}-a{a}" for arm in ARMS)
            if not {base, treat} <= set(end["arm"]):
                continue
            diff = paired_differences(end, "shortage_rate", treat, base)
            iv = mean_interval(diff["difference"] * 100)
            rows.append(
                {
                    "hiring rounds": r,
                    "applications per round": a,
                    "isolated (%)": f"{diff['baseline'].mean() * 100:.2f}",
                    "collaborative (%)": f"{diff['treatment'].mean() * 100:.2f}",
                    "difference (pp)": iv.format(1, 2),
                    "seeds": iv.n,
                }
            )
    return pd.DataFrame(rows)


def _search_section(rep: Report, sweep: pd.DataFrame, last: int) -> None:
    rep.heading("How the difference depends on the search process")
    if sweep.empty:
        rep.paragraph("The search sweep has no finished cell.")
        return
    rep.paragraph(
        "Isolated boards recruit through a hiring season of `hiring_rounds` rounds with "
        "`applications_per_round` applications per seeker per round (both [E], no source); "
        "the regional pool does not depend on them. The table repeats the comparison for "
        f"each cell of {list(SEARCH_ROUNDS)} rounds x {list(SEARCH_APPLICATIONS)} applications "
        f"(the defaults are 4 x 2), with few paired seeds per cell: the shortage in {last} per "
        "arm and the paired difference, collaborative minus isolated (mean [95% interval])."
    )
    rep.table(sweep, note="Search sweep: `--search-sweep`, `--search-sweep-replications` seeds.")


def main(argv: list[str] | None = None) -> int:
    given: dict[str, argparse.Namespace] = {}

    def make_design(args: argparse.Namespace) -> Design:
        given["args"] = args
        return design_from_args(args)

    def analyse_all(batch: BatchResult, command: str, lang: str = "en") -> Path:
        args = given["args"]
        sweep = drivers = None
        if args.search_sweep:
            sweep = search_table(run_from_args(search_design(args), args))
        if args.drivers:
            drivers = drivers_table(run_from_args(drivers_design(args), args))
        return analyse(batch, command, sweep, drivers, lang=lang)

    outcome = run_study(build_parser(), argv, make_design, analyse_all, __file__)
    return outcome.emit(sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
