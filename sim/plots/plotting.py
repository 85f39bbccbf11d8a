"""Charts of batch results (matplotlib PNGs), shared by the experiment scripts.

Every chart has a title and axis labels with units, and each policy keeps one colour in every
chart (:func:`policy_colour`). Figures are built with :class:`matplotlib.figure.Figure`, not
pyplot, so no global figure state is created and charts can be drawn from any thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from sim.batch.analysis import BAND, bands
from sim.model.parameters import SUBJECT_GROUPS
from sim.model.policies import LEVERS
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
    "hires_graduate": "graduates",
    "hires_side_entrant": "side-entrants",
    "hires_returner": "returners",
    "hires_inmigrant": "from other regions",
    "hires_mover": "movers within the region",
}
"""Hire columns and their labels."""

PCT = 100.0
BAND_LABEL = f"median, {BAND[0]:.0%}-{BAND[1]:.0%} band".replace("%", "")


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


def save(fig: Figure, path: Path) -> Path:
    """Write ``fig`` as a PNG and return its path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    return path


def _figure(ncols: int = 1, width: float = 7.5, height: float = 4.2, **kw) -> tuple[Figure, list]:
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, ncols, squeeze=False, **kw)[0]
    return fig, list(axes)


def _year_axis(ax) -> None:
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("year (census of 1 October)")


def _time_axes(ax, title: str, ylabel: str) -> None:
    """Title, year axis, label, grid and band legend of a chart over the years."""
    ax.set_title(title)
    _year_axis(ax)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    ax.legend(title=BAND_LABEL, fontsize=8, title_fontsize=8)


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
) -> Path:
    """Median and 10-90% band of ``value`` over the years, one line per arm (coloured by
    policy unless ``colours`` names a colour per arm)."""
    fig, (ax,) = _figure()
    table = bands(series[series["arm"].isin(arms)], value, ["arm", "year"])
    for arm in arms:
        _band(
            ax,
            table[table["arm"] == arm],
            "year",
            (colours or {}).get(arm) or policy_colour(arm),
            (labels or {}).get(arm, arm),
            scale,
        )
    _time_axes(ax, title, ylabel)
    return save(fig, path)


def paired_difference(
    diff: pd.DataFrame, path: Path, *, title: str, ylabel: str, scale: float = PCT, label: str = ""
) -> Path:
    """Median and 10-90% band of a per-seed paired difference over the years."""
    fig, (ax,) = _figure()
    table = bands(diff, "difference", ["year"])
    _band(ax, table, "year", DIFFERENCE_COLOUR, label or "paired difference", scale)
    ax.axhline(0, color="black", lw=0.8)
    _time_axes(ax, title, ylabel)
    return save(fig, path)


def open_hidden(series: pd.DataFrame, arms: Sequence[str], path: Path) -> Path:
    """Open (vacancies) and hidden (unqualified) shortage over the years, per arm."""
    fig, axes = _figure(2, width=11, sharey=True)
    for ax, col, what in zip(
        axes,
        ("open_shortage_rate", "hidden_shortage_rate"),
        (
            "Open shortage (unfilled vacancies)",
            "Hidden shortage (taught without the qualification)",
        ),
        strict=True,
    ):
        table = bands(series[series["arm"].isin(arms)], col, ["arm", "year"])
        for arm in arms:
            _band(ax, table[table["arm"] == arm], "year", policy_colour(arm), arm, PCT)
        ax.set_title(what)
        _year_axis(ax)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of lesson demand (%)")
    axes[0].legend(title=BAND_LABEL, fontsize=8, title_fontsize=8)
    fig.suptitle("Open versus hidden shortage")
    return save(fig, path)


def _grouped_bars(
    ax,
    table: pd.DataFrame,
    categories: Sequence[str],
    arms: Sequence[str],
    scale: float,
    labels: Sequence[str],
) -> None:
    """Bars of medians with 10-90% whiskers; ``table`` has arm, category, median, low, high."""
    width = 0.8 / len(arms)
    x = np.arange(len(categories))
    for i, arm in enumerate(arms):
        t = table[table["arm"] == arm].set_index("category").reindex(categories)
        med = t["median"].to_numpy() * scale
        err = np.vstack([med - t["low"].to_numpy() * scale, t["high"].to_numpy() * scale - med])
        ax.bar(
            x + (i - (len(arms) - 1) / 2) * width,
            med,
            width,
            yerr=err,
            capsize=2,
            color=policy_colour(arm),
            label=arm,
            error_kw={"lw": 0.8},
        )
    ax.set_xticks(x, labels, rotation=20, ha="right")
    ax.grid(axis="y", alpha=0.3)


