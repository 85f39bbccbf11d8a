"""The region map: school sites at their coordinates, sized by pupils, coloured by shortage.

Shared by the experiment charts and the browser view, so both show where shortage lands the same
way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from sim.i18n import Translator
from sim.plots.language import EN

if TYPE_CHECKING:
    from sim.model.model import RegionModel

SHORTAGE_CMAP = "YlOrRd"


def institutes_frame(model: RegionModel) -> pd.DataFrame:
    """One row per teacher-training institute: name and km coordinates."""
    rows = {}
    for prog in model.programmes:
        rows.setdefault(prog.institute, (prog.x_km, prog.y_km))
    return pd.DataFrame(
        [(name, x, y) for name, (x, y) in rows.items()], columns=["institute", "x_km", "y_km"]
    )


def school_marker_sizes(pupils: pd.Series) -> np.ndarray:
    """Marker areas (points^2) of school sites: grow with the square root of their pupils."""
    return (15 + 110 * np.sqrt(pupils / max(pupils.max(), 1.0))).to_numpy()


def draw_region_map(
    ax: Axes,
    schools: pd.DataFrame,
    institutes: pd.DataFrame | None = None,
    *,
    vmax: float = 0.2,
    title: str = "",
    colorbar: bool = True,
    t: Translator = EN,
):
    """Draw school sites (size = pupils, colour = shortage rate) and training institutes.

    Args:
        ax: Axes to draw on.
        schools: Frame with ``x_km``, ``y_km``, ``pupils``, ``shortage_rate`` (and optionally
            ``training_school``), e.g. :meth:`sim.model.RegionModel.school_frame`.
        institutes: Frame with ``institute``, ``x_km``, ``y_km``.
        vmax: Shortage rate at the top of the colour scale (fixed so maps compare).
        title: Axes title.
        colorbar: Whether to add a colour bar.
        t: Language of the labels.

    Returns:
        The scatter artist of the schools.
    """
    size = school_marker_sizes(schools["pupils"])
    edge = np.where(schools.get("training_school", False), "black", "0.6")
    sc = ax.scatter(
        schools["x_km"],
        schools["y_km"],
        s=size,
        c=schools["shortage_rate"],
        cmap=SHORTAGE_CMAP,
        vmin=0.0,
        vmax=vmax,
        edgecolors=edge,
        linewidths=0.8,
        zorder=2,
    )
    if institutes is not None and len(institutes):
        ax.scatter(
            institutes["x_km"],
            institutes["y_km"],
            marker="^",
            s=140,
            c="tab:blue",
            edgecolors="black",
            zorder=3,
            label=t._("training institute"),
        )
        for row in institutes.itertuples():
            ax.annotate(
                row.institute,
                (row.x_km, row.y_km),
                xytext=(4, 4),
                textcoords="offset points",
                fontsize=7,
            )
        ax.legend(loc="lower right", fontsize=7, frameon=True)
    ax.set_xlabel(t._("east (km)"))
    ax.set_ylabel(t._("north (km)"))
    ax.set_aspect("equal", adjustable="datalim")
    if title:
        ax.set_title(title)
    if colorbar:
        cb = ax.figure.colorbar(sc, ax=ax, shrink=0.8)
        cb.set_label(t._("shortage (open + hidden, share of demand)"))
    return sc
