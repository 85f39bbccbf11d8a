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
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator, PercentFormatter
from PIL import Image

from sim.i18n import N_, Translator
from sim.model.parameters import SUBJECT_GROUPS
from sim.plots.language import localise_ticks
from sim.plots.maps import draw_region_map, school_marker_sizes

Arms = Mapping[str, pd.DataFrame]
"""Series by arm label, in drawing order (one arm, or two in twin mode)."""

EN = Translator("en")

MAP_VMAX = 0.2
"""Shortage rate at the top of the map colour scale; fixed so that maps compare over years."""

HIRES = {
    "hires_graduate": N_("graduates"),
    "hires_side_entrant": N_("side-entrants"),
    "hires_mover": N_("movers (other school)"),
    "hires_returner": N_("returners"),
    "hires_inmigrant": N_("from other regions"),
}
EXITS = {
    "exits_retirement": N_("retirement"),
    "exits_left_education": N_("left education"),
    "exits_left_region": N_("left the region"),
}
PIPELINE = {
    "students_intake": N_("students starting"),
    "students_graduated": N_("students graduating"),
    "graduates_seeking": N_("graduates seeking a job here"),
    "side_entrant_applicants": N_("side-entrant applicants"),
    "side_entrants": N_("side-entrants in training"),
    "side_entrant_completions": N_("side-entrants qualifying"),
}
SUBJECT_LABELS = {
    "dutch": N_("Dutch"),
    "modern_languages": N_("modern languages"),
    "mathematics": N_("mathematics"),
    "sciences": N_("sciences"),
    "technology_computing": N_("technology, computing"),
    "social_studies": N_("social studies"),
    "arts_sport": N_("arts, sport"),
}
LEGEND_FONTSIZE = 10
"""Legend text in points; the chart panel is sized so that it shows at about this size."""
DASHBOARD_SIZE = (10.0, 11.0)
"""Inches of the chart panel (three rows of two charts) at 72 dpi: 720 px wide, about the width
it is shown at on a 1280 px screen, so that text is not scaled down."""
STOCKS = frozenset({"side_entrants"})
"""Columns that are stocks at the census; every other count is a flow over the year before it,
so the first row (the initial census) has no flow and is left out."""

SHORTAGE_COLOURS = {
    "shortage_rate": "#b2182b",
    "open_shortage_rate": "#ef8a62",
    "hidden_shortage_rate": "#67a9cf",
}
ARM_COLOURS = ("#7f7f7f", "#1b7837")


ARM_STYLES = (
    {
        "linestyle": (0, (4, 2)),
        "linewidth": 1.3,
        "marker": "s",
        "markerfacecolor": "white",
        "alpha": 0.75,
    },
    {"linestyle": "-", "linewidth": 2.2, "marker": "o", "alpha": 1.0},
)
"""Twin mode: the first arm (isolated) thin, dashed, hollow squares and a little faded; the
second solid, thick, filled circles, so that two lines of one colour stay apart."""


def _styles(arms: Arms) -> list[dict]:
    return [ARM_STYLES[1]] if len(arms) == 1 else list(ARM_STYLES)


def _is_main(style: dict) -> bool:
    return style is ARM_STYLES[1]


def _headroom(ax: Axes) -> None:
    """Start the y axis at 0 and leave the top quarter free for the legend."""
    ax.set_ylim(0, 1.35 * max(ax.get_ylim()[1], 1e-9))


def _years_axis(ax: Axes, years: pd.Index) -> None:
    ax.set_xlim(years[0] - 0.3, max(years[-1], years[0] + 1) + 0.3)
    # few ticks: every tick label costs drawing time on each step
    ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    ax.grid(alpha=0.3)


def _arm_legend(fig: Figure, arms: Arms, t: Translator) -> None:
    """In twin mode, a figure legend naming the line style of each arm."""
    if len(arms) == 1:
        return
    handles = [Line2D([], [], color="0.2", markersize=6, **style) for style in ARM_STYLES]
    fig.legend(
        handles,
        [t._("policy {name}").format(name=a) for a in arms],
        loc="upper center",
        ncol=2,
        fontsize=LEGEND_FONTSIZE + 1,
        frameon=False,
    )


