"""Charts of the browser view, drawn with matplotlib from a run's yearly series.

Every function takes one or two named series (``RegionModel.series()``, indexed by year) and
draws on a matplotlib Axes or returns a Figure, so a script can use the same drawings. With two
series (twin mode) the first is drawn dashed and the second solid, in the same colours.
Figures are built with :class:`matplotlib.figure.Figure`, not pyplot, so that rendering for
several browser sessions at once shares no global figure state.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter
from PIL import Image

from sim.model.parameters import SUBJECT_GROUPS
from sim.plots.maps import draw_region_map, school_marker_sizes

Arms = Mapping[str, pd.DataFrame]
"""Series by arm label, in drawing order (one arm, or two in twin mode)."""

MAP_VMAX = 0.2
"""Shortage rate at the top of the map colour scale; fixed so that maps compare over years."""

HIRES = {
    "hires_graduate": "graduates",
    "hires_side_entrant": "side-entrants",
    "hires_mover": "movers (other school)",
    "hires_returner": "returners",
    "hires_inmigrant": "from other regions",
}
EXITS = {
    "exits_retirement": "retirement",
    "exits_left_education": "left education",
    "exits_left_region": "left the region",
}
PIPELINE = {
    "students_intake": "students starting",
    "students_graduated": "students graduating",
    "graduates_seeking": "graduates seeking a job here",
    "side_entrant_applicants": "side-entrant applicants",
    "side_entrants": "side-entrants in training",
    "side_entrant_completions": "side-entrants qualifying",
}
STOCKS = frozenset({"side_entrants"})
"""Columns that are stocks at the census; every other count is a flow over the year before it,
so the first row (the initial census) has no flow and is left out."""

SHORTAGE_COLOURS = {
    "shortage_rate": "#b2182b",
    "open_shortage_rate": "#ef8a62",
    "hidden_shortage_rate": "#67a9cf",
}
ARM_COLOURS = ("#7f7f7f", "#1b7837")


def _styles(arms: Arms) -> list[str]:
    return ["-"] if len(arms) == 1 else ["--", "-"]


def _headroom(ax: Axes) -> None:
    """Start the y axis at 0 and leave the top quarter free for the legend."""
    ax.set_ylim(0, 1.35 * max(ax.get_ylim()[1], 1e-9))


def _years_axis(ax: Axes, years: pd.Index) -> None:
    ax.set_xlim(years[0] - 0.3, max(years[-1], years[0] + 1) + 0.3)
    # few ticks: every tick label costs drawing time on each step
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    ax.grid(alpha=0.3)


def _arm_note(arms: Arms) -> str:
    if len(arms) == 1:
        return ""
    first, second = list(arms)
    return f"dashed: {first}, solid: {second}"


def draw_shortage(ax: Axes, arms: Arms) -> None:
    """Shortage rate (total, open, hidden) in % of demand; demand in fte in the title."""
    labels = {
        "shortage_rate": "shortage (open + hidden)",
        "open_shortage_rate": "open vacancies",
        "hidden_shortage_rate": "hidden (unqualified)",
    }
    for style, s in zip(_styles(arms), arms.values(), strict=True):
        for col, label in labels.items():
            ax.plot(
                s.index,
                100 * s[col],
                style,
                color=SHORTAGE_COLOURS[col],
                marker="o",
                markersize=3,
                label=label if style == "-" else None,
            )
        if len(arms) == 1:
            ax.fill_between(s.index, 0, 100 * s["shortage_rate"], color="#b2182b", alpha=0.08)
    _headroom(ax)
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_ylabel("share of demand")
    first = next(iter(arms.values()))
    ax.legend(loc="upper left", fontsize=7, ncol=2)
    # demand as numbers in the title, not on a second axis: a twin axis costs drawing time
    demand = first["demand_fte"]
    change = demand.iloc[-1] / demand.iloc[0] - 1
    ax.set_title(
        f"Shortage against demand\n(demand {demand.iloc[-1]:,.0f} fte, "
        f"{change:+.1%} since {int(demand.index[0])})",
        fontsize=10,
    )
    _years_axis(ax, first.index)


def draw_counts(ax: Axes, arms: Arms, columns: Mapping[str, str], title: str, ylabel: str) -> None:
    """Yearly counts (hires, exits, pipeline): one colour per column, one line style per arm."""
    colours = [f"C{i}" for i in range(len(columns))]
    for style, s in zip(_styles(arms), arms.values(), strict=True):
        for colour, (col, label) in zip(colours, columns.items(), strict=True):
            part = s[col] if col in STOCKS else s[col].iloc[1:]
            ax.plot(
                part.index,
                part.to_numpy(),
                style,
                color=colour,
                marker="o",
                markersize=3,
                label=label if style == "-" else None,
            )
    if all(col not in STOCKS for col in columns) and len(next(iter(arms.values()))) < 2:
        ax.text(
            0.5,
            0.45,
            "counted from the first year on",
            ha="center",
            transform=ax.transAxes,
            color="0.4",
        )
    _headroom(ax)
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", fontsize=7, ncol=2)
    ax.set_title(title)
    _years_axis(ax, next(iter(arms.values())).index)


def draw_subject_shortage(ax: Axes, arms: Arms) -> None:
    """Shortage per subject group: the latest year per arm as bars, the first year as ticks."""
    x = np.arange(len(SUBJECT_GROUPS))
    cols = [f"shortage_rate_{g}" for g in SUBJECT_GROUPS]
    first = next(iter(arms.values()))
    width = 0.8 / len(arms)
    for i, (arm, s) in enumerate(arms.items()):
        colour = ARM_COLOURS[1] if len(arms) == 1 else ARM_COLOURS[i]
        offset = (i - (len(arms) - 1) / 2) * width
        ax.bar(
            x + offset,
            100 * s[cols].iloc[-1].to_numpy(),
            width,
            color=colour,
            label=arm,
        )
    ax.scatter(
        x,
        100 * first[cols].iloc[0].to_numpy(),
        marker="_",
        s=300,
        color="black",
        zorder=3,
        label=f"{int(first.index[0])}",
    )
    ax.set_xticks(
        x, [g.replace("_", " ") for g in SUBJECT_GROUPS], rotation=25, ha="right", fontsize=8
    )
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_ylim(0, 1.3 * ax.get_ylim()[1])  # headroom for the legend
    ax.set_ylabel("share of demand")
    ax.legend(loc="upper left", fontsize=7, ncol=3)
    ax.set_title(f"Shortage by subject group in {int(first.index[-1])}")
    ax.grid(axis="y", alpha=0.3)


def draw_concentration(ax: Axes, arms: Arms) -> None:
    """Where shortage lands: the worst tenth of schools against the region as a whole."""
    lines = {
        "shortage_rate_worst_decile": ("#762a83", "worst tenth of schools"),
        "shortage_rate": ("#b2182b", "whole region"),
    }
    for style, s in zip(_styles(arms), arms.values(), strict=True):
        for col, (colour, label) in lines.items():
            ax.plot(
                s.index,
                100 * s[col],
                style,
                color=colour,
                marker="o",
                markersize=3,
                label=label if style == "-" else None,
            )
    _headroom(ax)
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_ylabel("share of demand")
    ax.legend(loc="upper left", fontsize=7)
    ax.set_title("Where shortage lands: worst tenth of schools")
    _years_axis(ax, next(iter(arms.values())).index)


def draw_twin_difference(
    ax: Axes, base: pd.DataFrame, other: pd.DataFrame, base_label: str, other_label: str
) -> None:
    """Shortage of ``base`` minus shortage of ``other`` in percentage points, year by year."""
    labels = {
        "shortage_rate": "shortage (open + hidden)",
        "open_shortage_rate": "open",
        "hidden_shortage_rate": "hidden",
    }
    years = base.index.intersection(other.index)
    for col, label in labels.items():
        diff = 100 * (base.loc[years, col] - other.loc[years, col])
        ax.plot(
            years,
            diff,
            color=SHORTAGE_COLOURS[col],
            marker="o",
            markersize=3,
            label=label,
            linewidth=2.2 if col == "shortage_rate" else 1.2,
        )
    total = 100 * (base.loc[years, "shortage_rate"] - other.loc[years, "shortage_rate"])
    ax.fill_between(
        years, 0, total, where=total >= 0, color=ARM_COLOURS[1], alpha=0.15, interpolate=True
    )
    ax.fill_between(years, 0, total, where=total < 0, color="#b2182b", alpha=0.15, interpolate=True)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel("percentage points")
    ax.legend(loc="upper left", fontsize=7)
    last = total.iloc[-1]
    ax.set_title(
        f"Difference: {base_label} minus {other_label}\n"
        f"({int(years[-1])}: {last:+.1f} points of demand)",
        fontsize=10,
    )
    _years_axis(ax, years)


def dashboard_figure(arms: Arms, until: int | None = None) -> Figure:
    """The chart panel of the view: six charts in two rows.

    With two arms the fifth chart is the difference between them (first minus second) and the
    concentration chart is left out. ``until`` fixes the right end of the year axes (the last
    year of the run), so that the lines fill the charts as the run goes on.
    """
    fig = Figure(figsize=(15, 8.4), dpi=72)
    _draw_dashboard(_dashboard_axes(fig), arms, until)
    note = _arm_note(arms)
    if note:
        fig.text(0.01, 0.005, note, fontsize=10, color="0.25")
    return fig


def _dashboard_axes(fig: Figure) -> np.ndarray:
    # fixed margins: a layout engine measures every label again and doubles the drawing time
    return fig.subplots(
        2,
        3,
        gridspec_kw={
            "left": 0.05,
            "right": 0.96,
            "top": 0.93,
            "bottom": 0.09,
            "wspace": 0.36,
            "hspace": 0.32,
        },
    )


def _draw_dashboard(axes: np.ndarray, arms: Arms, until: int | None) -> None:
    draw_shortage(axes[0, 0], arms)
    draw_counts(axes[0, 1], arms, HIRES, "Hires by source", "persons per year")
    draw_counts(axes[0, 2], arms, EXITS, "Exits by reason", "persons per year")
    draw_counts(axes[1, 0], arms, PIPELINE, "Training pipeline and side-entrants", "persons")
    if len(arms) == 2:
        (a, sa), (b, sb) = arms.items()
        draw_twin_difference(axes[1, 1], sa, sb, a, b)
    else:
        draw_concentration(axes[1, 1], arms)
    draw_subject_shortage(axes[1, 2], arms)
    if until is not None:
        for ax in (axes[0, 0], axes[0, 1], axes[0, 2], axes[1, 0], axes[1, 1]):
            ax.set_xlim(right=until + 0.3)


def maps_figure(
    schools: Mapping[str, pd.DataFrame], institutes: pd.DataFrame, titles: Mapping[str, str]
) -> Figure:
    """One region map per arm, side by side, on one colour scale with one colour bar."""
    n = len(schools)
    fig = Figure(figsize=(7.5 * n, 6.2), dpi=72)
    axes = np.atleast_1d(
        fig.subplots(
            1,
            n,
            gridspec_kw={"left": 0.07, "right": 0.88, "top": 0.94, "bottom": 0.1, "wspace": 0.15},
        )
    )
    sc = None
    for ax, (arm, frame) in zip(axes, schools.items(), strict=True):
        sc = draw_region_map(
            ax, frame, institutes, vmax=MAP_VMAX, title=titles[arm], colorbar=False
        )
    cax = fig.add_axes((0.9, 0.15, 0.015, 0.7))
    cb = fig.colorbar(sc, cax=cax, extend="max", ticks=np.linspace(0, MAP_VMAX, 5))
    cb.set_label("shortage at the school (open + hidden, share of its demand)")
    cb.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    fig.text(
        0.01, 0.005, "circle size: pupils; black edge: training school", fontsize=8, color="0.3"
    )
    return fig


class LiveDashboard:
    """The chart panel, redrawn cheaply year after year (blitting).

    The first drawing renders everything and keeps the frame of each chart (axes, ticks,
    labels, legends) as a background image. Later years draw only the data (lines, bars,
    fills, titles) onto that background; a full drawing happens again only when the data
    outgrow an axis. Year axes run to ``until`` from the start, so they stay fixed.

    Args:
        until: Last year of the run (right end of the year axes).
    """

    GROWTH_ROOM = 1.4
    """Extra room on y axes at a full drawing, so that growing lines rarely force another."""

    EARLY_GROWTH_ROOM = 2.0
    """The same in the first years, when a few points say little about the range to come."""

    def __init__(self, until: int) -> None:
        self.until = until
        self.fig: Figure | None = None
        self.full_draws = 0

    def png(self, arms: Arms) -> bytes:
        """The panel for these series as PNG bytes."""
        if self.fig is None or not self._update(arms):
            self._full(arms)
        return _canvas_png(self.fig)

    def _full(self, arms: Arms) -> None:
        self.fig = dashboard_figure(arms, self.until)
        self.axes = list(self.fig.axes)
        years = len(next(iter(arms.values())))
        for ax in self.axes:
            ax.set_axisbelow(True)  # grid and ticks belong to the kept frame, under the data
            lo, hi = ax.get_ylim()
            room = self.GROWTH_ROOM if years >= 4 else self.EARLY_GROWTH_ROOM
            span = (hi - lo) * (room - 1)
            ax.set_ylim(lo - span if lo < 0 else lo, hi + span)
        self.limits = [(ax.get_xlim(), ax.get_ylim()) for ax in self.axes]
        self._animate()
        FigureCanvasAgg(self.fig).draw()
        self.background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        self._blit()
        self.full_draws += 1

    def _update(self, arms: Arms) -> bool:
        """Redraw the data on the kept frame; False when the data no longer fit the axes."""
        for ax in self.axes:
            for container in list(ax.containers):  # bars: else the legend keeps old entries
                container.remove()
            for artist in [*ax.lines, *ax.collections, *ax.patches]:
                artist.remove()
            if ax.legend_ is not None:
                ax.legend_.remove()
            ax.set_autoscale_on(True)
        _draw_dashboard(np.reshape(self.axes, (2, 3)), arms, self.until)
        for ax, (xlim, ylim) in zip(self.axes, self.limits, strict=True):
            lo, hi = ax.get_ylim()
            if lo < ylim[0] - 1e-9 or hi > ylim[1] + 1e-9:
                return False
            ax.set_xlim(xlim)
            ax.set_ylim(ylim)
        self._animate()
        self.fig.canvas.restore_region(self.background)
        self._blit()
        return True

    def _animate(self) -> None:
        for ax in self.axes:
            for artist in _dynamic_artists(ax):
                artist.set_animated(True)

    def _blit(self) -> None:
        for ax in self.axes:
            for artist in _dynamic_artists(ax):
                self.fig.draw_artist(artist)


class LiveMaps:
    """The region maps, redrawn cheaply year after year (blitting).

    Everything but the school markers and the titles is drawn once; later years change the
    markers' colours and sizes and draw them onto that background.

    Args:
        institutes: Training institutes (static).
    """

    def __init__(self, institutes: pd.DataFrame) -> None:
        self.institutes = institutes
        self.fig: Figure | None = None

    def png(self, schools: Mapping[str, pd.DataFrame], titles: Mapping[str, str]) -> bytes:
        """The maps for these school frames as PNG bytes."""
        if self.fig is None:
            self.fig = maps_figure(schools, self.institutes, titles)
            self.map_axes = [ax for ax in self.fig.axes if ax.collections][: len(schools)]
            self.markers = [ax.collections[0] for ax in self.map_axes]
            for ax in self.map_axes:
                for artist in _dynamic_artists(ax):
                    artist.set_animated(True)
            FigureCanvasAgg(self.fig).draw()
            self.background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        else:
            self.fig.canvas.restore_region(self.background)
        for ax, sc, (arm, frame) in zip(self.map_axes, self.markers, schools.items(), strict=True):
            sc.set_array(frame["shortage_rate"].to_numpy())
            sc.set_sizes(school_marker_sizes(frame["pupils"]))
            ax.set_title(titles[arm])
            for artist in _dynamic_artists(ax):
                self.fig.draw_artist(artist)
        return _canvas_png(self.fig)


def _dynamic_artists(ax: Axes) -> list:
    """What is redrawn each year: data, texts, spines, legend and title, in the order and
    z-order in which a full drawing draws them (the rest is kept as the background)."""
    data = {id(a) for a in (*ax.lines, *ax.collections, *ax.patches, *ax.texts)}
    artists = [a for a in ax.get_children() if id(a) in data]
    # spines lie on top of data that touch the axes' edge
    artists += [*ax.spines.values(), ax.title] + ([ax.legend_] if ax.legend_ is not None else [])
    return sorted(artists, key=lambda a: a.get_zorder())


def _canvas_png(fig: Figure) -> bytes:
    """PNG bytes of what the figure's Agg canvas holds now (no new drawing)."""
    buf = fig.canvas.buffer_rgba()
    image = Image.frombuffer("RGBA", (buf.shape[1], buf.shape[0]), buf, "raw", "RGBA", 0, 1)
    out = io.BytesIO()
    # light compression: encoding time matters more than bytes on a local connection
    image.save(out, format="png", compress_level=1)
    return out.getvalue()


def png_bytes(fig: Figure) -> bytes:
    """Render a figure to PNG bytes."""
    buf = io.BytesIO()
    # light compression: encoding time matters more than bytes on a local connection
    fig.savefig(buf, format="png", pil_kwargs={"compress_level": 1})
    return buf.getvalue()
