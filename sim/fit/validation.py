"""Validation: the simulated baseline against the observed targets, and verification cases.

- :func:`replicate` runs a scenario over many seeds and returns one row of measures per run
  (the measures of :mod:`sim.fit.calibration`);
- :func:`summarise` turns those rows into the report tables: observed value and source, the
  simulated median with its 10-90% band, whether the median falls inside the tolerance, and
  whether the target is fitted or held out (or not available in this model version);
- the verification cases check the model against cases whose answer is known without it:
  :func:`verify_closed_form` (constant rates, no inflow: the head count follows the closed-form
  stock-and-flow path), :func:`verify_stock_flow_identity` (feedbacks off, constant pupils: every
  year's change of the stock equals inflow minus outflow), :func:`verify_no_inflow` (the shortage
  only grows) and :func:`verify_falling_pupils` (the shortage falls);
- :func:`write_report` draws the charts (the shortage path 2023-2040 with the sources' points
  among them) and writes ``report.md``, with fitted and held-out targets in separate tables.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.fit.calibration import (
    PATH_PREFIX,
    SOURCE_POINTS,
    TARGETS,
    MapFn,
    Target,
    simulate_many,
)
from sim.i18n import N_, Translator
from sim.model.parameters import AGE_BANDS
from sim.model.scenarios import Scenario
from sim.plots.language import EN, localise_ticks

AGE_LABELS = (N_("under 30"), "30-39", "40-49", "50-59", "60+")


# ---------------------------------------------------------------------------- replication
def replicate(
    scenario: str | Scenario,
    seeds: Sequence[int],
    overrides: Mapping[str, Any] | None = None,
    years: int = 17,
    map_fn: MapFn = map,
) -> pd.DataFrame:
    """Measures of one run per seed (rows indexed by seed)."""
    (runs,) = simulate_many([dict(overrides or {})], seeds, scenario, years, map_fn)
    return pd.DataFrame(runs, index=pd.Index(list(seeds), name="seed"))


def _observed_text(t: Target, scale: float) -> str:
    if t.low == t.high:
        return _num(t.observed * scale)
    return f"{_num(t.low * scale)}–{_num(t.high * scale)}"


def _num(v: float) -> str:
    if not math.isfinite(v):
        return "n/a"
    return f"{v:.1f}" if abs(v) >= 1 or v == 0 else f"{v:.3f}"


def _is_share(t: Target) -> bool:
    return t.kind not in ("ratio", "column_ratio") and not t.name.startswith(
        ("unqualified_ratio", "mean_contract", "mean_age")
    )


def summarise(runs: pd.DataFrame, targets: Sequence[Target] = TARGETS) -> pd.DataFrame:
    """The report table: one row per target.

    Columns: target, label, group, fitted, available (the runs measure it: a target whose
    reporter the model lacks is absent from the runs), observed, low, high, source, window,
    median, p10, p90, tolerance, inside (median within the tolerance around the observed range),
    band_covers (the observed range meets the 10-90% band), weight, replications (runs with a
    value), why (why the target is fitted or held out).
    """
    rows = []
    for t in targets:
        present = t.name in runs.columns
        vals = runs[t.name].astype(float).to_numpy() if present else np.array([])
        vals = vals[np.isfinite(vals)]
        if vals.size:
            med, p10, p90 = np.median(vals), np.percentile(vals, 10), np.percentile(vals, 90)
        else:
            med = p10 = p90 = math.nan
        rows.append(
            {
                "target": t.name,
                "label": t.label,
                "group": t.group,
                "fitted": t.fitted,
                "available": present,
                "observed": t.observed,
                "low": t.low,
                "high": t.high,
                "source": t.source,
                "window": t.window,
                "median": med,
                "p10": p10,
                "p90": p90,
                "tolerance": t.tolerance,
                "inside": t.inside(med),
                "band_covers": bool(
                    vals.size and p10 - t.tolerance <= t.high and p90 + t.tolerance >= t.low
                ),
                "weight": t.weight,
                "replications": int(vals.size),
                "why": t.why,
            }
        )
    return pd.DataFrame(rows).set_index("target")


def gradient_order_share(runs: pd.DataFrame) -> float:
    """Share of runs where unqualified teaching is ordered vmbo > havo > vwo (NaN if unknown)."""
    cols = [f"unqualified_share_{k}" for k in ("vmbo", "havo", "vwo")]
    if not set(cols) <= set(runs.columns) or runs.empty:
        return math.nan
    v = runs[cols].astype(float).to_numpy()
    return float(((v[:, 0] > v[:, 1]) & (v[:, 1] > v[:, 2])).mean())


# ------------------------------------------------------------------------- verification
@dataclass
class Check:
    """Outcome of one verification case."""

    name: str
    setup: str
    expectation: str
    passed: bool
    detail: str
    series: pd.DataFrame = field(default_factory=pd.DataFrame)


NO_INFLOW: dict[str, float] = {
    "outside_intake_scale": 0.0,
    "training_choice_rate": 0.0,
    "side_entrant_applicants_per_100_teachers": 0.0,
    "returner_rate": 0.0,
    "inmigration_ratio": 0.0,
}
"""Overrides that stop every inflow of new staff (intake, side-entrants, returners, in-migrants)."""


def _run(
    scenario, seed, years, overrides, after_build: Mapping[str, Any] | None = None
) -> pd.DataFrame:
    from sim.model.model import RegionModel

    model = RegionModel(scenario, "isolated", rng=seed, **overrides)
    if after_build:
        # the region and its students are built with the usual intakes; the inflows stop after
        model.p = model.p.with_overrides(**after_build)
    model.run_for(years)
    return model.series()


def verify_closed_form(
    scenario: str | Scenario = "rijnmond",
    seed: int = 11,
    years: int = 15,
    hazard: float = 0.05,
    leave_region: float = 0.01,
    extra: Mapping[str, Any] | None = None,
) -> Check:
    """Constant exit rates, no inflow, feedbacks off: the head count follows N0 (1 - q)^t.

    Every teacher leaves each year with the same probability q = h + (1 - h) r (exit hazard h,
    then a move to another region with r), independently, so the stock after t years is
    Binomial(N0, (1 - q)^t): the check passes when every year lies within 4 standard deviations
    of the closed-form path. Ages start below 60 and the retirement age is 75, so nobody is
    retired by age within 15 years; contract, temporary and induction multipliers are 1.
    """
    overrides = {
        **NO_INFLOW,
        "graduate_entry_interned_in_region": 0.0,
        "graduate_entry_other": 0.0,
        "feedbacks": False,
        "pupil_trend_per_year": 0.0,
        "pupil_noise_sd": 0.0,
        "follow_pupil_projection": False,
        "exit_hazard_by_age": (hazard,) * 5,
        "starter_exit_hazard": (hazard,) * 5,
        "temporary_exit_rr": 1.0,
        "small_contract_exit_rr": 1.0,
        "induction_exit_rr": 1.0,
        "leave_region_rate": leave_region,
        "retirement_age": 75,
        "age_distribution": (0.25, 0.25, 0.25, 0.25, 0.0),
        **dict(extra or {}),
    }
    years = min(years, 15)
    s = _run(scenario, seed, years, overrides)
    n = s["teachers"].to_numpy(dtype=float)
    q = hazard + (1 - hazard) * leave_region
    t = np.arange(n.size)
    p = (1 - q) ** t
    expected = n[0] * p
    sd = np.sqrt(n[0] * p * (1 - p))
    z = np.divide(n - expected, sd, out=np.zeros_like(n), where=sd > 0)
    frame = pd.DataFrame(
        {
            "teachers": n,
            "closed_form": expected,
            "low": expected - 4 * sd,
            "high": expected + 4 * sd,
            "z": z,
        },
        index=s.index,
    )
    worst = float(np.abs(z).max())
    rel = float(np.abs(n - expected).max() / n[0])
    return Check(
        "closed-form stock-and-flow path",
        f"feedbacks off, constant pupils, no inflow; exit hazard {hazard} at every age and "
        f"experience, region moves {leave_region}; {years} years, seed {seed}",
        f"teachers N_t = N_0 (1 - q)^t with q = {q:.4f}, within 4 binomial sd every year",
        worst <= 4.0,
        f"N_0 = {n[0]:.0f}; largest deviation {rel:.2%} of N_0, largest abs(z) = {worst:.2f}",
        frame,
    )


def verify_stock_flow_identity(
    scenario: str | Scenario = "rijnmond", seed: int = 11, years: int = 17
) -> Check:
    """Feedbacks off and constant pupils, all flows on: each year's change of the teacher stock
    equals hires (graduates, returners, in-migrants) plus side-entrants who qualified, minus
    retirements, exits from education and moves to other regions, exactly."""
    overrides = {
        "feedbacks": False,
        "pupil_trend_per_year": 0.0,
        "pupil_noise_sd": 0.0,
        "follow_pupil_projection": False,
    }
    s = _run(scenario, seed, years, overrides)
    inflow = s[
        ["hires_graduate", "hires_returner", "hires_inmigrant", "side_entrant_completions"]
    ].sum(axis=1)
    outflow = s[["exits_retirement", "exits_left_education", "exits_left_region"]].sum(axis=1)
    path = s["teachers"].iloc[0] + (inflow - outflow).iloc[1:].cumsum()
    residual = (s["teachers"].iloc[1:] - path).abs()
    frame = pd.DataFrame(
        {
            "teachers": s["teachers"],
            "inflow": inflow,
            "outflow": outflow,
            "stock_flow_path": pd.concat([s["teachers"].iloc[:1], path]),
        }
    )
    worst = float(residual.max())
    return Check(
        "stock-and-flow identity",
        f"feedbacks off, constant pupils (no trend, no noise), all flows on; {years} years, "
        f"seed {seed}",
        "N_t = N_0 + sum of (inflow - outflow), with no residual in any year",
        worst == 0.0,
        f"largest residual {worst:.0f} teachers; yearly inflow {inflow.iloc[1:].mean():.0f}, "
        f"outflow {outflow.iloc[1:].mean():.0f}",
        frame,
    )


def verify_no_inflow(
    scenario: str | Scenario = "rijnmond",
    seed: int = 11,
    years: int = 17,
    keep_pipeline: bool = False,
) -> Check:
    """No inflow at all: the shortage rate grows every year.

    With the intakes set to zero before the region is built, the initial pipeline of students
    (sized from the same intakes) is empty as well, so the shortage must rise from the first
    year. With ``keep_pipeline`` the region is built with its usual students and the inflows stop
    afterwards: the students already in training still graduate and take jobs, so the check
    asks for growth only from the year the pipeline has emptied.
    """
    if keep_pipeline:
        s = _run(scenario, seed, years, {}, after_build=NO_INFLOW)
    else:
        s = _run(scenario, seed, years, NO_INFLOW)
    rate = s["shortage_rate"]
    empty = (s["students_enrolled"] == 0) & (s["graduates_seeking"] == 0)
    # the pipeline is empty from the first year after which no student is left or seeking
    later = empty[::-1].cummin()[::-1]
    first_empty = int(later[later].index.min()) if later.any() else None
    start = first_empty if keep_pipeline else int(s.index.min())
    window = rate.loc[rate.index >= start] if start is not None else rate.iloc[:0]
    steps = window.diff().dropna()
    always = bool((rate.diff().dropna() > 0).all())
    # rising in every year also passes when the pipeline empties too late to leave 3 years
    passed = always or bool(len(steps) >= 3 and (steps > 0).all())
    what = (
        "intakes stop after the region is built" if keep_pipeline else "intakes zero from the start"
    )
    return Check(
        "no inflow: shortage only grows" + (" (initial pipeline drains)" if keep_pipeline else ""),
        f"training intake, outside intake, side-entrants, returners and in-migrants zero ({what}); "
        f"other parameters as the scenario; {years} years, seed {seed}",
        "shortage rate rises every year"
        + (" once the students already in training have graduated" if keep_pipeline else ""),
        passed,
        (
            f"pipeline empty from {first_empty} (rising in every year before as well: "
            f"{'yes' if always else 'no'}); "
            if keep_pipeline
            else f"students enrolled at start {int(s['students_enrolled'].iloc[0])}; "
        )
        + f"shortage {rate.iloc[0]:.1%} -> {rate.iloc[-1]:.1%}; smallest yearly rise "
        f"{(steps.min() if len(steps) else math.nan):+.2%}",
        pd.DataFrame(
            {
                "shortage_rate": rate,
                "students_enrolled": s["students_enrolled"],
                "teachers": s["teachers"],
            }
        ),
    )


def verify_falling_pupils(
    scenario: str | Scenario = "rijnmond",
    seed: int = 11,
    years: int = 17,
    trend: float = -0.04,
    floor_margin: float = 0.01,
) -> Check:
    """Pupil numbers falling by ``-trend`` a year (no noise): the shortage falls.

    It must fall every year until it comes within ``floor_margin`` of its lowest value (what is
    left there is mismatch: subjects and levels short while others have surplus staff), stay
    below the same seed's run with the scenario's own pupil trend in every later year, and end
    below its start.
    """
    s = _run(scenario, seed, years, {"pupil_trend_per_year": trend, "pupil_noise_sd": 0.0})
    base = _run(scenario, seed, years, {"pupil_noise_sd": 0.0})
    rate, ref = s["shortage_rate"], base["shortage_rate"]
    floor = float(rate.min())
    reached = int(rate.index[(rate <= floor + floor_margin).to_numpy()].min())
    falling = rate.loc[:reached].diff().dropna()
    below = bool((rate.iloc[1:] < ref.iloc[1:]).all())
    fell = bool(len(falling)) and bool((falling < 0).all())
    passed = fell and below and bool(rate.iloc[-1] < rate.iloc[0])
    return Check(
        "falling pupil numbers: shortage falls",
        f"pupils {trend:+.0%} a year, no noise; other parameters as the scenario; {years} years, "
        f"seed {seed}; paired with the same seed under the scenario's own trend",
        f"shortage falls every year until within {floor_margin:.0%} of its floor, stays below "
        "the paired baseline every year, ends below its start",
        passed,
        f"shortage {rate.iloc[0]:.1%} -> {rate.loc[reached]:.1%} in {reached} (falling every "
        f"year: {'yes' if fell else 'no'}), then {floor:.1%}-"
        f"{float(rate.loc[reached:].max()):.1%} (mismatch; surplus "
        f"{s['surplus_fte'].iloc[-1]:.0f} fte at the end); below the baseline every year: "
        f"{'yes' if below else 'no'} (baseline ends at {ref.iloc[-1]:.1%})",
        pd.DataFrame(
            {
                "shortage_rate": rate,
                "baseline_shortage_rate": ref,
                "demand_fte": s["demand_fte"],
                "surplus_fte": s["surplus_fte"],
            }
        ),
    )


def verification_cases(scenario: str | Scenario = "rijnmond", seed: int = 11) -> list[Check]:
    """Every verification case on ``scenario``."""
    return [
        verify_closed_form(scenario, seed),
        verify_stock_flow_identity(scenario, seed),
        verify_no_inflow(scenario, seed),
        verify_no_inflow(scenario, seed, keep_pipeline=True),
        verify_falling_pupils(scenario, seed),
    ]


# ---------------------------------------------------------------------------------- charts
def _band(runs: pd.DataFrame, cols: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    v = runs[list(cols)].astype(float).to_numpy()
    return np.nanmedian(v, 0), np.nanpercentile(v, 10, 0), np.nanpercentile(v, 90, 0)


def _targets(prefix: str, targets: Sequence[Target]) -> dict[str, Target]:
    return {t.name: t for t in targets if t.name.startswith(prefix)}


def plot_attrition(
    runs: pd.DataFrame, path: Path, targets: Sequence[Target] = TARGETS, t: Translator = EN
) -> Path:
    """Starter attrition after 1-5 years: simulated median and 10-90% band vs DUO ranges."""
    years = [k for k in range(1, 6) if f"starter_attrition_{k}y" in runs]
    med, p10, p90 = _band(runs, [f"starter_attrition_{k}y" for k in years])
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.fill_between(years, p10 * 100, p90 * 100, alpha=0.25, label=t._("simulated 10–90%"))
    ax.plot(years, med * 100, marker="o", label=t._("simulated median"))
    obs = _targets("starter_attrition_", targets)
    xs = [int(n.split("_")[-1][:-1]) for n in obs]
    lo = np.array([o.low for o in obs.values()]) * 100
    hi = np.array([o.high for o in obs.values()]) * 100
    ax.errorbar(
        xs,
        (lo + hi) / 2,
        yerr=(hi - lo) / 2,
        fmt="s",
        color="black",
        capsize=5,
        label=t._("observed (DUO, range)"),
    )
    ax.set(
        xlabel=t._("years since starting"),
        ylabel=t._("share of starters gone (%)"),
        title=t._("Starter attrition"),
        xticks=years,
        ylim=(0, None),
    )
    ax.legend(loc="lower right")
    return _save(fig, path, t)


def plot_exit_by_age(
    runs: pd.DataFrame, path: Path, targets: Sequence[Target] = TARGETS, t: Translator = EN
) -> Path:
    """Yearly exit from education by age band: simulated vs DUO."""
    cols = [f"exit_rate_{b}" for b in AGE_BANDS]
    med, p10, p90 = _band(runs, cols)
    obs = np.array([_targets("exit_rate_", targets)[c].observed for c in cols])
    x = np.arange(len(cols))
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.bar(x - 0.2, obs * 100, 0.4, color="grey", label=t._("observed (DUO 2013-17)"))
    ax.bar(
        x + 0.2,
        med * 100,
        0.4,
        yerr=[(med - p10) * 100, (p90 - med) * 100],
        capsize=4,
        label=t._("simulated median, 10–90%"),
    )
    ax.set(
        xticks=x,
        xticklabels=[t._(a) for a in AGE_LABELS],
        xlabel=t._("age"),
        ylabel=t._("leaving education per year (%)"),
        title=t._("Exit from education by age"),
    )
    ax.legend()
    return _save(fig, path, t)


def plot_age_pyramid(
    runs: pd.DataFrame, path: Path, targets: Sequence[Target] = TARGETS, t: Translator = EN
) -> Path:
    """Age distribution of teachers: simulated (left) vs observed (right), as a pyramid."""
    cols = [f"age_share_{b}" for b in AGE_BANDS]
    med, p10, p90 = _band(runs, cols)
    obs = np.array([_targets("age_share_", targets)[c].observed for c in cols])
    y = np.arange(len(cols))
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.barh(
        y,
        -med * 100,
        xerr=[(p90 - med) * 100, (med - p10) * 100],
        capsize=3,
        label=t._("simulated median, 10–90%"),
    )
    ax.barh(y, obs * 100, color="grey", label=t._("observed (avg 2013-16)"))
    ax.axvline(0, color="black", lw=0.8)
    lim = max(med.max(), obs.max()) * 100 * 1.15
    ax.set(
        yticks=y,
        yticklabels=[t._(a) for a in AGE_LABELS],
        xlim=(-lim, lim),
        xlabel=t._("share of teachers (%)"),
        title=t._("Age pyramid: simulated (left) and observed (right)"),
    )
    ax.set_xticks(ax.get_xticks(), [f"{abs(v):.0f}" for v in ax.get_xticks()])
    ax.legend(loc="lower right", fontsize=8)
    return _save(fig, path, t)


def plot_shortage_trend(
    runs: pd.DataFrame,
    path: Path,
    points: Sequence[tuple[int, float, float, float, str]] = SOURCE_POINTS,
    t: Translator = EN,
) -> Path:
    """The shortage rate per census: simulated median and 10-90% band over the runs, with the
    sources' points carried to the region on the same chart.

    Args:
        runs: One row per run with ``path_shortage_rate_<year>`` columns.
        path: PNG file to write.
        points: (year, value, low, high, kind) of each source point; a finite low/high draws
            an error bar, kind ``earlier forecast`` an open marker.
        t: Language of the texts.
    """
    cols = sorted((c for c in runs.columns if c.startswith(PATH_PREFIX)), key=_path_year)
    fig = Figure(figsize=(7, 4.2))
    ax = fig.subplots()
    if cols:
        years = [_path_year(c) for c in cols]
        med, p10, p90 = _band(runs, cols)
        ax.fill_between(years, p10 * 100, p90 * 100, alpha=0.25, label=t._("simulated 10–90%"))
        ax.plot(years, med * 100, label=t._("simulated median"))
    styles = {
        "measured": ("s", "black", t._("measured (Rijnmond 2023)")),
        "measured, carried": ("s", "dimgrey", t._("measured 2024 (national, carried)")),
        "forecast direction": (
            "D",
            "firebrick",
            t._("forecast 2028 (national ratio {ratio}, carried)").format(ratio=t.num(1.28, 2)),
        ),
        "earlier forecast": ("o", "firebrick", t._("earlier forecast 2026 (other vintage)")),
    }
    for year, value, low, high, kind in points:
        marker, color, label = styles.get(kind, ("o", "black", kind))
        err = None
        if math.isfinite(low) and math.isfinite(high) and high > low:
            err = [[(value - low) * 100], [(high - value) * 100]]
        ax.errorbar(
            [year],
            [value * 100],
            yerr=err,
            fmt=marker,
            color=color,
            mfc="none" if kind == "earlier forecast" else color,
            capsize=5,
            label=label,
        )
    ax.set(
        xlabel=t._("census year (October)"),
        ylabel=t._("shortage (open + hidden), % of demand"),
        title=t._("Shortage path: simulated baseline and the sources"),
        ylim=(0, None),
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=7, loc="best")
    return _save(fig, path, t)


def _path_year(column: str) -> int:
    return int(column[len(PATH_PREFIX) :])


def plot_closed_form(check: Check, path: Path, t: Translator = EN) -> Path:
    """The closed-form verification: simulated head count and the closed-form path."""
    f = check.series
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.fill_between(f.index, f["low"], f["high"], alpha=0.25, label=t._("closed form ± 4 sd"))
    ax.plot(f.index, f["closed_form"], label=t._("closed form N0 (1 - q)^t"))
    ax.plot(f.index, f["teachers"], "o", ms=4, label=t._("simulated"))
    ax.set(
        xlabel=t._("year"),
        ylabel=t._("teachers"),
        title=t._("Verification: closed-form stock path"),
    )
    ax.legend()
    return _save(fig, path, t)


def _save(fig: Figure, path: Path, t: Translator = EN) -> Path:
    localise_ticks(fig, t)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    return path


# ---------------------------------------------------------------------------------- report
def _fmt_value(t_name: str, v: float, share: bool) -> str:
    if not math.isfinite(v):
        return "n/a"
    return f"{v * 100:.1f}%" if share else f"{v:.2f}"


def reason_for(name: str, reasons: Mapping[str, str]) -> str:
    """The reason recorded for ``name``: the entry with the longest key that starts the name."""
    keys = sorted((k for k in reasons if name.startswith(k)), key=len, reverse=True)
    return reasons[keys[0]] if keys else ""


NOT_AVAILABLE = "not available"


def _observed_cell(t: Target, share: bool) -> str:
    if t.low == t.high:
        return _fmt_value(t.name, t.observed, share)
    if math.isinf(t.high):
        return f"above {_fmt_value(t.name, t.low, share)}"
    return f"{_fmt_value(t.name, t.low, share)}–{_fmt_value(t.name, t.high, share)}"


def report_table(
    summary: pd.DataFrame,
    targets: Sequence[Target] = TARGETS,
    reasons: Mapping[str, str] | None = None,
    held_out: bool = False,
) -> list[str]:
    """Markdown lines of one target table (the rows of ``summary`` whose targets are given).

    Every row has the observed value or range, the simulated median with its 10-90% band, the
    tolerance, whether the median is inside it and, for a miss, the reason recorded in
    ``reasons`` (keyed by a prefix of the target name). A target the runs do not measure (no
    reporter in this model version) says *not available*. With ``held_out`` the table adds why
    each target is held out.
    """
    by_name = {t.name: t for t in targets}
    reasons = reasons or {}
    head = (
        "| target | observed | source | simulated median (10–90%) | tolerance | inside | reason |"
    )
    rule = "|---|---|---|---|---|---|---|"
    if held_out:
        head += " why held out |"
        rule += "---|"
    lines = [head, rule]
    for name, row in summary.iterrows():
        if name not in by_name:
            continue
        t = by_name[name]
        share = _is_share(t)
        obs = _observed_cell(t, share)
        tol = f"±{row['tolerance'] * 100:.1f} pp" if share else f"±{row['tolerance']:.2f}"
        if not row["available"]:
            sim, mark = NOT_AVAILABLE, NOT_AVAILABLE
            cols = ", ".join(f"`{c}`" for c in t.columns) or f"`{name}`"
            reason = f"the model reports no {cols} yet"
        else:
            sim = (
                f"{_fmt_value(name, row['median'], share)} "
                f"({_fmt_value(name, row['p10'], share)}–{_fmt_value(name, row['p90'], share)})"
            )
            mark = "yes" if row["inside"] else "**miss**"
            reason = (
                "" if row["inside"] else (reason_for(name, reasons) or "no reason recorded yet")
            )
        cells = [
            f"{t.label} [`{name}`]; {t.window}",
            obs,
            t.source,
            sim,
            tol,
            mark,
            reason,
            *([t.why] if held_out else []),
        ]
        lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return lines


def _cell(text: str) -> str:
    """Text safe inside a markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def _count_line(summary: pd.DataFrame, what: str) -> str:
    avail = summary[summary["available"]]
    n_na = len(summary) - len(avail)
    text = f"**{what}: {int(avail['inside'].sum())} of {len(avail)} inside their tolerance"
    return text + (f"; {n_na} not available.**" if n_na else ".**")