def draw_shortage(ax: Axes, arms: Arms, t: Translator = EN) -> None:
    """Shortage rate (total, open, hidden) in % of demand; demand in fte in the title."""
    labels = {
        "shortage_rate": t._("shortage (open + hidden)"),
        "open_shortage_rate": t._("open vacancies"),
        "hidden_shortage_rate": t._("hidden (unqualified)"),
    }
    for style, s in zip(_styles(arms), arms.values(), strict=True):
        for col, label in labels.items():
            ax.plot(
                s.index,
                100 * s[col],
                color=SHORTAGE_COLOURS[col],
                markersize=4,
                label=label if _is_main(style) else None,
                **style,
            )
        if len(arms) == 1:
            ax.fill_between(s.index, 0, 100 * s["shortage_rate"], color="#b2182b", alpha=0.08)
    _headroom(ax)
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_ylabel(t._("share of demand"))
    first = next(iter(arms.values()))
    ax.legend(loc="upper left", fontsize=LEGEND_FONTSIZE, ncol=2)
    # demand as numbers in the title, not on a second axis: a twin axis costs drawing time
    demand = first["demand_fte"]
    change = demand.iloc[-1] / demand.iloc[0] - 1
    ax.set_title(
        t._("Shortage against demand\n(demand {fte}, {change} since {year})").format(
            fte=t.fte(demand.iloc[-1]), change=t.signed_pct(change), year=int(demand.index[0])
        ),
        fontsize=11,
    )
    _years_axis(ax, first.index)


def draw_counts(
    ax: Axes,
    arms: Arms,
    columns: Mapping[str, str],
    title: str,
    ylabel: str,
    t: Translator = EN,
) -> None:
    """Yearly counts (hires, exits, pipeline): one colour per column, one line style per arm."""
    colours = [f"C{i}" for i in range(len(columns))]
    for style, s in zip(_styles(arms), arms.values(), strict=True):
        for colour, (col, label) in zip(colours, columns.items(), strict=True):
            part = s[col] if col in STOCKS else s[col].iloc[1:]
            ax.plot(
                part.index,
                part.to_numpy(),
                color=colour,
                markersize=4,
                label=t._(label) if _is_main(style) else None,
                **style,
            )
    if all(col not in STOCKS for col in columns) and len(next(iter(arms.values()))) < 2:
        ax.text(
            0.5,
            0.45,
            t._("counted from the first year on"),
            ha="center",
            transform=ax.transAxes,
            color="0.4",
        )
    _headroom(ax)
    ax.set_ylabel(t._(ylabel))
    ax.legend(loc="upper left", fontsize=LEGEND_FONTSIZE, ncol=2)
    ax.set_title(t._(title))
    _years_axis(ax, next(iter(arms.values())).index)


def draw_subject_shortage(ax: Axes, arms: Arms, t: Translator = EN) -> None:
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
            hatch="//" if len(arms) == 2 and i == 0 else None,
            edgecolor="white" if len(arms) == 2 and i == 0 else None,
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
        x, [t._(SUBJECT_LABELS[g]) for g in SUBJECT_GROUPS], rotation=25, ha="right", fontsize=9
    )
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_ylim(0, 1.3 * ax.get_ylim()[1])  # headroom for the legend
    ax.set_ylabel(t._("share of demand"))
    ax.legend(loc="upper left", fontsize=LEGEND_FONTSIZE, ncol=3)
    ax.set_title(t._("Shortage by subject group in {year}").format(year=int(first.index[-1])))
    ax.grid(axis="y", alpha=0.3)


def draw_concentration(ax: Axes, arms: Arms, t: Translator = EN) -> None:
    """Where shortage lands: the worst tenth of schools against the region as a whole."""
    lines = {
        "shortage_rate_worst_decile": ("#762a83", t._("worst tenth of schools")),
        "shortage_rate": ("#b2182b", t._("whole region")),
    }
    for style, s in zip(_styles(arms), arms.values(), strict=True):
        for col, (colour, label) in lines.items():
            ax.plot(
                s.index,
                100 * s[col],
                color=colour,
                markersize=4,
                label=label if _is_main(style) else None,
                **style,
            )
    _headroom(ax)
    ax.yaxis.set_major_formatter(PercentFormatter(decimals=0))
    ax.set_ylabel(t._("share of demand"))
    ax.legend(loc="upper left", fontsize=LEGEND_FONTSIZE)
    ax.set_title(t._("Where shortage lands: worst tenth of schools"))
    _years_axis(ax, next(iter(arms.values())).index)


