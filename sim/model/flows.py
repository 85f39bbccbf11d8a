"""Seeing the interaction: where staff live against where they work, and who moved where.

Data functions over a model (its workforce table and its per-person history); the charts are in
:mod:`sim.plots.flows`, the browser view in :mod:`sim.view.flows`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.model.homes import commute_km

if TYPE_CHECKING:
    from sim.model.model import RegionModel


def home_work(model: RegionModel) -> pd.DataFrame:
    """Staff (teachers and side-entrants) by home municipality (rows) and the municipality of
    their main school (columns), at the last census; municipalities in scenario order."""
    wf = model.workforce
    live = wf.live()
    names = model.municipalities.names
    home = wf.data["home_muni"][live].astype(np.int64)
    work_name = np.array([s.municipality for s in model.schools])[wf.data["school"][live]]
    work = np.array([names.index(w) for w in work_name], dtype=np.int64) if live.size else home
    n = len(names)
    counts = np.bincount(home * n + work, minlength=n * n).reshape(n, n)
    return pd.DataFrame(
        counts,
        index=pd.Index(names, name="home_municipality"),
        columns=pd.Index(names, name="work_municipality"),
    )


def commute_frame(model: RegionModel) -> pd.DataFrame:
    """One row per member of staff: ``home_x_km``, ``home_y_km``, ``school``, ``commute_km``,
    ``max_commute_km`` (at the last census)."""
    wf = model.workforce
    live = wf.live()
    return pd.DataFrame(
        {
            "home_x_km": wf.data["home_x"][live],
            "home_y_km": wf.data["home_y"][live],
            "school": wf.data["school"][live].astype(np.int64),
            "commute_km": commute_km(model, live),
            "max_commute_km": wf.data["max_commute"][live],
        }
    )


def moves_matrix(model: RegionModel, year: int | None = None, by: str = "board") -> pd.DataFrame:
    """Moves of staff between schools in ``year`` (the last census when None), as counts by
    the board (``by="board"``) or school site (``by="school"``) left (rows) and joined
    (columns). Every move counts: through the labour market and within the own board.

    Raises:
        ValueError: ``by`` is neither "board" nor "school".
    """
    if by not in ("board", "school"):
        raise ValueError(f"by={by!r} is not allowed; allowed: 'board', 'school'")
    year = model.year if year is None else year
    h = model.history.frame()
    moved = h.loc[(h["event"] == "moved") & (h["year"] == year)]
    src = moved["detail"].to_numpy(np.int64)
    dst = moved["school"].to_numpy(np.int64)
    if by == "board":
        src, dst = model.board[src], model.board[dst]
        n = int(model.board.max()) + 1
    else:
        n = len(model.schools)
    counts = np.bincount(src * n + dst, minlength=n * n).reshape(n, n)
    return pd.DataFrame(
        counts,
        index=pd.Index(range(n), name=f"from_{by}"),
        columns=pd.Index(range(n), name=f"to_{by}"),
    )