def build_report(
    summary: pd.DataFrame,
    checks: Sequence[Check],
    charts: Mapping[str, str],
    meta: Mapping[str, Any],
    notes: Sequence[str] = (),
    targets: Sequence[Target] = TARGETS,
    gradient_share: float = math.nan,
    reasons: Mapping[str, str] | None = None,
) -> str:
    """The text of ``report.md``: fitted and held-out targets in separate tables.

    Args:
        summary: Output of :func:`summarise`.
        checks: Verification outcomes.
        charts: Chart title to file name (relative to the report); a chart titled
            "Shortage path" is shown right after the tables.
        meta: Facts about the run: scenario, seeds, command, date, runtime.
        notes: Paragraphs on what the model does or does not reproduce, and why.
        targets: The targets of ``summary``.
        gradient_share: Share of runs with the vmbo > havo > vwo ordering.
        reasons: Reason for a miss, keyed by a prefix of target names.
    """
    fitted = summary[summary["fitted"]]
    held = summary[~summary["fitted"]]
    lines = [
        f"# Validation report: {meta.get('scenario', '?')}",
        "",
        f"Generated by `{meta.get('command', 'experiments/validate.py')}` on {meta.get('date', '?')}; "
        f"{meta.get('replications', '?')} replications (seeds {meta.get('seeds', '?')}, not the "
        f"calibration seeds), policy `isolated`, {meta.get('years', '?')} years from "
        f"{meta.get('start_year', '?')}; {meta.get('runtime', '?')}.",
        "",
        "Targets, sources, the objective and the split into fitted and held-out targets are "
        "described in `docs/calibration.md`. *Fitted* targets are in the calibration objective; "
        "*held-out* targets never are (a test fails if one enters it), so they test the model "
        "out of the fit's sample. *Inside* means the simulated median lies within the tolerance "
        "around the observed value or range; a miss gives its reason. *Not available* means the "
        "model version that made the report has no reporter for the target.",
        "",
        _count_line(fitted, "Fitted targets"),
        "",
        _count_line(held, "Held-out targets"),
        "",
        "## Fitted targets",
        "",
        *report_table(fitted, targets, reasons),
        "",
        "## Held-out targets",
        "",
        *report_table(held, targets, reasons, held_out=True),
        "",
    ]
    if math.isfinite(gradient_share):
        lines += [
            f"Runs with unqualified teaching ordered vmbo > havo > vwo: {gradient_share:.0%}.",
            "",
        ]
    trend = {k: v for k, v in charts.items() if k.startswith("Shortage path")}
    for title, file in trend.items():
        lines += [f"## {title}", "", f"![{title}]({file})", ""]
    if notes:
        lines += ["## What the model does and does not reproduce", ""]
        for note in notes:
            lines += [f"- {note}"]
        lines.append("")
    others = {k: v for k, v in charts.items() if k not in trend}
    if others:
        lines += ["## Charts", ""]
        for title, file in others.items():
            lines += [f"### {title}", "", f"![{title}]({file})", ""]
    if checks:
        lines += [
            "## Verification cases",
            "",
            "| case | set-up | expected | passed | result |",
            "|---|---|---|---|---|",
        ]
        for c in checks:
            cells = [_cell(x) for x in (c.name, c.setup, c.expectation)]
            lines.append(
                f"| {' | '.join(cells)} | {'yes' if c.passed else '**no**'} | {_cell(c.detail)} |"
            )
        lines.append("")
    return "\n".join(lines)