def draw_twin_difference(
    ax: Axes,
    base: pd.DataFrame,
    other: pd.DataFrame,
    base_label: str,
    other_label: str,
    t: Translator = EN,
) -> None:
    """Shortage of ``base`` minus shortage of ``other`` in percentage points, year by year."""
    labels = {
        "shortage_rate": t._("shortage (open + hidden)"),
        "open_shortage_rate": t._("open"),
        "hidden_shortage_rate": t._("hidden"),
    }
    years = base.index.intersection(other.index)
    for col, label in labels.items():
        diff = 100 * (base.loc[years, col] - other.loc[years, col])
        ax.plot(
            years,
            diff,
            color=SHORTAGE_COLOURS[col],
            marker="o",
            markersize=4,
            label=label,
            linewidth=2.2 if col == "shortage_rate" else 1.2,
        )
    total = 100 * (base.loc[years, "shortage_rate"] - other.loc[years, "shortage_rate"])
    ax.fill_between(
        years, 0, total, where=total >= 0, color=ARM_COLOURS[1], alpha=0.15, interpolate=True
    )
    ax.fill_between(years, 0, total, where=total < 0, color="#b2182b", alpha=0.15, interpolate=True)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_ylabel(t._("percentage points"))
    ax.legend(loc="upper left", fontsize=LEGEND_FONTSIZE)
    last = total.iloc[-1]
    ax.set_title(
        t._("Difference: {base} minus {other}\n({year}: {points} points of demand)").format(
            base=base_label,
            other=other_label,
            year=int(years[-1]),
            points=("+" if last >= 0 else "−") + t.num(abs(last), 1),
        ),
        fontsize=11,
    )
    _years_axis(ax, years)


def dashboard_figure(arms: Arms, until: int | None = None, t: Translator = EN) -> Figure:
    """The chart panel of the view: six charts in three rows of two.

    With two arms the fifth chart is the difference between them (first minus second) and the
    concentration chart is left out. ``until`` fixes the right end of the year axes (the last
    year of the run), so that the lines fill the charts as the run goes on.
    """
    fig = Figure(figsize=DASHBOARD_SIZE, dpi=72)
    _draw_dashboard(_dashboard_axes(fig), arms, until, t)
    _arm_legend(fig, arms, t)
    return localise_ticks(fig, t)


def _dashboard_axes(fig: Figure) -> np.ndarray:
    # fixed margins: a layout engine measures every label again and doubles the drawing time
    return fig.subplots(
        3,
        2,
        gridspec_kw={
            "left": 0.08,
            "right": 0.97,
            "top": 0.93,
            "bottom": 0.07,
            "wspace": 0.3,
            "hspace": 0.42,
        },
    )


def _draw_dashboard(axes: np.ndarray, arms: Arms, until: int | None, t: Translator) -> None:
    draw_shortage(axes[0, 0], arms, t)
    draw_counts(axes[0, 1], arms, HIRES, N_("Hires by source"), N_("persons per year"), t)
    draw_counts(axes[1, 0], arms, EXITS, N_("Exits by reason"), N_("persons per year"), t)
    draw_counts(
        axes[1, 1], arms, PIPELINE, N_("Training pipeline and side-entrants"), N_("persons"), t
    )
    if len(arms) == 2:
        (a, sa), (b, sb) = arms.items()
        draw_twin_difference(axes[2, 0], sa, sb, a, b, t)
    else:
        draw_concentration(axes[2, 0], arms, t)
    draw_subject_shortage(axes[2, 1], arms, t)
    if until is not None:
        for ax in (axes[0, 0], axes[0, 1], axes[1, 0], axes[1, 1], axes[2, 0]):
            ax.set_xlim(right=until + 0.3)


def municipality_centres(schools: pd.DataFrame) -> pd.DataFrame:
    """Where to write each municipality's name: the pupil-weighted centre of its school sites."""
    w = schools["pupils"].to_numpy()
    frame = schools.assign(wx=schools["x_km"] * w, wy=schools["y_km"] * w, w=w)
    g = frame.groupby("municipality", sort=False)[["wx", "wy", "w"]].sum()
    return pd.DataFrame(
        {"x_km": g["wx"] / g["w"], "y_km": g["wy"] / g["w"], "pupils": g["w"]}
    ).sort_values("pupils", ascending=False)