def subject_groups(end: pd.DataFrame, arms: Sequence[str], path: Path, *, year: int) -> Path:
    """End-state shortage rate per subject group, per arm (median, 10-90% whiskers)."""
    cols = [f"shortage_rate_{g}" for g in SUBJECT_GROUPS]
    long = end[end["arm"].isin(arms)].melt(
        id_vars=["arm"], value_vars=cols, var_name="category", value_name="value"
    )
    table = bands(long, "value", ["arm", "category"])
    fig, (ax,) = _figure(width=9)
    _grouped_bars(ax, table, cols, arms, PCT, [g.replace("_", " ") for g in SUBJECT_GROUPS])
    ax.set_title(f"Shortage by subject group in {year}")
    ax.set_xlabel("subject group")
    ax.set_ylabel("open + hidden shortage (% of demand)")
    ax.legend(title=BAND_LABEL.replace("band", "whiskers"), fontsize=8, title_fontsize=8)
    return save(fig, path)


def school_spread(
    schools: pd.DataFrame, series: pd.DataFrame, arms: Sequence[str], path: Path, *, year: int
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
            label=arm,
        )
    left.set_title(f"Schools' shortage in {year} (all replications)")
    left.set_xlabel("school's open + hidden shortage (% of its demand)")
    left.set_ylabel("share of school sites (%)")
    left.legend(fontsize=8)
    left.grid(alpha=0.3)
    table = bands(series[series["arm"].isin(arms)], "shortage_gini", ["arm", "year"])
    for arm in arms:
        _band(right, table[table["arm"] == arm], "year", policy_colour(arm), arm, 1.0)
    right.set_title("Inequality of shortage across schools")
    _year_axis(right)
    right.set_ylabel("Gini of school shortage rates (0-1)")
    right.legend(title=BAND_LABEL, fontsize=8, title_fontsize=8)
    right.grid(alpha=0.3)
    fig.suptitle("Where the shortage lands")
    return save(fig, path)


def region_maps(
    frames: dict[str, pd.DataFrame],
    institutes: pd.DataFrame | None,
    path: Path,
    *,
    year: int,
    vmax: float = 0.2,
) -> Path:
    """One region map per arm, schools coloured by their median end-state shortage."""
    fig, axes = _figure(len(frames), width=5.2 * len(frames), height=5.2)
    sc = None
    for ax, (arm, frame) in zip(axes, frames.items(), strict=True):
        sc = draw_region_map(ax, frame, institutes, vmax=vmax, colorbar=False)
        ax.set_title(arm, color=policy_colour(arm), fontweight="bold")
    if sc is not None:
        cb = fig.colorbar(sc, ax=axes, shrink=0.8)
        cb.set_label("school's median shortage (share of demand)")
    fig.suptitle(
        f"Shortage per school site in {year} (dot size = pupils; black edge = training "
        f"school; colours capped at {vmax:.0%})"
    )
    return save(fig, path)


def hires_by_source(totals: pd.DataFrame, arms: Sequence[str], path: Path, *, years: int) -> Path:
    """Hires per source over the horizon, per arm (median, 10-90% whiskers)."""
    long = totals[totals["arm"].isin(arms)].melt(
        id_vars=["arm"], value_vars=list(HIRE_SOURCES), var_name="category", value_name="value"
    )
    table = bands(long, "value", ["arm", "category"])
    fig, (ax,) = _figure(width=9)
    _grouped_bars(ax, table, list(HIRE_SOURCES), arms, 1.0, list(HIRE_SOURCES.values()))
    ax.set_title(f"Hires by source over {years} years")
    ax.set_xlabel("source of the hire")
    ax.set_ylabel(f"persons hired in {years} years")
    ax.legend(title=BAND_LABEL.replace("band", "whiskers"), fontsize=8, title_fontsize=8)
    return save(fig, path)


def effects(
    table: pd.DataFrame,
    path: Path,
    *,
    title: str,
    xlabel: str,
    colour_by: str = "colour",
    group_by: str | None = None,
) -> Path:
    """Horizontal dot chart of effects with 95% intervals.

    Args:
        table: Rows with ``label``, ``mean``, ``low``, ``high`` and a ``colour`` column
            (optionally a ``group`` column drawn as separate panels).
        path: Output PNG.
        title: Chart title.
        xlabel: Axis label with unit.
        colour_by: Column holding each row's colour.
        group_by: Column whose values become side-by-side panels.
    """
    groups = list(dict.fromkeys(table[group_by])) if group_by else [None]
    height = 1.2 + 0.38 * max(len(table[table[group_by] == g]) if g else len(table) for g in groups)
    fig, axes = _figure(len(groups), width=5.5 * len(groups), height=height, sharex=True)
    for ax, g in zip(axes, groups, strict=True):
        t = table if g is None else table[table[group_by] == g]
        y = np.arange(len(t))[::-1]
        ax.errorbar(
            t["mean"],
            y,
            xerr=[t["mean"] - t["low"], t["high"] - t["mean"]],
            fmt="none",
            ecolor="0.4",
            capsize=3,
            lw=1,
        )
        ax.scatter(t["mean"], y, c=list(t[colour_by]), s=60, zorder=3, edgecolors="black")
        ax.set_yticks(y, list(t["label"]))
        ax.axvline(0, color="black", lw=0.8)
        ax.grid(axis="x", alpha=0.3)
        ax.set_xlabel(xlabel)
        if g is not None:
            ax.set_title(str(g), fontsize=10)
    fig.suptitle(title)
    return save(fig, path)