TREND_CHART = "Shortage path 2023-2040: simulated and the sources"


def write_report(
    out_dir: str | Path,
    runs: pd.DataFrame,
    checks: Sequence[Check],
    meta: Mapping[str, Any],
    notes: Sequence[str] = (),
    targets: Sequence[Target] = TARGETS,
    reasons: Mapping[str, str] | None = None,
) -> Path:
    """Draw the charts into ``out_dir`` and write ``out_dir/report.md``; returns its path."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    summary = summarise(runs, targets)
    charts = {TREND_CHART: plot_shortage_trend(runs, out / "shortage_trend.png").name}
    charts["Starter attrition curve"] = plot_attrition(
        runs, out / "attrition_curve.png", targets
    ).name
    charts["Exit from education by age"] = plot_exit_by_age(
        runs, out / "exit_by_age.png", targets
    ).name
    charts["Age pyramid"] = plot_age_pyramid(runs, out / "age_pyramid.png", targets).name
    closed = [c for c in checks if c.name.startswith("closed-form") and not c.series.empty]
    if closed:
        charts["Verification: closed-form stock path"] = plot_closed_form(
            closed[0], out / "verification_closed_form.png"
        ).name
    text = build_report(
        summary, checks, charts, meta, notes, targets, gradient_order_share(runs), reasons
    )
    path = out / "report.md"
    path.write_text(text + "\n", encoding="utf-8")
    return path
