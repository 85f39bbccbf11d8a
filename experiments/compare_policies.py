"""Isolated versus collaborative policy on the default region, 2023-2040, paired by seed.

Runs both arms with the same replication seeds, stores every run as it finishes under
``results/compare_policies/<name>/`` and writes ``report.md`` with the charts and the table of
end-state outcomes there. Run the same command again to resume an interrupted batch; when all
runs are finished it only rebuilds the report.

    python experiments/compare_policies.py              # 100 parameter draws x 2 seeds, 2 workers
    python experiments/compare_policies.py --quick      # 10 draws x 2 seeds, for a first look
    python experiments/compare_policies.py --fixed      # point parameters, 50 paired seeds
    python experiments/compare_policies.py --search-sweep   # plus the search-process sweep
    python experiments/compare_policies.py --drivers        # plus what drives the difference

Parameter uncertainty (the default): every replication draws the uncertain parameters from
their priors (``python -m sim params``, ``docs/parameters.md``) with a Latin hypercube, shared
by both arms like the seed, with its own school geography (layout seed); two seeds per draw
split the spread into seed noise and parameters. The report gives the effect with an interval
that includes parameter uncertainty, the share of draws in which collaboration lowers the
shortage and the probability that it does so by more than 1 and 2 percentage points, the seed
and parameter shares of the spread, the assumptions that move the effect most (RBD-FAST,
SALib) and the region of assumptions where collaboration gains less than 1 point (PRIM, with
the optional EMA Workbench). ``--fixed`` runs today's point-parameter comparison instead.

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
import dataclasses
import math
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
    run_from_args,
    run_study,
    study_parser,
    uncertainty_from_args,
)
from sim.i18n import N_, Translator
from sim.model.policies import PRESETS
from sim.plots import plotting
from sim.plots.language import policy_label

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


THRESHOLDS_PP: tuple[float, ...] = (1.0, 2.0)
"""Stated thresholds: the probability that collaboration lowers the shortage by more than
this many percentage points is reported."""

NOT_PAY_PP = 1.0
"""Scenario discovery looks for the draws where collaboration lowers the last year's shortage
by less than this many percentage points."""


def build_parser() -> argparse.ArgumentParser:
    parser = study_parser(__doc__, REPO / "results", 50, 6)
    add_uncertainty_arguments(parser, 100, 10, 2)
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
    """The comparison's design: both presets, paired seeds (and parameter draws)."""
    u, reps = uncertainty_from_args(args)
    design = _design(
        args,
        "compare_policies",
        tuple(Arm(a, a) for a in ARMS),
        reps or replications_from_args(args),
    )
    return dataclasses.replace(design, uncertainty=u)


