"""What drives the isolated baseline: each mechanism behind the path switched off or moved to the
end of its range, one at a time, against the baseline with the same seeds.

The baseline's shortage is the gap between demand and qualified supply; supply changes by the
yearly flows in (graduates, side-entrants, returners from the silent reserve, teachers from other
regions) against the flows out (retirement, leaving education, leaving the region). This study
shows those flows of the baseline, early and late in the horizon, and how far the shortage of the
last year moves when one assumption changes:

    python experiments/baseline_drivers.py            # 14 arms x 10 seeds, isolated policy
    python experiments/baseline_drivers.py --quick    # 3 seeds

Every arm runs isolated policy at the scenario's point values apart from its own overrides
(listed in the report), paired by seed with the baseline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from sim.batch.analysis import Results, mean_interval, paired_differences
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
from sim.i18n import N_, Translator
from sim.model.parameters import Parameters
from sim.model.scenarios import load_scenario
from sim.plots import plotting

REPO = Path(__file__).resolve().parents[1]
BASELINE = "baseline"


def variants(scenario: str) -> dict[str, tuple[str, dict[str, object]]]:
    """Every arm but the baseline: name -> (what it changes, parameter overrides)."""
    p = load_scenario(scenario).parameters()
    plaus = Parameters.info()
    lo_decline, hi_decline = plaus["returner_rate_decline"].plausible
    lo_rate, hi_rate = plaus["returner_rate"].plausible
    return {
        "intake-fall-to-2040": (
            N_("the training intake keeps falling to the horizon"),
            {"training_intake_trend_last_year": 2040},
        ),
        "intake-level": (
            N_("the training intake stays at its 2023 level"),
            {"training_intake_trend_per_year": 0.0},
        ),
        "pupils-level": (
            N_("pupil numbers stay at their 2025 level (no projection)"),
            {"follow_pupil_projection": False},
        ),
        "no-workload-exits": (
            N_("workload pressure does not raise exits"),
            {"workload_exit_sensitivity": 0.0},
        ),
        "no-feedbacks": (
            N_("no workload feedbacks at all (exits, hours, moves)"),
            {"feedbacks": False},
        ),
        "returners-low": (
            N_("returners at the low end of their prior"),
            {"returner_rate": lo_rate, "returner_rate_decline": hi_decline},
        ),
        "returners-high": (
            N_("returners at the high end of their prior"),
            {"returner_rate": hi_rate, "returner_rate_decline": lo_decline},
        ),
        "no-inflow-pull": (
            N_("people outside teaching do not answer the shortage"),
            {"inflow_shortage_response": 0.0},
        ),
        "strong-inflow-pull": (
            N_("people outside teaching answer the shortage at the top of its prior"),
            {"inflow_shortage_response": plaus["inflow_shortage_response"].plausible[1]},
        ),
        "no-school-responses": (
            N_(
                "schools do not respond (no extra hours, early recruitment, unqualified hires, "
                "larger classes)"
            ),
            {
                "extra_hours_acceptance": 0.0,
                "early_recruitment_max_fte": 0.0,
                "unqualified_hire_cap_share": 0.0,
                "class_enlargement_cap_share": 0.0,
            },
        ),
        "no-commute-limits": (
            N_("nobody has a commuting limit"),
            {"max_commute_km_median": 500.0, "max_commute_km_log_sd": 0.0},
        ),
        "no-personal-tastes": (
            N_("everyone weighs jobs alike (no personal preferences)"),
            {
                "taste_vmbo_spread": 0.0,
                "taste_workload_spread": 0.0,
                "taste_standing_spread": 0.0,
                "taste_commute_per_km_max": 0.0,
            },
        ),
        "more-graduates-enter": (
            N_("graduates enter teaching 8% more often"),
            {
                "graduate_entry_interned_in_region": min(
                    1.0, round(p.graduate_entry_interned_in_region * 1.08, 4)
                ),
                "graduate_entry_other": min(1.0, round(p.graduate_entry_other * 1.08, 4)),
            },
        ),
    }


INFLOWS = ("hires_graduate", "hires_side_entrant", "hires_returner", "hires_inmigrant")
OUTFLOWS = ("exits_retirement", "exits_left_education", "exits_left_region")
FLOW_LABELS = {
    "hires_graduate": N_("graduates hired"),
    "hires_side_entrant": N_("side-entrants hired"),
    "hires_returner": N_("returners hired (silent reserve)"),
    "hires_inmigrant": N_("teachers from other regions hired"),
    "inflow": N_("in, all routes"),
    "exits_retirement": N_("retired"),
    "exits_left_education": N_("left education"),
    "exits_left_region": N_("left for another region"),
    "outflow": N_("out, all routes"),
    "net": N_("net (in - out)"),
}
"""The flows of the baseline's table, by reporter column."""

