"""Charts of batch results (matplotlib PNGs), shared by the experiment scripts.

Every chart has a title and axis labels with units, and each policy keeps one colour in every
chart (:func:`policy_colour`). Figures are built with :class:`matplotlib.figure.Figure`, not
pyplot, so no global figure state is created and charts can be drawn from any thread.

Every chart speaks the report's language: it takes the report's :class:`~sim.i18n.Translator`
``t`` (English by default), looks its own texts up in the catalog and writes its tick numbers in
the language's format (:mod:`sim.plots.language`). Titles and labels handed in by the caller are
the caller's to translate.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.batch.analysis import BAND, bands
from sim.batch.uncertainty import DUMMY
from sim.i18n import N_, Translator
from sim.model.parameters import SUBJECT_GROUPS
from sim.model.policies import LEVERS
from sim.plots.language import EN, decimals, localise_ticks, policy_label
from sim.plots.maps import draw_region_map

POLICY_COLOURS: dict[str, str] = {
    "isolated": "#d95f02",
    "collaborative": "#1b9e77",
}
"""The fixed colour of each preset policy."""

DIFFERENCE_COLOUR = "#7570b3"
"""Colour of paired differences (collaborative minus isolated and the like)."""

_LEVER_PALETTE = (
    "#1f77b4",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#9467bd",
    "#2ca02c",
    "#ff7f0e",
    "#7f7f7f",
    "#d62728",
)
LEVER_COLOURS: dict[str, str] = dict(zip(LEVERS, _LEVER_PALETTE, strict=True))
"""A fixed colour per lever, for arms that are one lever or one lever away from a preset."""

HIRE_SOURCES: dict[str, str] = {
    "hires_graduate": N_("graduates"),
    "hires_side_entrant": N_("side-entrants"),
    "hires_returner": N_("returners"),
    "hires_inmigrant": N_("from other regions"),
    "hires_mover": N_("movers within the region"),
}
"""Hire columns and their labels."""

SUBJECT_NAMES: dict[str, str] = {
    "dutch": N_("dutch"),
    "modern_languages": N_("modern languages"),
    "mathematics": N_("mathematics"),
    "sciences": N_("sciences"),
    "technology_computing": N_("technology computing"),
    "social_studies": N_("social studies"),
    "arts_sport": N_("arts sport"),
}
"""The subject groups' names on the charts' axes."""

PCT = 100.0


def band_label(t: Translator = EN, what: str = "band") -> str:
    """Legend title of the median and its 10-90% ``band`` (or ``whiskers``)."""
    low, high = round(BAND[0] * 100), round(BAND[1] * 100)
    if what == "whiskers":
        return t._("median, {low}-{high} whiskers").format(low=low, high=high)
    return t._("median, {low}-{high} band").format(low=low, high=high)


def policy_colour(policy: str) -> str:
    """The colour of a policy: its preset's colour, or its lever's for single-lever arms."""
    name = policy.strip()
    if name in POLICY_COLOURS:
        return POLICY_COLOURS[name]
    if name in LEVER_COLOURS:
        return LEVER_COLOURS[name]
    for sep in ("+", "-"):
        if sep in name:
            base, _, rest = name.partition(sep)
            if rest.strip() in LEVER_COLOURS:
                return LEVER_COLOURS[rest.strip()]
            if base.strip() in POLICY_COLOURS:
                return POLICY_COLOURS[base.strip()]
    return "#555555"


def save(fig: Figure, path: Path, t: Translator = EN) -> Path:
    """Write ``fig`` as a PNG, its tick numbers in the language of ``t``, and return its path."""
    localise_ticks(fig, t)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    return path


def _figure(ncols: int = 1, width: float = 7.5, height: float = 4.2, **kw) -> tuple[Figure, list]:
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False, **kw)[0]
    return fig, list(axes)


def _year_axis(ax, t: Translator) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel(t._("year (census of 1 October)"))


def _time_axes(ax, title: str, ylabel: str, t: Translator) -> None:
    """Title, year axis, label, grid and band legend of a chart over the years."""
    ax.set_title(title)
    _year_axis(ax, t)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(title=band_label(t), fontsize=8, title_fontsize=8)


def _band(
    ax, table: pd.DataFrame, x: str, colour: str, label: str, scale: float, linestyle: str = "-"
) -> None:
    ax.plot(table[x], table["median"] * scale, color=colour, lw=2, label=label, ls=linestyle)
    ax.fill_between(
        table[x], table["low"] * scale, table["high"] * scale, color=colour, alpha=0.18, lw=0
    )


def time_bands(
    series: pd.DataFrame,
    value: str,
    arms: Sequence[str],
    path: Path,
    *,
    title: str,
    ylabel: str,
    scale: float = PCT,
    labels: dict[str, str] | None = None,
    colours: dict[str, str] | None = None,
    t: Translator = EN,
) -> Path:
    """Median and 10-90% band of ``value`` over the years, one line per arm (named by
    ``labels``, else by its policy's name in the language of ``t``; coloured by policy unless
    ``colours`` names a colour per arm)."""
    fig, (ax,) = _figure()
    table = bands(series[series["arm"].isin(arms)], value, ["arm", "year"])
    for arm in arms:
        _band(
            ax,
            table[table["arm"] == arm],
            "year",
            (colours or {}).get(arm) or policy_colour(arm),
            (labels or {}).get(arm, policy_label(arm, t)),
            scale,
        )
    _time_axes(ax, title, ylabel, t)
    return save(fig, path, t)


def paired_difference(
    diff: pd.DataFrame,
    path: Path,
    *,
    title: str,
    ylabel: str,
    scale: float = PCT,
    label: str = "",
    t: Translator = EN,
) -> Path:
    """Median and 10-90% band of a per-seed paired difference over the years."""
    fig, (ax,) = _figure()
    table = bands(diff, "difference", ["year"])
    _band(ax, table, "year", DIFFERENCE_COLOUR, label or t._("paired difference"), scale)
    ax.axhline(0, color="black", lw=0.8)
    _time_axes(ax, title, ylabel, t)
    return save(fig, path, t)


def open_hidden(
    series: pd.DataFrame, arms: Sequence[str], path: Path, *, t: Translator = EN
) -> Path:
    """Open (vacancies) and hidden (unqualified) shortage over the years, per arm."""
    fig, axes = _figure(2, width=11, sharey=True)
    for ax, col, what in zip(
        axes,
        ("open_shortage_rate", "hidden_shortage_rate"),
        (
            t._("Open shortage (unfilled vacancies)"),
            t._("Hidden shortage (taught without the qualification)"),
        ),
        strict=True,
    ):
        table = bands(series[series["arm"].isin(arms)], col, ["arm", "year"])
        for arm in arms:
            _band(
                ax,
                table[table["arm"] == arm],
                "year",
                policy_colour(arm),
                policy_label(arm, t),
                PCT,
            )
        ax.set_title(what)
        _year_axis(ax, t)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(t._("share of lesson demand (%)"))
    axes[0].legend(title=band_label(t), fontsize=8, title_fontsize=8)
    fig.suptitle(t._("Open versus hidden shortage"))
    return save(fig, path, t)


def _grouped_bars(
    ax,
    table: pd.DataFrame,
    categories: Sequence[str],
    arms: Sequence[str],
    scale: float,
    labels: Sequence[str],
    t: Translator,
) -> None:
    """Bars of medians with 10-90% whiskers; ``table`` has arm, category, median, low, high."""
    width = 0.8 / len(arms)
    x = np.arange(len(categories))
    for i, arm in enumerate(arms):
        part = table[table["arm"] == arm].set_index("category").reindex(categories)
        med = part["median"].to_numpy() * scale
        err = np.vstack(
            [med - part["low"].to_numpy() * scale, part["high"].to_numpy() * scale - med]
        )
        ax.bar(
            x + (i - (len(arms) - 1) / 2) * width,
            med,
            width,
            yerr=err,
            capsize=2,
            color=policy_colour(arm),
            label=policy_label(arm, t),
            error_kw={"lw": 0.8},
        )
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.grid(axis="y", alpha=0.3)


def subject_groups(
    end: pd.DataFrame, arms: Sequence[str], path: Path, *, year: int, t: Translator = EN
) -> Path:
    """End-state shortage rate per subject group, per arm (median, 10-90% whiskers)."""
    cols = [f"shortage_rate_{g}" for g in SUBJECT_GROUPS]
    long = end[end["arm"].isin(arms)].melt(
        id_vars=["arm"], value_vars=cols, var_name="category", value_name="value"
    )
    table = bands(long, "value", ["arm", "category"])
    fig, (ax,) = _figure(width=9)
    names = [t._(SUBJECT_NAMES[g]) for g in SUBJECT_GROUPS]
    _grouped_bars(ax, table, cols, arms, PCT, names, t)
    ax.set_title(t._("Shortage by subject group in {year}").format(year=year))
    ax.set_xlabel(t._("subject group"))
    ax.set_ylabel(t._("open + hidden shortage (% of demand)"))
    ax.legend(title=band_label(t, "whiskers"), fontsize=8, title_fontsize=8)
    return save(fig, path, t)


def school_spread(
    schools: pd.DataFrame,
    series: pd.DataFrame,
    arms: Sequence[str],
    path: Path,
    *,
    year: int,
    t: Translator = EN,
) -> Path:
    """Spread of shortage across schools: end-state distribution and Gini over the years."""
    fig, (left, right) = _figure(2, width=11)
    edges = np.linspace(0, max(0.3, float(schools["shortage_rate"].quantile(0.995))), 31)
    for arm in arms:
        rates = schools.loc[schools["arm"] == arm, "shortage_rate"].clip(upper=edges[-1])
        weights = np.full(len(rates), 100.0 / max(len(rates), 1))
        left.hist(
            rates * PCT,
            bins=edges * PCT,
            weights=weights,
            histtype="step",
            lw=2,
            color=policy_colour(arm),
            label=policy_label(arm, t),
        )
    left.set_title(t._("Schools' shortage in {year} (all replications)").format(year=year))
    left.set_xlabel(t._("school's open + hidden shortage (% of its demand)"))
    left.set_ylabel(t._("share of school sites (%)"))
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    table = bands(series[series["arm"].isin(arms)], "shortage_gini", ["arm", "year"])
    for arm in arms:
        _band(
            right, table[table["arm"] == arm], "year", policy_colour(arm), policy_label(arm, t), 1.0
        )
    right.set_title(t._("Inequality of shortage across schools"))
    _year_axis(right, t)
    right.set_ylabel(t._("Gini of school shortage rates (0-1)"))
    right.legend(title=band_label(t), fontsize=8, title_fontsize=8)
    right.grid(alpha=0.3)
    fig.suptitle(t._("Where the shortage lands"))
    return save(fig, path, t)


def region_maps(
    frames: dict[str, pd.DataFrame],
    institutes: pd.DataFrame | None,
    path: Path,
    *,
    year: int,
    vmax: float = 0.2,
    t: Translator = EN,
) -> Path:
    """One region map per arm, schools coloured by their median end-state shortage."""
    fig, axes = _figure(len(frames), width=5.2 * len(frames), height=5.2)
    sc = None
    for ax, (arm, frame) in zip(axes, frames.items(), strict=True):
        sc = draw_region_map(ax, frame, institutes, vmax=vmax, colorbar=False, t=t)
        ax.set_title(policy_label(arm, t), color=policy_colour(arm), fontweight="bold")
    if sc is not None:
        cb = fig.colorbar(sc, ax=axes, shrink=0.8)
        cb.set_label(t._("school's median shortage (share of demand)"))
    fig.suptitle(
        t._(
            "Shortage per school site in {year} (dot size = pupils; black edge = training "
            "school; colours capped at {cap})"
        ).format(year=year, cap=t.pct(vmax, 0))
    )
    return save(fig, path, t)


def hires_by_source(
    totals: pd.DataFrame, arms: Sequence[str], path: Path, *, years: int, t: Translator = EN
) -> Path:
    """Hires per source over the horizon, per arm (median, 10-90% whiskers)."""
    long = totals[totals["arm"].isin(arms)].melt(
        id_vars=["arm"], value_vars=list(HIRE_SOURCES), var_name="category", value_name="value"
    )
    table = bands(long, "value", ["arm", "category"])
    fig, (ax,) = _figure(width=9)
    names = [t._(label) for label in HIRE_SOURCES.values()]
    _grouped_bars(ax, table, list(HIRE_SOURCES), arms, 1.0, names, t)
    ax.set_title(t._("Hires by source over {years} years").format(years=years))
    ax.set_xlabel(t._("source of the hire"))
    ax.set_ylabel(t._("persons hired in {years} years").format(years=years))
    ax.legend(title=band_label(t, "whiskers"), fontsize=8, title_fontsize=8)
    return save(fig, path, t)


def effects(
    table: pd.DataFrame,
    path: Path,
    *,
    title: str,
    xlabel: str,
    colour_by: str = "colour",
    group_by: str | None = None,
    t: Translator = EN,
) -> Path:
    """Horizontal dot chart of effects with 95% intervals.

    Args:
        table: Rows with ``label``, ``mean``, ``low``, ``high`` and a ``colour`` column
            (optionally a ``group`` column drawn as separate panels).
        path: Output PNG.
        title: Chart title.
        xlabel: Axis label with unit.
        colour_by: Column holding each row's colour.
        group_by: Column whose values become side-by-side panels (their titles, looked up in
            the catalog).
        t: The report's language.
    """
    groups = list(dict.fromkeys(table[group_by])) if group_by else [None]
    height = 1.2 + 0.38 * max(len(table[table[group_by] == g]) if g else len(table) for g in groups)
    fig, axes = _figure(len(groups), width=5.5 * len(groups), height=height, sharex=True)
    for ax, g in zip(axes, groups, strict=True):
        part = table if g is None else table[table[group_by] == g]
        y = np.arange(len(part))[::-1]
        ax.errorbar(
            part["mean"],
            y,
            xerr=[part["mean"] - part["low"], part["high"] - part["mean"]],
            fmt="none",
            ecolor="0.4",
            capsize=3,
            lw=1,
        )
        ax.scatter(part["mean"], y, c=list(part[colour_by]), s=60, zorder=3, edgecolors="black")
        ax.set_yticks(y, list(part["label"]))
        ax.axvline(0, color="black", lw=0.8)
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlabel(xlabel)
        if g is not None:
            ax.set_title(t._(str(g)), fontsize=10)
    fig.suptitle(title)
    return save(fig, path, t)


def heatmap(
    values: pd.DataFrame,
    path: Path,
    *,
    title: str,
    colour_label: str,
    annotations: pd.DataFrame | None = None,
    cmap: str = "Greens",
    t: Translator = EN,
) -> Path:
    """A labelled heat map of ``values`` (rows x columns), with optional text per cell (by
    default the value with two decimals in the language of ``t``)."""
    fig, (ax,) = _figure(width=2.2 + 1.9 * values.shape[1], height=1.6 + 0.75 * values.shape[0])
    im = ax.imshow(values.to_numpy(dtype=float), cmap=cmap, aspect="auto")
    ax.set_xticks(range(values.shape[1]), list(values.columns))
    ax.set_yticks(range(values.shape[0]), list(values.index))
    text = annotations if annotations is not None else values.map(lambda v: decimals(v, 2, t))
    lo, hi = np.nanmin(values.to_numpy()), np.nanmax(values.to_numpy())
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values.iat[i, j]
            dark = hi > lo and (v - lo) / (hi - lo) > 0.6
            ax.text(
                j,
                i,
                text.iat[i, j],
                ha="center",
                va="center",
                fontsize=8,
                color="white" if dark else "black",
            )
    cb = fig.colorbar(im, ax=ax, shrink=0.9)
    cb.set_label(colour_label)
    ax.set_xlabel(values.columns.name or "")
    ax.set_ylabel(values.index.name or "")
    ax.set_title(title)
    return save(fig, path, t)


def morris(
    indices: dict[str, pd.DataFrame],
    path: Path,
    *,
    labels: dict[str, str],
    top: int = 8,
    t: Translator = EN,
) -> Path:
    """Morris mu* against sigma per outcome; the ``top`` parameters by mu* are named."""
    fig, axes = _figure(len(indices), width=6.2 * len(indices), height=5.2)
    for ax, (outcome, table) in zip(axes, indices.items(), strict=True):
        ax.scatter(
            table["mu_star"],
            table["sigma"],
            s=40,
            color=DIFFERENCE_COLOUR,
            edgecolors="black",
            zorder=3,
        )
        for row in table.nlargest(top, "mu_star").itertuples():
            ax.annotate(
                row.parameter,
                (row.mu_star, row.sigma),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=7,
            )
        lim = max(table["mu_star"].max(), table["sigma"].max()) * 1.1 or 1.0
        ax.plot(
            [0, lim],
            [0, lim],
            color="0.6",
            lw=0.8,
            ls="--",
            label=t._("sigma = mu* (interaction or non-linearity as large as the effect)"),
        )
        ax.set_xlim(0, lim)
        ax.set_ylim(0, lim)
        ax.set_title(labels.get(outcome, outcome), fontsize=10)
        ax.set_xlabel(t._("mu* (mean absolute elementary effect, percentage points)"))
        ax.set_ylabel(t._("sigma (spread of elementary effects, percentage points)"))
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(t._("Morris screening: which uncertain parameters move the outcome"))
    return save(fig, path, t)


def cost_effect(
    table: pd.DataFrame, path: Path, *, title: str, xlabel: str, ylabel: str, t: Translator = EN
) -> Path:
    """Cost against effect per lever, one panel per direction, with lines of equal
    cost-effectiveness (intervals are left to :func:`effects`, to keep the labels readable).

    Args:
        table: Rows with ``label``, ``cost_meur``, ``mean``, ``colour`` and ``direction``
            (the panels' titles, looked up in the catalog).
        path: Output PNG.
        title: Chart title.
        xlabel: Cost axis label with unit.
        ylabel: Effect axis label with unit.
        t: The report's language.
    """
    groups = list(dict.fromkeys(table["direction"]))
    fig, axes = _figure(len(groups), width=6 * len(groups), height=5, sharex=True, sharey=True)
    xmax = max(float(table["cost_meur"].max()), 1e-3) * 1.2
    # a cost below zero (a lever that saves staff wages) stays on the chart
    xmin = min(-0.03 * xmax, 1.2 * float(table["cost_meur"].min()))
    lo = min(0.0, float(table["mean"].min()))
    hi = max(float(table["mean"].max()), 1e-3)
    positive = table[(table["cost_meur"] > 0) & (table["mean"] > 0)]
    ratios = (
        np.quantile(positive["mean"] / positive["cost_meur"], [0.25, 0.75]) if len(positive) else []
    )
    for ax, group in zip(axes, groups, strict=True):
        part = table[table["direction"] == group]
        ax.scatter(
            part["cost_meur"],
            part["mean"],
            c=list(part["colour"]),
            s=70,
            edgecolors="black",
            zorder=3,
        )
        for row in part.itertuples():
            ax.annotate(
                row.label,
                (row.cost_meur, row.mean),
                xytext=(5, 4),
                textcoords="offset points",
                fontsize=7,
            )
        for ratio in ratios:
            ax.plot([0, xmax], [0, ratio * xmax], color="0.7", ls="--", lw=0.8, zorder=0)
            x_end = min(xmax, 1.15 * hi / ratio)  # where the line leaves the panel
            ax.annotate(
                t._("{ratio} per MEUR").format(ratio=t.num(ratio)),
                (x_end, ratio * x_end),
                fontsize=7,
                color="0.4",
                ha="right",
                va="bottom",
            )
        ax.axhline(0, color="black", lw=0.8)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlim(xmin, xmax)
        ax.set_ylim(lo - 0.1 * abs(hi), hi * 1.2)
        ax.set_title(t._(group), fontsize=10)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(ylabel)
    fig.suptitle(title)
    return save(fig, path, t)


def dots_by_policy(
    table: pd.DataFrame, path: Path, *, title: str, xlabel: str, t: Translator = EN
) -> Path:
    """One row per label, one dot with a 95% interval per policy (offset slightly).

    Args:
        table: Rows with ``label``, ``policy``, ``mean``, ``low`` and ``high``.
        path: Output PNG.
        title: Chart title.
        xlabel: Axis label with unit.
        t: The report's language (the policies' names in the legend).
    """
    labels = list(dict.fromkeys(table["label"]))
    policies = list(dict.fromkeys(table["policy"]))
    fig, (ax,) = _figure(width=8.5, height=1.3 + 0.45 * len(labels))
    y0 = np.arange(len(labels))[::-1]
    for k, pol in enumerate(policies):
        part = table[table["policy"] == pol].set_index("label").reindex(labels)
        y = y0 + (k - (len(policies) - 1) / 2) * 0.22
        ax.errorbar(
            part["mean"],
            y,
            xerr=[part["mean"] - part["low"], part["high"] - part["mean"]],
            fmt="o",
            color=policy_colour(pol),
            mec="black",
            ms=7,
            capsize=2,
            lw=1,
            label=policy_label(pol, t),
        )
    ax.set_yticks(y0, labels)
    ax.set_xlabel(xlabel)
    ax.set_xlim(left=min(0.0, float(table["low"].min())))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, title=t._("mean, 95% interval"), title_fontsize=8)
    ax.set_title(title)
    return save(fig, path, t)


def effect_distribution(
    per_draw: pd.Series,
    path: Path,
    *,
    title: str,
    xlabel: str,
    thresholds: Sequence[float] = (),
    t: Translator = EN,
) -> Path:
    """Histogram of an effect over parameter draws, with zero and the stated thresholds."""
    fig, (ax,) = _figure()
    ax.hist(per_draw.to_numpy(), bins=max(8, min(40, len(per_draw) // 4)), color="#4c72b0")
    ax.axvline(0.0, color="black", lw=1)
    for x in thresholds:
        ax.axvline(x, color="#c44e52", lw=1, ls="--")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(t._("parameter draws"))
    return save(fig, path, t)


def sensitivity_bars(table: pd.DataFrame, path: Path, *, title: str, t: Translator = EN) -> Path:
    """RBD-FAST first-order indices with their confidence, the dummy factor in grey."""
    fig, (ax,) = _figure(height=0.35 * len(table) + 1.5)
    rows = table.iloc[::-1]
    colours = ["#999999" if "dummy" in a else "#4c72b0" for a in rows["assumption"]]
    names = [t._(a) if a == DUMMY else a for a in rows["assumption"]]
    ax.barh(names, rows["S1"], xerr=rows["S1_conf"], color=colours)
    ax.set_title(title)
    ax.set_xlabel(t._("first-order index S1 (RBD-FAST), share of the effect's variance"))
    return save(fig, path, t)
