"""Hindcast: start the national model at the census of 2015 and compare 2016-2024 with what was
measured later.

The scenario ``netherlands-2015`` holds the 2015 structure (2013-16 age shares, exits by age
2013-17, contract sizes, the silent reserve of 2015) and the observed paths of 2015-2024
(pupils, teacher-training output, side-entrants, the pension age); the parameters the
calibration fits to 2023-24 targets keep their uncalibrated priors. The 2015 inputs no source
gives are drawn over their ranges (``sim.fit.hindcast.ASSUMPTIONS``, Latin hypercube): one arm
``central`` with the scenario's values and one arm per draw, each run with the same seeds.
Writes ``results/hindcast/report.md`` with a chart per quantity and the hits and misses.

    python experiments/hindcast.py             # central + 12 draws, 3 seeds each: 39 runs (~1 min)
    python experiments/hindcast.py --quick     # central values, 1 seed (report in the batch folder)
    python experiments/hindcast.py --draws 0   # the central values only, with the seeds

Other draws (e.g. parameter priors of the uncertainty work) plug in through
:func:`design` (``draws=``): a list of override dicts, one arm each.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
from babel.numbers import get_decimal_symbol
from matplotlib.figure import Figure

from sim.batch.analysis import Results
from sim.batch.report import Report
from sim.batch.runner import (
    Arm,
    BatchResult,
    Design,
    overrides_from_args,
    replications_from_args,
    run_study,
    study_parser,
)
from sim.fit import hindcast as hc
from sim.i18n import N_, Translator
from sim.plots.language import EN
from sim.plots.plotting import save

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "results" / "hindcast"
FULL_DRAWS, QUICK_DRAWS = 12, 0

DRIVER_COLUMNS = (
    N_("input"),
    N_("range drawn"),
    N_("rank correlation"),
    N_("below the middle"),
    N_("above the middle"),
)
"""The columns of ``hc.drivers``, marked here for translation."""

READING: dict[str, str] = {
    "how to weigh it": N_(
        "**What was not used.** No parameter is fitted to anything measured after 2015: the "
        "parameters `experiments/calibrate.py` fits to 2023-24 targets keep the defaults of "
        "`sim/model/parameters.py` (the search's start, not its result) or are drawn over their "
        "prior ranges; the 2023 shortage profile by level and subject, the 2023 demand ratio, "
        "the 2017 silent-reserve figure and the side-entrant dropout set to a 2019 measurement "
        "are replaced by 2015 values or assumptions. Two inputs come from 2019 figures because "
        "the reference has nothing earlier: the contract-size classes (DUO 2019) and the share "
        "of temporary contracts (82% permanent, 2019); the exit rates by age are the 2013-17 "
        "average the issue names. The exogenous paths (pupils, diplomas, side-entrant "
        "subsidies, pension age) are observations after 2015 on purpose: a hindcast is fed "
        "what happened outside the model."
    ),
    "level": N_(
        "**The 2023 level is not a test the model passes.** The median over all draws and "
        "seeds lands near the measured 5.8% (3,800 fte), but the 10-90% band runs from about "
        "3% to 10%, and nearly all of that width comes from one input no source measures: the "
        "return hazard of the silent reserve (`returner_rate`, rank correlation about -1; "
        "then the size of the reserve). With the prior midpoint the model gives the measured "
        "level; a fit of that one parameter to 2023 would make it come out right whatever "
        "the other mechanisms do. A reader should take from the hindcast that the model "
        "*can* give the 2023 level from 2015 without being fitted to it, not that it "
        "predicted it."
    ),
    "direction": N_(
        "**The direction is robust.** In every run the 2023 shortage is above the 2016 one "
        "(median ratio about 1.7, lowest about 1.1), whatever the draws: the falling output "
        "of teacher training (6.05k diplomas in 2015, 5.1k in 2021, fed in), the retirement "
        "of the large 50-59 band of 2015 and the 2023 peak of pupils (952k) push it up. The "
        "pupil peak also makes the model's shortage fall again in 2024 (pupils about 930k), "
        "while the measured shortage stayed at 3,800 fte: the model's demand follows pupils "
        "one for one, and 2024 did not (next point)."
    ),
    "staff": N_(
        "**Staff per pupil rose in reality and not in the model (teachers 2022, shortage "
        "2024).** The model hits the 2019 head count (75.3k) and the 2022 fte, but its staff "
        "falls with pupils after 2019 while the measured staff grew (75.3k to 77k persons, "
        "59.9k to 61k fte) as pupils fell by about 3%. Demand in the model is pupils over a "
        "fixed 15.05 pupils per fte (the 2013 ratio); in reality the ratio fell (extra "
        "funding after 2019, such as the national catch-up programme and workload funds, "
        "is the likely reason; no figure for it is in the reference). The model's 2023 "
        "demand (about 63k fte) is therefore below the 65.5k the 5.8% implies. A path of "
        "funded staff per pupil would be the input to add; it cannot be taken from measured "
        "employment without making demand circular."
    ),
    "fte per person": N_(
        "**Contract size (fte 2019).** The model's fte per teacher is about 0.83 against "
        "0.80 measured in 2019: the contract classes are the 2019 ones, and the sizes drawn "
        "inside the classes average a little high (the same gap shows in the calibration's "
        "`mean_contract_fte`). The head count hits, so the fte misses by about 4%."
    ),
    "ages": N_(
        "**The workforce grows older in the model and younger in reality (mean age 2022, "
        "55+ share).** From the 2013-16 age shares the model's mean age rises from 44.3 to "
        "about 45.2 by 2022, while the measured mean fell to 43.1; its 55+ share (about 26%) "
        "is near but below the measured 28%. Both say the same about mechanisms: the model's "
        "entrants are too few and too old (part-time graduates, side-entrants, returners and "
        "in-migrants are hired at their own, older ages; the staff that grew after 2019 in "
        "reality were largely young hires), and the older teachers leave it a little faster "
        "than they did (the exit ages that rose by about four years to 2015 went on rising; "
        "the model's 60+ hazard is the 2013-17 average)."
    ),
    "outflow": N_(
        "**Outflow (STAMOS 2015-16).** The model's outflow is about 6.2-6.5% of teachers a "
        "year against 7.2% of all VO staff in 2016; carried to teachers with the staff / "
        "teacher ratio of 2019, the 2015 outflow is about 15% above the model's first year, "
        "the 2016 outflow within the tolerance. The exit hazards come from the 2013-17 "
        "averages, so this checks the build more than the model; support staff (in STAMOS, "
        "not in the model) may leave at another rate than teachers."
    ),
    "unqualified": N_(
        "**Unqualified and 'benoembaar' lessons (IPTO 2019, 2021; 86% qualified in 2022): the "
        "clearest miss.** The model has about 97-98% of lessons taught by a qualified "
        "teacher against 86-88% measured. In the model a lesson is taught without the "
        "qualification only to cover a gap (side-entrants and stop-gaps); IPTO's 12% are "
        "mostly a standing stock of teaching out of field or level and by teachers still in "
        "training, which exists with or without vacancies. The model has no such stock "
        "(every initial teacher is qualified for their subject and level), so its hidden "
        "shortage is a narrower notion than IPTO's, and it cannot say how out-of-field "
        "teaching responds to policy. The calibration's hidden-shortage target (3.7-12.1%) "
        "should be read with this in mind."
    ),
    "subjects": N_(
        "**Subjects.** The hindcast starts with the same shortage in every subject (no 2015 "
        "profile is in the reference), so the 2023 differences come from mechanisms: "
        "technology and computing ends highest, as measured, because it draws few students "
        "(an assumption); Dutch does not come out above mathematics as measured, and every "
        "subject band is wide (it inherits the width of the level). All five compared groups "
        "lie within the tolerance, which with bands this wide is weak evidence."
    ),
    "inputs": N_(
        "**Inputs read back.** The graduates follow the diploma path (sized to 6.05k in 2015, "
        "about 5.2k in 2021 against 5.1k). The side-entrants placed are about 60% of the "
        "subsidised numbers fed in as applicants (mentor places and open second-degree "
        "vacancies limit them); the subsidised VO numbers after 2018 are themselves an "
        "assumption (2018's VO share of all sectors), so the side-entrant route is the least "
        "certain input here, and no draw covers it yet (a path cannot be drawn by the "
        "design's overrides)."
    ),
}
"""A plain reading of the committed run: what the hits and misses say about the mechanisms."""


def build_parser() -> argparse.ArgumentParser:
    parser = study_parser(__doc__, REPO / "results", 3, 1)
    parser.set_defaults(scenario=hc.SCENARIO, horizon=hc.LAST_YEAR - hc.START_YEAR)
    parser.add_argument(
        "--draws",
        type=int,
        help=f"draws of the assumed 2015 inputs (default {FULL_DRAWS}, {QUICK_DRAWS} with --quick)",
    )
    parser.add_argument(
        "--size-training",
        action="store_true",
        help="only measure the factor on the training intakes that gives the 6.05k diplomas "
        "of 2015 (for the scenario file) and print it",
    )
    parser.add_argument(
        "--out",
        type=Path,
        help="folder of report.md and its charts (default results/hindcast; with --quick the "
        "batch folder, so the committed report stays)",
    )
    return parser


def design(
    replications: int,
    draws: Sequence[Mapping[str, Any]],
    *,
    overrides: Mapping[str, Any] | None = None,
    base_seed: int = 20151001,
    scenario: str = hc.SCENARIO,
    horizon: int = hc.LAST_YEAR - hc.START_YEAR,
) -> Design:
    """The hindcast design: arm ``central`` (the scenario's values) and one arm per draw."""
    arms = [Arm("central", "isolated")]
    arms += [Arm(f"draw-{i:02d}", "isolated", dict(d)) for i, d in enumerate(draws)]
    return Design(
        experiment="hindcast",
        arms=tuple(arms),
        replications=replications,
        horizon=horizon,
        scenario=scenario,
        overrides=dict(overrides or {}),
        base_seed=base_seed,
    )


def design_from_args(args: argparse.Namespace) -> Design:
    n = args.draws if args.draws is not None else (QUICK_DRAWS if args.quick else FULL_DRAWS)
    if n < 0:
        raise SystemExit(f"error: --draws is {n}; allowed: a whole number >= 0")
    return design(
        replications_from_args(args),
        hc.draw_overrides(n),
        overrides=overrides_from_args(args),
        base_seed=args.seed,
        scenario=args.scenario,
        horizon=args.horizon,
    )


def chart(sim: pd.DataFrame, quantity: str, path: Path, t: Translator = EN) -> Path:
    """Simulated median and 10-90% band over all runs against the measured points."""
    fig = Figure(figsize=(7.0, 3.8))
    _panel(fig.subplots(), sim, quantity, legend=True, t=t)
    return save(fig, path, t)


def grid(sim: pd.DataFrame, quantities: Sequence[str], path: Path, t: Translator = EN) -> Path:
    """Every quantity as one small panel of one figure (cheaper to draw than one each)."""
    ncols = 4
    nrows = -(-len(quantities) // ncols)
    fig = Figure(figsize=(3.2 * ncols, 2.4 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for ax, quantity in zip(axes, quantities, strict=False):
        _panel(ax, sim, quantity, legend=False, t=t)
    for ax in axes[len(quantities) :]:
        ax.set_visible(False)
    fig.tight_layout()
    return save(fig, path, t)


def _unit(unit: str, t: Translator) -> str:
    """A quantity's unit on its axis: a word in the report's language, a symbol as it is."""
    return unit if unit in ("%", "fte") else t._(unit)


def _panel(ax, sim: pd.DataFrame, quantity: str, *, legend: bool, t: Translator = EN) -> None:
    title, unit, scale = hc.QUANTITIES[quantity]
    band = hc.bands(sim, quantity)
    ax.fill_between(
        band["year"],
        band["low"] * scale,
        band["high"] * scale,
        alpha=0.25,
        color="tab:blue",
        lw=0,
        label=t._("simulated 10-90% (draws x seeds)"),
    )
    ax.plot(
        band["year"], band["median"] * scale, color="tab:blue", lw=2, label=t._("simulated median")
    )
    central = sim[sim["arm"] == "central"].groupby("year")[quantity].median()
    if not central.empty:
        ax.plot(
            central.index,
            central.to_numpy() * scale,
            color="tab:blue",
            ls="--",
            lw=1,
            label=t._("central values"),
        )
    for m in (m for m in (*hc.MEASURED, *hc.INPUT_CHECKS) if m.quantity == quantity):
        err = [[(m.value - m.low) * scale], [(m.high - m.value) * scale]]
        ax.errorbar(
            [m.year],
            [m.value * scale],
            yerr=err if m.high > m.low else None,
            fmt="o",
            color="black",
            capsize=4,
            zorder=5,
        )
    ax.plot([], [], "o", color="black", label=t._("measured"))
    ax.axvline(hc.START_YEAR, color="grey", lw=0.8, ls=":")
    ax.set_title(t._(title), fontsize=10 if legend else 7)
    ax.set_ylabel(_unit(unit, t))
    ax.grid(alpha=0.3)
    if legend:
        ax.set_xlabel(t._("census year (1 October)"))
        ax.legend(fontsize=7)


def _fmt(value: float, quantity: str, t: Translator | None = None) -> str:
    t = t or Translator("en")
    _, unit, scale = hc.QUANTITIES[quantity]
    if value != value:  # NaN
        return t._("n/a")
    if unit == "%":
        return t.pct(value * scale / 100, 1)
    return t.num(value * scale, 1) if unit == "years" else t.num(value * scale)


def hits_table(table: pd.DataFrame, t: Translator | None = None) -> pd.DataFrame:
    """The comparison in the report's words."""
    t = t or Translator("en")
    rows = []
    for r in table.itertuples():
        measured = (
            _fmt(r.measured, r.quantity, t)
            if r.measured_low == r.measured_high
            else f"{_fmt(r.measured_low, r.quantity, t)}-{_fmt(r.measured_high, r.quantity, t)}"
        )
        rows.append(
            {
                t._("quantity"): r.quantity,
                t._("year"): r.year,
                t._("measured"): measured,
                t._("simulated median (10-90%)"): f"{_fmt(r.simulated_median, r.quantity, t)} "
                f"({_fmt(r.simulated_p10, r.quantity, t)}-{_fmt(r.simulated_p90, r.quantity, t)})",
                t._("tolerance"): _fmt(r.tolerance, r.quantity, t),
                t._("result"): t._("hit") if r.hit else "**" + t._("miss") + "**",
                t._("measured in band"): t._("yes") if r.in_band else t._("no"),
                t._("source"): r.source,
            }
        )
    return pd.DataFrame(rows)


def analyse(
    batch: BatchResult, command: str, out: Path, *, each_chart: bool = True, lang: str = "en"
) -> Path:
    """Charts, the hits-and-misses table and the reading, in ``out``: one chart per quantity,
    or (``each_chart=False``, for ``--quick``) all quantities as panels of one chart."""
    out.mkdir(parents=True, exist_ok=True)
    t = Translator(lang)
    series = Results.open(batch.folder).series()
    sim = hc.simulated(series)
    table = hc.compare(sim)
    table.to_csv(out / "comparison.csv", index=False)  # not in git (results/**/*.csv)
    report = Report(
        "Hindcast: the national model from 2015, compared with 2016-2024", out, lang=lang
    )
    report.what_was_run(
        batch,
        command,
        extra=[
            t._("Runs stored in `{folder}`.").format(
                folder=batch.folder.relative_to(REPO)
                if batch.folder.is_relative_to(REPO)
                else batch.folder
            ),
            t._(
                "Assumed 2015 inputs drawn (uniform, Latin hypercube) over: {inputs}; "
                "`pupils_per_teacher_fte` = {ratio} x (1 - start shortage)."
            ).format(
                inputs="; ".join(
                    f"`{a.name}` {a.low:g}-{a.high:g} ({a.why})" for a in hc.ASSUMPTIONS
                ),
                ratio=hc.PUPILS_PER_EMPLOYED_FTE_2013,
            ),
        ],
    )
    report.heading("Hits and misses")
    n_hit = int(table["hit"].sum())
    report.table(
        hits_table(table, t),
        t._(
            "{hit} of {n} measurements hit (simulated median within the tolerance of the "
            "measured value or range); 'measured in band' says whether the measurement overlaps "
            "the simulated 10-90% band over all draws and seeds."
        ).format(hit=n_hit, n=len(table)),
    )
    draws = {a.name: dict(a.overrides) for a in batch.design.arms}
    table_drivers = hc.drivers(sim, draws)
    if not table_drivers.empty:
        report.heading("What the band of the 2023 shortage comes from")
        shown = table_drivers.copy()
        for col in ("below the middle", "above the middle"):
            shown[col] = [t.pct(v, 1) for v in shown[col]]
        shown["rank correlation"] = [t.num(v, 2) for v in shown["rank correlation"]]
        shown["range drawn"] = [
            v.replace(".", get_decimal_symbol(t.locale)) for v in shown["range drawn"]
        ]
        report.table(
            shown.rename(columns={c: t._(c) for c in shown.columns}),
            t._(
                "Per drawn input: the rank correlation over the draws between its value and the "
                "draw's 2023 shortage (mean over seeds), and the mean 2023 shortage of the draws "
                "below and above the middle of its range."
            ),
        )
    rise = sim.pivot_table(index="run_id", columns="year", values="shortage_rate")
    if {2016, 2023} <= set(rise.columns):
        ratio = (rise[2023] / rise[2016]).dropna()
        report.paragraph(
            t._(
                "The 2023 shortage over the 2016 shortage of the same run: median {median} "
                "(10-90% {low}-{high}; lowest {lowest}) over {n} runs."
            ).format(
                median=t.num(ratio.median(), 2),
                low=t.num(ratio.quantile(0.1), 2),
                high=t.num(ratio.quantile(0.9), 2),
                lowest=t.num(ratio.min(), 2),
                n=ratio.size,
            )
        )
    if READING:
        report.heading("Reading (written for the committed run of 39 runs)")
        report.bullets([t._(READING[q]) for q in READING])
    compared = list(dict.fromkeys(m.quantity for m in hc.MEASURED))
    inputs = list(dict.fromkeys(m.quantity for m in hc.INPUT_CHECKS))
    report.heading("Charts")
    report.paragraph(
        t._(
            "Simulated median (line) and 10-90% band over every run (draws and seeds), the "
            "central values (dashed) and the measured points (black; a bar is a measured range)."
        )
    )
    if not each_chart:
        path = grid(sim, compared + inputs, out / "all_quantities.png", t)
        report.image(path, t._("Every compared quantity and input path"))
    for quantity in compared if each_chart else ():
        path = chart(sim, quantity, out / f"{quantity}.png", t)
        report.image(path, t._(hc.QUANTITIES[quantity][0]))
    report.heading("Input paths read back")
    report.paragraph(
        t._(
            "The exogenous paths the hindcast is driven by, as the model turns them into flows: "
            "a check of the inputs, not a test of the model."
        )
    )
    report.table(hits_table(hc.compare(sim, hc.INPUT_CHECKS), t))
    for quantity in inputs if each_chart else ():
        path = chart(sim, quantity, out / f"{quantity}.png", t)
        report.image(path, t._(hc.QUANTITIES[quantity][0]))
    return report.write()


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(argv)
    if args.size_training:
        print(
            f"training intake factor for 6.05k graduates in 2016: {hc.training_size_factor():.3f}"
        )
        return 0

    def analyse_args(batch: BatchResult, command: str, lang: str = "en") -> Path:
        out = args.out or (batch.folder if args.quick else OUT)
        return analyse(batch, command, out, each_chart=not args.quick, lang=lang)

    outcome = run_study(parser, argv, design_from_args, analyse_args, __file__)
    return outcome.emit(sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