def _label_municipalities(ax: Axes, schools: pd.DataFrame) -> None:
    halo = [patheffects.withStroke(linewidth=3, foreground="white")]
    for name, row in municipality_centres(schools).iterrows():
        ax.annotate(
            name,
            (row.x_km, row.y_km),
            xytext=(0, -14),
            textcoords="offset points",
            ha="center",
            fontsize=9,
            color="0.15",
            path_effects=halo,
            zorder=4,
        )


def maps_figure(
    schools: Mapping[str, pd.DataFrame],
    institutes: pd.DataFrame,
    titles: Mapping[str, str],
    t: Translator = EN,
) -> Figure:
    """One region map per arm, side by side, on one colour scale with one colour bar, with the
    municipalities' names."""
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
            ax, frame, institutes, vmax=MAP_VMAX, title=titles[arm], colorbar=False, t=t
        )
        _label_municipalities(ax, frame)
    cax = fig.add_axes((0.9, 0.15, 0.015, 0.7))
    cb = fig.colorbar(sc, cax=cax, extend="max", ticks=np.linspace(0, MAP_VMAX, 5))
    cb.set_label(t._("shortage at the school (open + hidden, share of its demand)"))
    cb.ax.yaxis.set_major_formatter(PercentFormatter(xmax=1, decimals=0))
    fig.text(
        0.01,
        0.005,
        t._("circle size: pupils; black edge: training school"),
        fontsize=9,
        color="0.3",
    )
    return localise_ticks(fig, t)


class LiveDashboard:
    """The chart panel, redrawn cheaply year after year (blitting).

    The first drawing renders everything and keeps the frame of each chart (axes, ticks,
    labels, legends) as a background image. Later years draw only the data (lines, bars,
    fills, titles) onto that background; a full drawing happens again only when the data
    outgrow an axis. Year axes run to ``until`` from the start, so they stay fixed.

    Args:
        until: Last year of the run (right end of the year axes).
        t: Language of the texts.
    """

    GROWTH_ROOM = 1.4
    """Extra room on y axes at a full drawing, so that growing lines rarely force another."""

    EARLY_GROWTH_ROOM = 2.0
    """The same in the first years, when a few points say little about the range to come."""

    def __init__(self, until: int, t: Translator = EN) -> None:
        self.until = until
        self.t = t
        self.fig: Figure | None = None
        self.full_draws = 0

    def png(self, arms: Arms) -> bytes:
        """The panel for these series as PNG bytes."""
        if self.fig is None or not self._update(arms):
            self._full(arms)
        return _canvas_png(self.fig)

    def _full(self, arms: Arms) -> None:
        self.fig = dashboard_figure(arms, self.until, self.t)
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
        _draw_dashboard(np.reshape(self.axes, (3, 2)), arms, self.until, self.t)
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
        t: Language of the texts.
    """

    def __init__(self, institutes: pd.DataFrame, t: Translator = EN) -> None:
        self.institutes = institutes
        self.t = t
        self.fig: Figure | None = None

    def png(self, schools: Mapping[str, pd.DataFrame], titles: Mapping[str, str]) -> bytes:
        """The maps for these school frames as PNG bytes."""
        if self.fig is None:
            self.fig = maps_figure(schools, self.institutes, titles, self.t)
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

    def school_pixels(self, schools: Mapping[str, pd.DataFrame]) -> list[np.ndarray]:
        """Each arm's school sites as pixel positions in the PNG (x right, y down) and marker
        radius in pixels, one ``(n, 3)`` array per map; for hover targets over the image."""
        assert self.fig is not None, "draw the maps first"
        height = self.fig.bbox.height
        dpi_scale = self.fig.dpi / 72
        out = []
        for ax, frame in zip(self.map_axes, schools.values(), strict=True):
            xy = ax.transData.transform(frame[["x_km", "y_km"]].to_numpy())
            radius = np.sqrt(school_marker_sizes(frame["pupils"]) / np.pi) * dpi_scale
            out.append(np.column_stack([xy[:, 0], height - xy[:, 1], np.maximum(radius, 4)]))
        return out

    @property
    def size(self) -> tuple[int, int]:
        """Width and height of the PNG in pixels."""
        assert self.fig is not None
        return int(self.fig.bbox.width), int(self.fig.bbox.height)


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
