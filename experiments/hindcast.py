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
    python experiments/hindcast.py --quick     # central + 1 draw, 1 seed (report in the batch folder)
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
from sim.plots.plotting import save

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "results" / "hindcast"
FULL_DRAWS, QUICK_DRAWS = 12, 1

READING: dict[str, str] = {}
"""A plain reading per quantity, filled in from the committed run (see the report)."""


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


def chart(sim: pd.DataFrame, quantity: str, path: Path) -> Path:
    """Simulated median and 10-90% band over all runs against the measured points."""
    title, unit, scale = hc.QUANTITIES[quantity]
    fig = Figure(figsize=(7.0, 3.8))
    ax = fig.subplots()
    band = hc.bands(sim, quantity)
    ax.fill_between(
        band["year"],
        band["low"] * scale,
        band["high"] * scale,
        alpha=0.25,
        color="tab:blue",
        lw=0,
        label="simulated 10-90% (draws x seeds)",
    )
    ax.plot(band["year"], band["median"] * scale, color="tab:blue", lw=2, label="simulated median")
    central = sim[sim["arm"] == "central"].groupby("year")[quantity].median()
    if not central.empty:
        ax.plot(
            central.index,
            central.to_numpy() * scale,
            color="tab:blue",
            ls="--",
            lw=1,
            label="central values",
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
    ax.plot([], [], "o", color="black", label="measured")
    ax.axvline(hc.START_YEAR, color="grey", lw=0.8, ls=":")
    ax.set_title(title, fontsize=10)
    ax.set_ylabel(unit)
    ax.set_xlabel("census year (1 October)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    return save(fig, path)


def _fmt(value: float, quantity: str) -> str:
    _, unit, scale = hc.QUANTITIES[quantity]
    if value != value:  # NaN
        return "n/a"
    if unit == "%":
        return f"{value * scale:.1f}%"
    return f"{value * scale:.1f}" if unit == "years" else f"{value * scale:,.0f}"


def hits_table(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison in the report's words."""
    rows = []
    for r in table.itertuples():
        measured = (
            _fmt(r.measured, r.quantity)
            if r.measured_low == r.measured_high
            else f"{_fmt(r.measured_low, r.quantity)}-{_fmt(r.measured_high, r.quantity)}"
        )
        rows.append(
            {
                "quantity": r.quantity,
                "year": r.year,
                "measured": measured,
                "simulated median (10-90%)": f"{_fmt(r.simulated_median, r.quantity)} "
                f"({_fmt(r.simulated_p10, r.quantity)}-{_fmt(r.simulated_p90, r.quantity)})",
                "tolerance": _fmt(r.tolerance, r.quantity),
                "result": "hit" if r.hit else "**miss**",
                "measured in band": "yes" if r.in_band else "no",
                "source": r.source,
            }
        )
    return pd.DataFrame(rows)


def analyse(batch: BatchResult, command: str, out: Path) -> Path:
    """Charts, the hits-and-misses table and the reading, in ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    series = Results.open(batch.folder).series()
    sim = hc.simulated(series)
    table = hc.compare(sim)
    table.to_csv(out / "comparison.csv", index=False)  # not in git (results/**/*.csv)
    report = Report("Hindcast: the national model from 2015, compared with 2016-2024", out)
    report.what_was_run(
        batch,
        command,
        extra=[
            f"Runs stored in `{batch.folder.relative_to(REPO) if batch.folder.is_relative_to(REPO) else batch.folder}`.",
            "Assumed 2015 inputs drawn (uniform, Latin hypercube) over: "
            + "; ".join(f"`{a.name}` {a.low:g}-{a.high:g} ({a.why})" for a in hc.ASSUMPTIONS)
            + f"; `pupils_per_teacher_fte` = {hc.PUPILS_PER_EMPLOYED_FTE_2013} x (1 - start "
            "shortage).",
        ],
    )
    report.heading("Hits and misses")
    n_hit = int(table["hit"].sum())
    report.table(
        hits_table(table),
        f"{n_hit} of {len(table)} measurements hit (simulated median within the tolerance of "
        "the measured value or range); 'measured in band' says whether the measurement "
        "overlaps the simulated 10-90% band over all draws and seeds.",
    )
    draws = {a.name: dict(a.overrides) for a in batch.design.arms}
    table_drivers = hc.drivers(sim, draws)
    if not table_drivers.empty:
        report.heading("What the band of the 2023 shortage comes from")
        shown = table_drivers.copy()
        for col in ("below the middle", "above the middle"):
            shown[col] = [f"{v * 100:.1f}%" for v in shown[col]]
        report.table(
            shown,
            "Per drawn input: the rank correlation over the draws between its value and the "
            "draw's 2023 shortage (mean over seeds), and the mean 2023 shortage of the draws "
            "below and above the middle of its range.",
        )
    rise = sim.pivot_table(index="run_id", columns="year", values="shortage_rate")
    if {2016, 2023} <= set(rise.columns):
        ratio = (rise[2023] / rise[2016]).dropna()
        report.paragraph(
            f"The 2023 shortage over the 2016 shortage of the same run: median {ratio.median():.2f}"
            f" (10-90% {ratio.quantile(0.1):.2f}-{ratio.quantile(0.9):.2f}; lowest "
            f"{ratio.min():.2f}) over {ratio.size} runs."
        )
    report.heading("Charts")
    for quantity in dict.fromkeys(m.quantity for m in hc.MEASURED):
        path = chart(sim, quantity, out / f"{quantity}.png")
        report.image(path, hc.QUANTITIES[quantity][0])
    report.heading("Input paths read back")
    report.paragraph(
        "The exogenous paths the hindcast is driven by, as the model turns them into flows: a "
        "check of the inputs, not a test of the model."
    )
    report.table(hits_table(hc.compare(sim, hc.INPUT_CHECKS)))
    for quantity in dict.fromkeys(m.quantity for m in hc.INPUT_CHECKS):
        path = chart(sim, quantity, out / f"{quantity}.png")
        report.image(path, hc.QUANTITIES[quantity][0])
    if READING:
        report.heading("Reading")
        report.bullets([READING[q] for q in READING])
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

    def analyse_args(batch: BatchResult, command: str) -> Path:
        out = args.out or (batch.folder if args.quick else OUT)
        return analyse(batch, command, out)

    outcome = run_study(parser, argv, design_from_args, analyse_args, __file__)
    return outcome.emit(sys.stdout, sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
