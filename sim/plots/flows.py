"""Charts of the interaction: homes against schools, and moves between boards in a year.

Shared by the reports and the browser view (:mod:`sim.view.flows`); the data come from
:mod:`sim.model.flows`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure


def draw_home_work(
    ax: Axes, commutes: pd.DataFrame, schools: pd.DataFrame, *, lines: int = 400
) -> None:
    """Where staff live (dots) against the school they work at (circles), with a line from
    home to school for a sample of ``lines`` people (every ``k``-th row, no random draw) and
    in red those whose commute is longer than they accept.

    Args:
        ax: Axes to draw on.
        commutes: :func:`sim.model.flows.commute_frame`.
        schools: The model's ``school_frame()`` (``x_km``, ``y_km``, ``pupils``).
        lines: How many home-school lines to draw at most.
    """
    ax.scatter(
        commutes["home_x_km"], commutes["home_y_km"], s=2, c="0.6", alpha=0.4, lw=0, label="home"
    )
    step = max(1, len(commutes) // max(lines, 1))
    sample = commutes.iloc[::step]
    sx = schools["x_km"].to_numpy()[sample["school"].to_numpy()]
    sy = schools["y_km"].to_numpy()[sample["school"].to_numpy()]
    far = (sample["commute_km"] > sample["max_commute_km"]).to_numpy()
    for mask, colour in ((~far, "tab:blue"), (far, "tab:red")):
        xs = np.stack([sample["home_x_km"].to_numpy()[mask], sx[mask]])
        ys = np.stack([sample["home_y_km"].to_numpy()[mask], sy[mask]])
        ax.plot(xs, ys, color=colour, lw=0.4, alpha=0.5)
    ax.scatter(
        schools["x_km"],
        schools["y_km"],
        s=18,
        facecolors="none",
        edgecolors="k",
        lw=0.7,
        label="school",
    )
    share_far = (
        float((commutes["commute_km"] > commutes["max_commute_km"]).mean())
        if len(commutes)
        else 0.0
    )
    ax.set_title(
        f"Home and school: median commute {commutes['commute_km'].median():.1f} km; "
        f"{share_far:.0%} travel further than they accept (red)",
        fontsize=9,
    )
    ax.set_xlabel("km east")
    ax.set_ylabel("km north")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="upper right", fontsize=7, markerscale=3)


def draw_moves_matrix(ax: Axes, matrix: pd.DataFrame, *, year: int) -> None:
    """Moves between boards (or sites) in a year as a matrix: rows the board left, columns the
    board joined; the diagonal holds moves between sites of one board."""
    values = matrix.to_numpy()
    im = ax.imshow(np.ma.masked_equal(values, 0), cmap="Blues", interpolation="nearest")
    ax.figure.colorbar(im, ax=ax, shrink=0.8, label="teachers moving")
    ax.set_xlabel(str(matrix.columns.name).replace("_", " "))
    ax.set_ylabel(str(matrix.index.name).replace("_", " "))
    within = int(np.trace(values))
    total = int(values.sum())
    ax.set_title(
        f"Moves in {year}: {total} teachers, {within} within their board, "
        f"{total - within} to another board",
        fontsize=9,
    )


def flows_figure(
    commutes: pd.DataFrame, schools: pd.DataFrame, matrix: pd.DataFrame, *, year: int
) -> Figure:
    """Home against school beside the moves matrix, one figure."""
    fig = Figure(figsize=(13, 5.4), dpi=72)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
    draw_home_work(ax1, commutes, schools)
    draw_moves_matrix(ax2, matrix, year=year)
    fig.tight_layout()
    return fig
