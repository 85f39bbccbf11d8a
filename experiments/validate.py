"""Validate a scenario: simulated targets against observed ones, charts, and verification cases.

Writes ``results/validation/report.md`` and its charts (PNG). The replications use seeds
1001, 1002, ... — not the calibration's seeds — so the report is out of the fit's sample.

    .venv/bin/python experiments/validate.py                 # rijnmond, 40 replications (~1 min)
    .venv/bin/python experiments/validate.py --replications 10 --out /tmp/validation
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from sim.fit.calibration import PATH_PREFIX, TARGETS, resolve_free_parameters
from sim.fit.validation import replicate, summarise, verification_cases, write_report
from sim.model.parameters import ParameterError, Parameters
from sim.model.scenarios import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]

REASONS = {
    "unqualified_ratio": (
        "The vmbo > havo > vwo gradient of unqualified teaching comes in the model only from "
        "the level of the lessons (vmbo and lower years are second-degree lessons, where "
        "stop-gaps go first and second-degree teachers are scarcest); nothing makes vwo schools "
        "easier to staff as workplaces, so a miss shows that the gradient is steeper than the "
        "level alone explains."
    ),
    "unqualified_share": (
        "Levels: the model's hidden shortage (side-entrants and stop-gaps) is wider than IPTO's "
        "'unqualified' (it includes what IPTO calls benoembaar); the gradient across school "
        "types comes from the level of the lessons only (see the ratios)."
    ),
    "contract_share": (
        "Contract-size classes: the model draws a DUO class, then a size in 0.1-fte steps inside "
        "it (0.3-0.5, 0.6-0.8, 0.9-1.0); hour changes of 0.1 fte later move some teachers across "
        "a class edge."
    ),
    "age_share": (
        "Observed as the 2013-16 average, a decade before the start (held out: the initial "
        "state follows the 2022 structure). Entrants are older than the under-30 band they "
        "replace (part-time routes hired at 27-50, returners and in-migrants older still)."
    ),
    "shortage_rate_technology_computing": (
        "Technology and computing starts at the regional scaling of its national rate (about "
        "13%), but the group draws only 3% of new students (graduate_subject_share, an "
        "assumption) and few returners and in-migrants teach it, so its gap grows in the first "
        "year instead of holding the 2023 level."
    ),
    "shortage_rate_dutch": (
        "Dutch starts at the regional scaling of its national rate; its gap grows in the first "
        "year: the subject's share of new students and seekers (assumptions) is below its share "
        "of demand."
    ),
    "shortage_rate_2024": (
        "The flows do not hold the 2023 level for a year: the year's exits exceed the hires the "
        "model finds, so the shortage moves away from the level the sources measured in 2024."
    ),
    "shortage_ratio_2028_2023": (
        "The sources expect the regional shortage to rise about 28% by 2028 (the national "
        "forecast's ratio carried to the region). In the model the rise comes from the "
        "retirement wave, pupil growth on the city path and falling training intake, and is "
        "held back by returners from the silent reserve, in-migrants and side-entrants; a miss "
        "means these balance differently from the forecast's assumptions (see the supply line "
        "below and docs/calibration.md)."
    ),
    "hidden_shortage_rate": (
        "Hidden shortage (side-entrants and stop-gaps) is compared with the IPTO range between "
        "lessons by unqualified staff (3.7%) and all lessons without full qualification (12.1%)."
    ),
    "fte_share_55_plus": (
        "The initial state is not built from the 2022 structure (28% of fte aged 55+) yet."
    ),
    "mean_age_teachers": (
        "The initial state is not built from the 2022 structure (mean age 43.1) yet."
    ),
    "shortage_second_over_first_degree": (
        "The model is shorter of first-degree than of second-degree teachers: the upper "
        "havo/vwo lessons need a first degree, and about a third of seekers hold one."
    ),
    "shortage_city_over_region": (
        "City schools differ from the rest only through a random attractiveness, so the city's "
        "shortage is not lower than the region's."
    ),
    "starter_attrition": (
        "Starter attrition is pooled over cohorts that start during the run; the fitted starter "
        "hazards hold it only as far as the other exit rules (temporary contracts, workload) allow."
    ),
    "exit_rate": (
        "Exit rates by age combine the fitted hazards with the workload feedback and retirement "
        "at the pension age, which the hazards cannot offset in every band at once."
    ),
}
"""Reason for a miss, by a prefix of the target name (the longest matching prefix is used).
Review after every model change: a reason that no longer holds must be rewritten, not kept."""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="rijnmond", help="shipped scenario name or .toml path")
    ap.add_argument("--replications", type=int, default=40, help="runs (seeds 1001, 1002, ...)")
    horizon = Parameters.model_fields["horizon_years"].default
    ap.add_argument(
        "--years", type=int, default=horizon, help=f"simulated years per run (default {horizon})"
    )
    ap.add_argument("--workers", type=int, default=2, help="worker processes (1 = no pool)")
    ap.add_argument(
        "--out",
        type=Path,
        default=ROOT / "results" / "validation",
        help="output folder for report.md and the charts",
    )
    ap.add_argument("--no-verification", action="store_true", help="skip the verification cases")
    args = ap.parse_args(argv)
    if args.replications < 2 or args.workers < 1 or args.years < 6:
        ap.error("--replications at least 2, --workers at least 1, --years at least 6")
    top = Parameters.info()["horizon_years"].le
    if args.years > top:
        ap.error(f"--years: value {args.years} is not allowed; allowed: 6 to {top}")
    if not args.out.parent.is_dir():  # one new folder at most, never a chain of them anywhere
        ap.error(f"--out {args.out}: folder {args.out.parent} does not exist; create it first")
    return args


def notes_for(summary, runs=None, scenario=None) -> list[str]:
    """Explanations for the targets the model misses, fitted values at a bound of the search,
    and the shortage beyond the fit window."""
    notes = [REASONS["hidden_shortage_rate"]]
    if scenario is not None:
        p = scenario.parameters()
        for f in resolve_free_parameters():
            value = f.start(p)
            for bound, side in ((f.lower, "lower"), (f.upper, "upper")):
                if math.isclose(value, bound, rel_tol=0.02, abs_tol=1e-4):
                    notes.append(
                        f"Fitted at the {side} bound of its search range: `{f.label}` = "
                        f"{value:g} (range {f.lower:g}-{f.upper:g}, the parameter's plausible "
                        "range where it has one). The targets pull it further; read it as a "
                        "sign that another mechanism is too weak, not as a measured value."
                    )
    cols = [f"unqualified_ratio_by_school_{k}" for k in ("vmbo", "havo", "vwo")]
    if runs is not None and set(cols) <= set(runs.columns):
        med = [float(runs[c].median()) for c in cols]
        ordered = med[0] > med[1] > med[2]
        notes.append(
            "School-type gradient by a simpler attribution (each school's whole unqualified share "
            "given to its school types by pupils, ignoring levels): vmbo / havo / vwo "
            f"{' / '.join(f'{m:.2f}' for m in med)} of the overall share (observed 1.49 / 0.68 / "
            "0.49): "
            + (
                "ordered as observed but far flatter."
                if ordered
                else "not ordered vmbo > havo > vwo. By school the gradient is weak: in the model "
                "it comes from the level of the lessons (vmbo and lower years are second-degree "
                "lessons, where stop-gaps go first and second-degree teachers are scarcest), so "
                "the level attribution above shows it and the whole-school one barely does."
            )
        )
    path_cols = [] if runs is None else [c for c in runs.columns if c.startswith(PATH_PREFIX)]
    if path_cols:
        med = runs[path_cols].astype(float).median()
        first, last = path_cols[0], path_cols[-1]
        peak = max(path_cols, key=lambda c: med[c])
        notes.append(
            f"Shortage path (median over the runs): {med[first]:.1%} in "
            f"{first[len(PATH_PREFIX) :]}, highest {med[peak]:.1%} in {peak[len(PATH_PREFIX) :]}, "
            f"{med[last]:.1%} in {last[len(PATH_PREFIX) :]}. The sources constrain it up to 2028 "
            "(the 2028 point is the national forecast's direction carried to the region, a "
            "forecast and not a measurement); after 2028 nothing does, so read later levels as "
            "what the mechanisms imply."
        )
    if runs is not None:
        notes += supply_notes(runs)
    return notes


def supply_notes(runs) -> list[str]:
    """A line on the supply stocks and flows behind the shortage path, from the reporters the
    model has (silent reserve; in- and out-migrants once they exist)."""
    out = []
    if {"silent_reserve_first", "silent_reserve_last"} <= set(runs.columns):
        first = float(runs["silent_reserve_first"].median())
        last = float(runs["silent_reserve_last"].median())
        out.append(
            f"Supply behind the path: the silent reserve goes from {first:,.0f} to {last:,.0f} "
            "people (median over the runs, first to last census)."
        )
    if {"inmigrants_mean", "outmigrants_mean"} <= set(runs.columns):
        inm = float(runs["inmigrants_mean"].median())
        outm = float(runs["outmigrants_mean"].median())
        out.append(
            f"Moves between regions: {inm:,.0f} in and {outm:,.0f} out a year (median of the "
            "yearly means)" + (f", in / out = {inm / outm:.2f}." if outm > 0 else ".")
        )
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the replications and the verification cases; write the report."""
    args = parse_args(argv)
    try:
        scenario = load_scenario(args.scenario)
    except (ScenarioError, ParameterError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seeds = [1001 + i for i in range(args.replications)]
    t0 = time.perf_counter()
    pool = ProcessPoolExecutor(args.workers) if args.workers > 1 else None
    try:
        runs = replicate(scenario, seeds, years=args.years, map_fn=pool.map if pool else map)
    finally:
        if pool:
            pool.shutdown()
    t_runs = time.perf_counter() - t0
    checks = [] if args.no_verification else verification_cases(scenario)
    summary = summarise(runs, TARGETS)
    command = " ".join(["experiments/validate.py", *(argv if argv is not None else sys.argv[1:])])
    meta = {
        "scenario": scenario.name,
        "command": command,
        "date": dt.date.today().isoformat(),
        "replications": len(seeds),
        "seeds": f"{seeds[0]}-{seeds[-1]}",
        "years": args.years,
        "start_year": scenario.parameters().start_year,
        "runtime": f"replications took {t_runs:.0f} s on {args.workers} worker(s)",
    }
    path = write_report(
        args.out, runs, checks, meta, notes_for(summary, runs, scenario), reasons=REASONS
    )
    for name, row in summary.iterrows():
        med = row["median"]
        if not row["available"]:
            print(f"{name:40s} not available (no reporter)")
            continue
        print(
            f"{name:36s} observed {row['low']:.3f}-{row['high']:.3f}  simulated "
            f"{med if math.isfinite(med) else float('nan'):.3f} ({row['p10']:.3f}-{row['p90']:.3f})"
            f"  {'inside' if row['inside'] else 'MISS'}"
        )
    for c in checks:
        print(f"verification: {c.name}: {'passed' if c.passed else 'FAILED'} — {c.detail}")
    print(f"wrote {path} ({time.perf_counter() - t0:.0f} s)")
    return 0 if all(c.passed for c in checks) else 1


if __name__ == "__main__":
    raise SystemExit(main())