PATH_COLOURS = {
    BASELINE: "#333333",
    "intake-fall-to-2040": "#e08214",
    "returners-low": "#b2182b",
    "returners-high": "#2166ac",
    "no-feedbacks": "#4dac26",
}
"""The arms drawn in the chart of paths, with their colours."""


def build_parser() -> argparse.ArgumentParser:
    return study_parser(__doc__, REPO / "results", 10, 3)


def design_from_args(args: argparse.Namespace) -> Design:
    arms = (
        Arm(BASELINE, "isolated"),
        *(Arm(name, "isolated", over) for name, (_, over) in variants(args.scenario).items()),
    )
    return Design(
        experiment="baseline_drivers",
        arms=arms,
        replications=replications_from_args(args),
        horizon=args.horizon,
        scenario=args.scenario,
        overrides=overrides_from_args(args),
        base_seed=args.seed,
    )


def driver_table(series: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """Per arm: the shortage at the start, after five years and at the end, the ratio of the
    fifth year to the start, qualified supply at the end against the start, and the paired
    change of the last year's shortage against the baseline."""
    first, last = int(series["year"].min()), int(series["year"].max())
    mid = min(first + 5, last)
    at = {y: series[series["year"] == y].set_index("run_id") for y in (first, mid, last)}
    ratio = at[mid]["shortage_rate"] / at[first]["shortage_rate"]
    staff = at[last]["staff_fte"] / at[first]["staff_fte"]
    arms = [BASELINE, *[a for a in series["arm"].unique() if a != BASELINE]]
    change = t._("change of the {year} shortage (pp)").format(year=last)
    end = at[last].reset_index()
    rows = []
    for arm in arms:
        runs = at[last].index[at[last]["arm"] == arm]
        row: dict[str, str] = {t._("arm"): arm}
        for year in (first, mid, last):
            row[t._("shortage {year} (%)").format(year=year)] = mean_interval(
                at[year].loc[at[year]["arm"] == arm, "shortage_rate"] * 100
            ).format(1, 1, t=t)
        row[t._("shortage {year} / {base}").format(year=mid, base=first)] = t.num(
            float(ratio[runs].mean()), 2
        )
        row[t._("staff fte {year} / {base}").format(year=last, base=first)] = t.num(
            float(staff[runs].mean()), 3
        )
        if arm == BASELINE:
            row[change] = "-"
        else:
            d = paired_differences(end, "shortage_rate", arm, BASELINE)["difference"]
            row[change] = mean_interval(d * 100).format(1, 1, t=t)
        rows.append(row)
    return pd.DataFrame(rows)


def flow_table(series: pd.DataFrame, t: Translator) -> pd.DataFrame:
    """The baseline's yearly flows in and out (persons a year, mean over seeds), over the first
    five and the last five simulated years."""
    base = series[series["arm"] == BASELINE]
    first, last = int(base["year"].min()), int(base["year"].max())
    spans = {
        f"{first + 1}-{first + 5}": base[(base["year"] > first) & (base["year"] <= first + 5)],
        f"{last - 4}-{last}": base[base["year"] > last - 5],
    }
    rows = []
    for col in (*INFLOWS, "inflow", *OUTFLOWS, "outflow", "net"):
        row = {t._("flow (persons a year)"): t._(FLOW_LABELS[col])}
        for span, frame in spans.items():
            inflow = frame[list(INFLOWS)].sum(axis=1)
            outflow = frame[list(OUTFLOWS)].sum(axis=1)
            value = {"inflow": inflow, "outflow": outflow, "net": inflow - outflow}.get(col)
            row[span] = t.num(float((frame[col] if value is None else value).mean()), 0)
        rows.append(row)
    return pd.DataFrame(rows)


def analyse(batch: BatchResult, command: str, lang: str = "en") -> Path:
    """The driver table, the baseline's flows, a chart of the paths, and the report."""
    res = Results.open(batch.folder)
    series = res.series(["shortage_rate", "staff_fte", *INFLOWS, *OUTFLOWS])
    t = Translator(lang)
    described = {BASELINE: t._("the scenario's point values")} | {
        name: t._(what) for name, (what, _) in variants(res.design.scenario).items()
    }
    overrides = {a.name: a.overrides for a in res.design.arms}
    table = driver_table(series, t)
    arm_col = t._("arm")
    table.insert(1, t._("what changes"), [described.get(a, a) for a in table[arm_col]])
    table.insert(
        2,
        t._("overrides"),
        [
            ", ".join(f"`{k}={v}`" for k, v in overrides.get(a, {}).items()) or "-"
            for a in table[arm_col]
        ],
    )
    flows = flow_table(series, t)
    last = int(series["year"].max())
    chart = plotting.time_bands(
        series,
        "shortage_rate",
        list(PATH_COLOURS),
        batch.folder / "charts" / "baseline_paths.png",
        colours=PATH_COLOURS,
        t=t,
        title=t._("Isolated baseline and four of its assumptions"),
        ylabel=t._("open + hidden shortage (% of demand)"),
    )
    base = series[series["arm"] == BASELINE]
    net_early = flows.iloc[-1, 1]
    rep = Report("What drives the isolated baseline", batch.folder, lang=lang)
    rep.what_was_run(
        batch,
        command,
        [
            t._(
                "Every arm runs isolated policy at the scenario's point values with the same "
                "seeds; one assumption differs per arm (its overrides are in the table)."
            )
        ],
    )
    rep.heading("Reading")
    staff = base.groupby("year")["staff_fte"].mean()
    end = series[series["year"] == last]
    moves = {
        arm: paired_differences(end, "shortage_rate", arm, BASELINE)["difference"].mean() * 100
        for arm in described
        if arm != BASELINE
    }
    top = sorted(moves, key=lambda a: abs(moves[a]), reverse=True)[:3]
    rep.paragraph(
        t._(
            "In the baseline, qualified supply shrinks when fewer people come in each year than "
            "leave (net {net} persons a year in the first five years): staff fte end at {ratio} "
            "of their start while demand follows the pupils. The assumptions that move the "
            "{last} shortage most are: {top}. None of them is measured after 2024: the path "
            "after 2028 extrapolates the fitted flows, and the parameter draws of the comparison "
            "study carry this uncertainty into its intervals."
        ).format(
            net=net_early,
            ratio=t.num(float(staff.iloc[-1] / staff.iloc[0]), 3),
            last=last,
            top="; ".join(
                t._("{what} ({pp} pp)").format(
                    what=described[a], pp=("+" if moves[a] > 0 else "") + t.num(moves[a], 1)
                )
                for a in top
            ),
        )
    )
    rep.heading("One assumption at a time")
    rep.table(
        table,
        note=t._(
            "Mean [95% interval] over seeds; the change is paired by seed against the baseline."
        ),
    )
    rep.heading("The baseline's flows")
    rep.table(flows)
    rep.heading("Charts")
    rep.image(chart, t._("Shortage over the years: median and 10-90% band over seeds."))
    return rep.write()


def main(argv: list[str] | None = None) -> int:
    outcome = run_study(build_parser(), argv, design_from_args, analyse, __file__)
    return outcome.emit(sys.stdout, sys.stderr)


if __name__ == "__main__":
    raise SystemExit(main())