def _institutes(design: Design, first_draw: bool = False) -> pd.DataFrame:
    from sim.batch.runner import run_specs_model
    from sim.plots.maps import institutes_frame

    spec = design.run_specs()[0] if first_draw else None
    model = run_specs_model(design, spec)
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
    drawn = res.design.uncertainty is not None
    map_schools = schools
    if drawn and res.design.uncertainty.vary_layout:
        # each draw places the sites its own way: a map shows the first draw's geography
        first = res.design.draw_table().query("draw == 0")["replication"]
        map_schools = schools[schools["replication"].isin(first)]
    maps = {arm: analysis.school_medians(map_schools, arm) for arm in ARMS}

    files = {
        "over_time": plotting.time_bands(
            series,
            "shortage_rate",
            ARMS,
            charts / "shortage_over_time.png",
            title=t._("Shortage over time"),
            ylabel=t._("open + hidden shortage (% of demand)"),
            t=t,
        ),
        "difference": plotting.paired_difference(
            diff,
            charts / "paired_difference.png",
            title=t._("Paired difference: {treat} minus {base}").format(
                treat=policy_label(treat, t), base=policy_label(base, t)
            ),
            ylabel=t._("difference in shortage (percentage points)"),
            label=t._("{treat} - {base}, per seed").format(
                treat=policy_label(treat, t), base=policy_label(base, t)
            ),
            t=t,
        ),
        "open_hidden": plotting.open_hidden(series, ARMS, charts / "open_vs_hidden.png", t=t),
        "subjects": plotting.subject_groups(
            end, ARMS, charts / "subject_groups.png", year=last, t=t
        ),
        "spread": plotting.school_spread(
            schools, series, ARMS, charts / "school_spread.png", year=last, t=t
        ),
        "maps": plotting.region_maps(
            maps,
            _institutes(res.design, drawn),
            charts / "maps.png",
            year=last,
            vmax=_map_scale(maps),
            t=t,
        ),
        "hires": plotting.hires_by_source(
            tot, ARMS, charts / "hires_by_source.png", years=years, t=t
        ),
    }

    table = analysis.outcome_table(end, OUTCOMES, ARMS, treat, base, t=t)
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
        t=t,
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

    u_effect = None
    if drawn:
        u_diff = unc.paired_by_draw(end, "shortage_rate", treat, base, res.draws())
        u_effect = unc.summarise(u_diff)
        u_words = _uncertainty_words(u_effect, unc.per_draw_effect(u_diff), last, t)
        reading = [
            t._(
                "In {last} the shortage is {base_rate} of lesson demand under isolated and "
                "{treat_rate} under collaborative policy (from {start_rate} in {first_year}; "
                "means over {draws} parameter draws x {seeds} seeds)."
            ).format(
                last=last,
                base_rate=t.pct(arm_mean[base]),
                treat_rate=t.pct(arm_mean[treat]),
                start_rate=t.pct(start_rate),
                first_year=first_year,
                draws=u_effect.draws,
                seeds=_g(u_effect.seeds_per_draw, t),
            ),
            *u_words,
        ]
    else:
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
                direction=_direction(
                    eff, t._("lowers"), t._("raises"), t._("does not clearly change")
                ),
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
    reading.extend(_drivers_words(drivers, t))
    if sweep is not None and not sweep.empty:
        diffs = [float(v.split()[0]) for v in sweep["difference (pp)"] if v != "n/a"]
        if diffs:
            reading.append(
                t._(
                    "How much collaboration gains depends on how hard isolated boards' search "
                    "is: over the search sweep the difference in {last} runs from {high} to "
                    "{low} percentage points (few seeds per cell)."
                ).format(
                    last=last, high=_pp(max(diffs) / 100, t, 1), low=_pp(min(diffs) / 100, t, 1)
                )
            )
    reading.append(
        (
            t._(
                "Every lever effect is an assumed mechanism size, not a measured one: the draws "
                "spread it over its prior (section *How sure is the answer*), which is as wide as "
                "the evidence allows but is itself an assumption; "
            )
            if drawn
            else t._(
                "Every lever effect is an assumed mechanism size, not a measured one, and the "
                "interval shows seed noise only; "
            )
        )
        + t._(
            "the isolated arm's search friction is assumed too (section *How the difference "
            "depends on the search process*), while the regional pool is frictionless: it places "
            "every seeker where the need is largest, ignoring their preferences, the best case "
            "for collaboration. Stop-gap cover (lessons taught by staff outside the model's "
            "workforce) is not priced, and isolated policy has more of it, so the extra wages "
            "overstate collaboration's net cost."
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
            *(
                [
                    t._(
                        "Parameter draws: {n} ({sampler}, {seeds} seed(s) each, the same draw in "
                        "both arms), {k} parameters drawn from their priors "
                        "([docs/parameters.md](../../../docs/parameters.md)), each draw with its "
                        "own school geography; the drawn values are in `draws.csv` here. The "
                        "outcome tables' intervals are over draws and seeds together; the section "
                        "*How sure is the answer* separates them."
                    ).format(
                        n=res.design.n_draws,
                        sampler=res.design.uncertainty.sampler,
                        seeds=res.design.uncertainty.seeds_per_draw,
                        k=len(res.design.drawn_names()),
                    )
                ]
                if drawn
                else []
            ),
        ],
    )
    rep.heading("Reading")
    rep.paragraph(" ".join(reading))
    if drawn:
        _uncertainty_section(
            rep, res.draws(), end, tot, u_effect, charts, last, years, series, res.design.priors()
        )
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
        "maps": (
            t._(
                "School sites coloured by their median shortage rate in {last}, per arm (the "
                "first parameter draw's geography and seeds)."
            )
            if drawn
            else t._("School sites coloured by their median shortage rate in {last}, per arm.")
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


def _pp(v: float, t: Translator | None = None, digits: int = 2) -> str:
    """A signed number of percentage points (``v`` is a share): +0.12, or +0,12 in Dutch."""
    if t is None:
        return f"{v * 100:+.{digits}f}"
    x = round(v * 100, digits) + 0.0  # so that -0.00 prints as +0.00
    return ("-" if x < 0 else "+") + t.num(abs(x), digits)


def _g(v: float, t: Translator) -> str:
    """A count that may be fractional (seeds per draw), shortest form in ``t``'s format."""
    return f"{v:g}".replace(".", get_decimal_symbol(t.locale))


def _range(lo: str, hi: str, t: Translator) -> str:
    """``lo to hi`` in the report's language."""
    return t._("{low} to {high}").format(low=lo, high=hi)


def _uncertainty_words(
    e: unc.EffectUnderUncertainty, per_draw: pd.Series, last: int, t: Translator
) -> list[str]:
    """The reading's sentences on the effect under parameter uncertainty."""
    probs = ", ".join(
        (
            t._("by more than {n} point in {share}")
            if th == 1
            else t._("by more than {n} points in {share}")
        ).format(n=_g(th, t), share=t.pct((per_draw < -th / 100).mean(), 0))
        for th in THRESHOLDS_PP
    )
    split = (
        " "
        + t._(
            "Of the spread of a single paired run, {par} comes from the parameters and {seed} "
            "from seed noise."
        ).format(par=t.pct(e.parameter_share, 0), seed=t.pct(1 - e.parameter_share, 0))
        if np.isfinite(e.parameter_share)
        else ""
    )
    return [
        t._(
            "With every uncertain assumption drawn from its prior, collaboration changes the "
            "{last} shortage by {mean} percentage points on average (95% of draws between {low} "
            "and {high}; 95% confidence interval of the mean {ci_low} to {ci_high}). It lowers "
            "the shortage in {share} of the draws, {probs}."
        ).format(
            last=last,
            mean=_pp(e.mean, t),
            low=_pp(e.low, t),
            high=_pp(e.high, t),
            ci_low=_pp(e.ci_low, t),
            ci_high=_pp(e.ci_high, t),
            share=t.pct(e.share_lower, 0),
            probs=probs,
        )
        + split
    ]


def _uncertainty_section(
    rep: Report,
    draws: pd.DataFrame,
    end: pd.DataFrame,
    tot: pd.DataFrame,
    e: unc.EffectUnderUncertainty,
    charts: Path,
    last: int,
    years: int,
    series: pd.DataFrame,
    priors: dict | None = None,
) -> None:
    """How sure the answer is: interval, probabilities, variance split, sensitivity, PRIM;
    ``priors`` the design's (with the scenario's supported ranges for calibrated values)."""
    t = rep.t
    base, treat = ARMS
    diff = unc.paired_by_draw(end, "shortage_rate", treat, base, draws)
    per = unc.per_draw_effect(diff)
    matched, window = _history_match(series, draws)
    per_m = per[per.index.isin(matched)]
    avoided = unc.paired_by_draw(tot, "shortage_fte", treat, base, draws)
    cost = unc.paired_by_draw(tot, "total_cost_eur", treat, base, draws)
    lever = unc.paired_by_draw(tot, "lever_cost_eur", treat, base, draws)
    av = -unc.per_draw_effect(avoided)
    co = unc.per_draw_effect(cost)
    lv = unc.per_draw_effect(lever)
    rng = np.random.default_rng(0)  # the bootstrap of the cost ratio, seeded
    boots = []
    idx = np.arange(len(av))
    for _ in range(2000):
        s = rng.choice(idx, size=idx.size)
        if av.iloc[s].mean() > 0:
            boots.append(co.iloc[s].mean() / av.iloc[s].mean())
    ratio = co.mean() / av.mean() if av.mean() > 0 else float("nan")
    lo, hi = np.quantile(boots, [0.025, 0.975]) if boots else (np.nan, np.nan)
    na = t._("n/a")

    def num(v: float, digits: int = 0) -> str:
        return t.num(v, digits) if np.isfinite(v) else na

    rep.heading("How sure is the answer")
    rep.paragraph(
        t._(
            "Each of the {draws} parameter draws sets every uncertain assumption — lever effects "
            "and costs, search frictions, behaviour, the calibrated values — from its prior "
            "(`docs/parameters.md`: range, shape and evidence grade), the same in both arms, and "
            "runs with {seeds} seeds. The effect of a draw is its mean paired difference over "
            "its seeds; the *uncertainty interval* is the 2.5-97.5% range of that effect over "
            "the draws (what the answer could be, given what is known), the *confidence "
            "interval* how well the draws pin down its mean."
        ).format(draws=e.draws, seeds=_g(e.seeds_per_draw, t))
    )
    rows = [
        (t._("mean effect on the shortage in {last} (pp)").format(last=last), _pp(e.mean, t)),
        (t._("uncertainty interval, 95% of draws (pp)"), _range(_pp(e.low, t), _pp(e.high, t), t)),
        (
            t._("95% confidence interval of the mean (pp)"),
            _range(_pp(e.ci_low, t), _pp(e.ci_high, t), t),
        ),
        (t._("draws in which collaboration lowers the shortage"), t.pct(e.share_lower, 0)),
        *(
            (
                t._("P(it lowers the shortage by more than {n} pp)").format(n=_g(th, t)),
                t.pct((per < -th / 100).mean(), 0),
            )
            for th in THRESHOLDS_PP
        ),
        (
            t._("spread of one paired run: parameters / seed noise"),
            f"{t.pct(e.parameter_share, 0)} / {t.pct(1 - e.parameter_share, 0)}"
            if np.isfinite(e.parameter_share)
            else t._("n/a (one seed per draw)"),
        ),
        (
            t._(
                "draws whose isolated {year} shortage meets the calibration target ({low}-{high}%)"
            ).format(year=window[0], low=t.num(window[1] * 100, 1), high=t.num(window[2] * 100, 1)),
            t._("{k} of {n}").format(k=len(per_m), n=len(per)),
        ),
        (
            t._("mean effect in those draws (pp, 95% of them)"),
            (
                f"{_pp(per_m.mean(), t)} ("
                + _range(_pp(np.quantile(per_m, 0.025), t), _pp(np.quantile(per_m, 0.975), t), t)
                + ")"
            )
            if len(per_m) >= 2
            else na,
        ),
        (
            t._("shortage avoided over {years} years (fte-years, 95% of draws)").format(
                years=years
            ),
            f"{num(av.mean())} ("
            + _range(num(np.quantile(av, 0.025)), num(np.quantile(av, 0.975)), t)
            + ")",
        ),
        (
            t._("lever cost + extra staff wages over {years} years (MEUR, 95% of draws)").format(
                years=years
            ),
            f"{num(co.mean() / 1e6, 1)} ("
            + _range(num(np.quantile(co, 0.025) / 1e6, 1), num(np.quantile(co, 0.975) / 1e6, 1), t)
            + ")",
        ),
        (
            t._(
                "EUR per fte-year of shortage avoided, lever cost + extra wages (95% bootstrap CI)"
            ),
            f"{num(ratio)} (" + _range(num(lo), num(hi), t) + ")",
        ),
        (
            t._("EUR per fte-year avoided, lever cost alone"),
            num(lv.mean() / av.mean()) if av.mean() > 0 else na,
        ),
    ]
    rep.table(
        pd.DataFrame(rows, columns=[t._("quantity"), t._("value")]),
        note=t._(
            "pp: percentage points of lesson demand, collaborative minus isolated (negative: "
            "collaboration lowers the shortage). Spread split: one-way random-effects analysis "
            "of variance with the draws as groups and their seeds nested in them "
            "(`sim/batch/uncertainty.py`). Extra staff wages are those of all staff collaboration "
            "employs beyond the paired isolated run, staff beyond demand included. The draws are "
            "not conditioned on the calibration targets: many set assumptions that would miss the "
            "measured shortage, so the uncertainty interval is wider than the data allow; the "
            "rows on draws that meet the calibration's first-year shortage target (its range plus "
            "its tolerance) are a crude history match, not a recalibration."
        ),
    )
    rep.image(
        plotting.effect_distribution(
            per * 100,
            charts / "effect_over_draws.png",
            title=t._(
                "Effect of collaboration on the {last} shortage, over parameter draws"
            ).format(last=last),
            xlabel=t._("collaborative minus isolated (percentage points)"),
            thresholds=[-th for th in THRESHOLDS_PP],
            t=t,
        ),
        t._("The effect per parameter draw (mean over its seeds); dashed: the stated thresholds."),
    )
    rep.heading("Which assumptions move the effect", level=3)
    sens = unc.sensitivity(diff, draws, priors=priors)
    rep.paragraph(
        t._(
            "First-order sensitivity of the per-draw effect to each drawn assumption: RBD-FAST "
            "(SALib), which works on the Latin hypercube sample the study already ran (Sobol "
            "indices need Saltelli's own sample, several times the runs; the delta method took "
            "minutes here). With a few hundred draws and many assumptions the indices are rough: "
            "the *dummy* row, a random column unrelated to the model, shows how large an index "
            "comes out by chance, so only assumptions well above it matter. Spearman's rank "
            "correlation gives the direction (negative: a larger value makes collaboration gain "
            "more)."
        )
    )
    if sens.empty:
        rep.paragraph(
            t._("Too few draws for a sensitivity analysis (RBD-FAST needs at least three).")
        )
    else:
        shown = sens.assign(
            S1=sens["S1"].map(lambda v: num(v, 2)),
            S1_conf=sens["S1_conf"].map(lambda v: "±" + num(v, 2)),
            assumption=sens["assumption"].map(lambda a: t._(a) if a == unc.DUMMY else a),
            spearman=sens["spearman"].map(
                lambda v: ("-" if v < 0 else "+") + t.num(abs(v), 2) if np.isfinite(v) else na
            ),
        )
        rep.table(
            shown.rename(
                columns={c: t._(c) for c in shown.columns if c not in ("S1", "S1_conf", "spearman")}
                | {"S1_conf": t._("S1 95% conf.")}
            )
        )
        rep.image(
            plotting.sensitivity_bars(
                sens, charts / "sensitivity.png", title=t._("What the effect hangs on"), t=t
            ),
            t._(
                "RBD-FAST first-order indices of the per-draw effect; grey: the dummy's noise "
                "floor."
            ),
        )
    rep.heading("Where collaboration does not pay", level=3)
    not_pay = per > -NOT_PAY_PP / 100
    found = unc.prim_box(diff, draws, not_pay, t=t)
    if isinstance(found, str):
        rep.paragraph(found)
        return
    box, st = found
    rep.paragraph(
        t._(
            "Scenario discovery (PRIM, EMA Workbench) over the draws: the cases of interest are "
            "the draws in which collaboration lowers the {last} shortage by less than {pp} "
            "percentage point ({base_rate} of the draws). The box below holds {coverage} of "
            "those cases (coverage), {density} of the draws inside it are such cases (density) "
            "and it spans {mass} of all draws. PRIM peels over the 12 assumptions most "
            "associated with these cases (rank correlation) and the box shown restricts at most "
            "three of them. With this few draws a box is a lead to check, not a finding."
        ).format(
            last=last,
            pp=_g(NOT_PAY_PP, t),
            base_rate=t.pct(st["base_rate"], 0),
            coverage=t.pct(st["coverage"], 0),
            density=t.pct(st["density"], 0),
            mass=t.pct(st["mass"], 0),
        )
    )
    if box.empty:
        rep.paragraph(t._("PRIM found no box that restricts any assumption."))
        return
    if st["density"] < 0.5:
        rep.paragraph(
            t._(
                "No small region of assumptions concentrates these cases: the best box that "
                "restricts at most three assumptions has a density of only {density} (against "
                "{base_rate} over all draws). The draws in which collaboration gains little are "
                "spread over the assumptions rather than tied to one corner of them; the box is "
                "shown for completeness."
            ).format(density=t.pct(st["density"], 0), base_rate=t.pct(st["base_rate"], 0))
        )
    rep.table(box.rename(columns={c: t._(c) for c in box.columns}))


def _history_match(series: pd.DataFrame, draws: pd.DataFrame) -> tuple[list[int], tuple]:
    """Draws whose isolated-arm shortage in the calibration's 2024 target year lies inside the
    target's range widened by its tolerance (mean over the draw's seeds)."""
    from sim.fit.calibration import TARGETS

    target = next(t for t in TARGETS if t.name == "shortage_rate_2024")
    lo, hi = target.low - target.tolerance, target.high + target.tolerance
    year = series[(series["year"] == target.year) & (series["arm"] == ARMS[0])]
    if year.empty:
        return [], (target.year, lo, hi)
    by = year.merge(draws[["replication", "draw"]], on="replication").groupby("draw")
    rate = by["shortage_rate"].mean()
    return list(rate[(rate >= lo) & (rate <= hi)].index), (target.year, lo, hi)


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
    t = rep.t
    sign = get_decimal_symbol(t.locale)
    rep.heading("What drives the difference")
    if drivers.empty:
        rep.paragraph(t._("The lever decomposition has no finished arm."))
        return
    rep.paragraph(
        t._(
            "Collaborative policy is run again with one lever left out at a time (same seeds). "
            "What the shortage rises by without a lever is that lever's contribution *given all "
            "the others*; contributions need not add up to the whole effect, because levers act "
            "on the same vacancies and the same people (regional matching and the joint "
            "side-entrant programme compete for the same open posts, for example). Every lever's "
            "effect comes from an assumed mechanism size: no study has measured the effect of "
            'regional collaboration (reference, "Evidence on policy effects").'
        )
    )
    table = pd.DataFrame(
        {
            t._("lever left out"): drivers["lever"],
            t._("shortage {last} (pp, 95% interval)").format(last=last): drivers[
                "end_interval"
            ].map(lambda v: t._("n/a") if v == "n/a" else _localise_interval(v, sign)),
            t._("shortage over the years (fte-years)"): drivers["fte_years"].map(
                lambda v: ("-" if v < 0 else "+") + t.num(abs(v))
            ),
            t._("share of the whole effect"): drivers["share_of_effect"].map(
                lambda v: t._("n/a") if v != v else t.pct(v, 0)
            ),
            t._("seeds"): drivers["seeds"],
        }
    )
    rep.table(
        table,
        note=t._(
            "Collaborative minus one lever, minus collaborative, paired by seed: positive "
            "means the shortage is higher without the lever. `--drivers-replications` seeds."
        ),
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


def _drivers_words(drivers: pd.DataFrame | None, t: Translator) -> list[str]:
    """The reading's sentence on the levers that drive the difference."""
    if drivers is None or drivers.empty:
        return []
    top = drivers[drivers["fte_years"] > 0].head(3)
    if top.empty:
        return [
            t._(
                "No single lever, left out, raises the shortage clearly: the levers substitute "
                "for each other."
            )
        ]
    parts = [f"`{r.lever}` ({t.pct(r.share_of_effect, 0)})" for r in top.itertuples()]
    return [
        t._(
            "Left out one at a time, the levers whose absence raises the shortage most are "
            "{levers} of the shortage fte-years collaboration avoids (section *What drives the "
            "difference*; the shares overlap and need not add up)."
        ).format(levers=", ".join(parts))
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
                    N_("hiring rounds"): r,
                    N_("applications per round"): a,
                    N_("isolated (%)"): f"{diff['baseline'].mean() * 100:.2f}",
                    N_("collaborative (%)"): f"{diff['treatment'].mean() * 100:.2f}",
                    N_("difference (pp)"): iv.format(1, 2),
                    N_("seeds"): iv.n,
                }
            )
    return pd.DataFrame(rows)


def _search_section(rep: Report, sweep: pd.DataFrame, last: int) -> None:
    t = rep.t
    rep.heading("How the difference depends on the search process")
    if sweep.empty:
        rep.paragraph(t._("The search sweep has no finished cell."))
        return
    rep.paragraph(
        t._(
            "Isolated boards recruit through a hiring season of `hiring_rounds` rounds with "
            "`applications_per_round` applications per seeker per round (both [E], no source); "
            "the regional pool does not depend on them. The table repeats the comparison for "
            "each cell of {rounds} rounds x {applications} applications (the defaults are 4 x "
            "2), with few paired seeds per cell: the shortage in {last} per arm and the paired "
            "difference, collaborative minus isolated (mean [95% interval])."
        ).format(rounds=list(SEARCH_ROUNDS), applications=list(SEARCH_APPLICATIONS), last=last)
    )
    sign = get_decimal_symbol(t.locale)
    shown = sweep.copy()
    for col in ("isolated (%)", "collaborative (%)", "difference (pp)"):
        shown[col] = shown[col].map(
            lambda v: t._("n/a") if v == "n/a" else _localise_interval(str(v), sign)
        )
    rep.table(
        shown.rename(columns={c: t._(c) for c in shown.columns}),
        note=t._("Search sweep: `--search-sweep`, `--search-sweep-replications` seeds."),
    )


def _localise_interval(text: str, sign: str) -> str:
    """A number or ``mean [low, high]`` written with English signs, in the reader's decimal
    sign (the sweep table is built before the report's language is known)."""
    if sign == ".":
        return text
    return text.replace(", ", "; ").replace(".", sign)


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
