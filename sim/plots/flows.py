"""Charts of the interaction: homes against schools, and moves between boards in a year.

Shared by the reports and the browser view (:mod:`sim.view.flows`); the data come from
:mod:`sim.model.flows`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from sim.i18n import N_, Translator
from sim.plots.language import EN, localise_ticks

MATRIX_AXES: dict[str, str] = {
    "from_board": N_("from board"),
    "to_board": N_("to board"),
    "from_school": N_("from school"),
    "to_school": N_("to school"),
}
"""The moves matrix's axis names (:func:`sim.model.flows.moves_matrix`) as the chart shows them."""


def draw_home_work(
    ax: Axes,
    commutes: pd.DataFrame,
    schools: pd.DataFrame,
    *,
    lines: int = 400,
    t: Translator = EN,
) -> None:
    """Where staff live (dots) against the school they work at (circles), with a line from
    home to school for a sample of ``lines`` people (every ``k``-th row, no random draw) and
    in red those whose commute is longer than they accept.

    Args:
        ax: Axes to draw on.
        commutes: :func:`sim.model.flows.commute_frame`.
        schools: The model's ``school_frame()`` (``x_km``, ``y_km``, ``pupils``).
        lines: How many home-school lines to draw at most.
        t: Language of the texts.
    """
    ax.scatter(
        commutes["home_x_km"],
        commutes["home_y_km"],
        s=2,
        c="0.6",
        alpha=0.4,
        lw=0,
        label=t._("home"),
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
        label=t._("school"),
    )
    share_far = (
        float((commutes["commute_km"] > commutes["max_commute_km"]).mean())
        if len(commutes)
        else 0.0
    )
    ax.set_title(
        t._(
            "Home and school: median commute {km} km; {share} travel further than they accept (red)"
        ).format(km=t.num(commutes["commute_km"].median(), 1), share=t.pct(share_far, 0)),
        fontsize=9,
    )
    ax.set_xlabel(t._("km east"))
    ax.set_ylabel(t._("km north"))
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="upper right", fontsize=7, markerscale=3)


def _axis_name(name: object, t: Translator) -> str:
    key = str(name)
    return t._(MATRIX_AXES[key]) if key in MATRIX_AXES else key.replace("_", " ")


def draw_moves_matrix(ax: Axes, matrix: pd.DataFrame, *, year: int, t: Translator = EN) -> None:
    """Moves between boards (or sites) in a year as a matrix: rows the board left, columns the
    board joined; the diagonal holds moves between sites of one board."""
    values = matrix.to_numpy()
    im = ax.imshow(np.ma.masked_equal(values, 0), cmap="Blues", interpolation="nearest")
    ax.figure.colorbar(im, ax=ax, shrink=0.8, label=t._("teachers moving"))
    ax.set_xlabel(_axis_name(matrix.columns.name, t))
    ax.set_ylabel(_axis_name(matrix.index.name, t))
    within = int(np.trace(values))
    total = int(values.sum())
    ax.set_title(
        t._(
            "Moves in {year}: {total} teachers, {within} within their board, {other} to "
            "another board"
        ).format(year=year, total=total, within=within, other=total - within),
        fontsize=9,
    )


def flows_figure(
    commutes: pd.DataFrame,
    schools: pd.DataFrame,
    matrix: pd.DataFrame,
    *,
    year: int,
    t: Translator = EN,
) -> Figure:
    """Home against school beside the moves matrix, one figure, in the language of ``t``."""
    fig = Figure(figsize=(13, 5.4), dpi=72)
    ax1, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
    draw_home_work(ax1, commutes, schools, t=t)
    draw_moves_matrix(ax2, matrix, year=year, t=t)
    fig.tight_layout()
    return localise_ticks(fig, t)