def heatmap(
    values: pd.DataFrame,
    path: Path,
    *,
    title: str,
    colour_label: str,
    annotations: pd.DataFrame | None = None,
    cmap: str = "Greens",
) -> Path:
    """A labelled heat map of ``values`` (rows x columns), with optional text per cell."""
    fig, (ax,) = _figure(width=2.2 + 1.9 * values.shape[1], height=1.6 + 0.75 * values.shape[0])
    im = ax.imshow(values.to_numpy(dtype=float), cmap=cmap, aspect="auto")
    ax.set_xticks(range(values.shape[1]), list(values.columns))
    ax.set_yticks(range(values.shape[0]), list(values.index))
    text = annotations if annotations is not None else values.map(lambda v: f"{v:.2f}")
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
    return save(fig, path)


def morris(
    indices: dict[str, pd.DataFrame], path: Path, *, labels: dict[str, str], top: int = 8
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
            label="sigma = mu* (interaction or non-linearity as large as the effect)",
        )
        ax.set_xlim(0, lim)
        ax.set_ylim(0, lim)
        ax.set_title(labels.get(outcome, outcome), fontsize=10)
        ax.set_xlabel("mu* (mean absolute elementary effect, percentage points)")
        ax.set_ylabel("sigma (spread of elementary effects, percentage points)")
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("Morris screening: which uncertain parameters move the outcome")
    return save(fig, path)


def cost_effect(table: pd.DataFrame, path: Path, *, title: str, xlabel: str, ylabel: str) -> Path:
    """Cost against effect per lever, one panel per direction, with lines of equal
    cost-effectiveness (intervals are left to :func:`effects`, to keep the labels readable).

    Args:
        table: Rows with ``label``, ``cost_meur``, ``mean``, ``colour`` and ``direction``.
        path: Output PNG.
        title: Chart title.
        xlabel: Cost axis label with unit.
        ylabel: Effect axis label with unit.
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
        t = table[table["direction"] == group]
        ax.scatter(
            t["cost_meur"], t["mean"], c=list(t["colour"]), s=70, edgecolors="black", zorder=3
        )
        for row in t.itertuples():
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
                f"{ratio:,.0f} per MEUR",
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
        ax.set_title(group, fontsize=10)
        ax.set_xlabel(xlabel)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(ylabel)
    fig.suptitle(title)
    return save(fig, path)


def dots_by_policy(table: pd.DataFrame, path: Path, *, title: str, xlabel: str) -> Path:
    """One row per label, one dot with a 95% interval per policy (offset slightly).

    Args:
        table: Rows with ``label``, ``policy``, ``mean``, ``low`` and ``high``.
        path: Output PNG.
        title: Chart title.
        xlabel: Axis label with unit.
    """
    labels = list(dict.fromkeys(table["label"]))
    policies = list(dict.fromkeys(table["policy"]))
    fig, (ax,) = _figure(width=8.5, height=1.3 + 0.45 * len(labels))
    y0 = np.arange(len(labels))[::-1]
    for k, pol in enumerate(policies):
        t = table[table["policy"] == pol].set_index("label").reindex(labels)
        y = y0 + (k - (len(policies) - 1) / 2) * 0.22
        ax.errorbar(
            t["mean"],
            y,
            xerr=[t["mean"] - t["low"], t["high"] - t["mean"]],
            fmt="o",
            color=policy_colour(pol),
            mec="black",
            ms=7,
            capsize=2,
            lw=1,
            label=pol,
        )
    ax.set_yticks(y0, labels)
    ax.set_xlabel(xlabel)
    ax.set_xlim(left=min(0.0, float(table["low"].min())))
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, title="mean, 95% interval", title_fontsize=8)
    ax.set_title(title)
    return save(fig, path)


def effect_distribution(
    per_draw: pd.Series,
    path: Path,
    *,
    title: str,
    xlabel: str,
    thresholds: Sequence[float] = (),
) -> Path:
    """Histogram of an effect over parameter draws, with zero and the stated thresholds."""
    fig, (ax,) = _figure()
    ax.hist(per_draw.to_numpy(), bins=max(8, min(40, len(per_draw) // 4)), color="#4c72b0")
    ax.axvline(0.0, color="black", lw=1)
    for t in thresholds:
        ax.axvline(t, color="#c44e52", lw=1, ls="--")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("parameter draws")
    return save(fig, path)


def sensitivity_bars(table: pd.DataFrame, path: Path, *, title: str) -> Path:
    """RBD-FAST first-order indices with their confidence, the dummy factor in grey."""
    fig, (ax,) = _figure(height=0.35 * len(table) + 1.5)
    rows = table.iloc[::-1]
    colours = ["#999999" if "dummy" in a else "#4c72b0" for a in rows["assumption"]]
    ax.barh(rows["assumption"], rows["S1"], xerr=rows["S1_conf"], color=colours)
    ax.set_title(title)
    ax.set_xlabel("first-order index S1 (RBD-FAST), share of the effect's variance")
    return save(fig, path)
