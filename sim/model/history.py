"""Per-person history: what happened to whom, in which year and at which school.

Every person of the run keeps one ``unique_id`` for life (student, side-entrant, teacher,
member of the silent reserve, teacher again), so their events can be followed by that id. The
stages record events a batch at a time (one numpy array per event and year), so keeping the
history costs a few array appends a year; :meth:`History.frame` joins them on request.

Events (``event`` column) and what ``school`` and ``detail`` hold:

==============  ==========================================  =====================================
event           when                                        detail
==============  ==========================================  =====================================
``present``     in the workforce at the initial census      route (index into ``ROUTES``)
``enrolled``    starts teacher training (or is in training  programme index
                at the initial census); school -1
``graduated``   graduates; school -1                        1 seeks a job in the region, else 0
``dropped_out`` leaves training or the side-entrant route   0 student, 1 side-entrant
``hired``       placed at a school by the labour market     route (graduate, returner, ...)
``moved``       changes school (market or own board)        the school left
``qualified``   a side-entrant completes the route          0
``left``        leaves the region's schools                 reason (index into ``EXIT_REASONS``)
==============  ==========================================  =====================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.model.agents import EXIT_REASONS

EVENTS: tuple[str, ...] = (
    "present",
    "enrolled",
    "graduated",
    "dropped_out",
    "hired",
    "moved",
    "qualified",
    "left",
)
"""Event names; the index is the event code."""
EVENT = {name: i for i, name in enumerate(EVENTS)}


class History:
    """Events of the run's people, recorded in batches."""

    def __init__(self) -> None:
        self._chunks: list[tuple[int, int, np.ndarray, np.ndarray, np.ndarray]] = []

    def record(
        self,
        event: str,
        year: int,
        uids: np.ndarray,
        school: np.ndarray | int = -1,
        detail: np.ndarray | int = 0,
    ) -> None:
        """Record ``event`` in ``year`` for the people ``uids`` (at ``school``, with ``detail``)."""
        uids = np.asarray(uids, dtype=np.int64)
        if uids.size == 0:
            return
        n = uids.size
        self._chunks.append(
            (
                EVENT[event],
                int(year),
                uids.copy(),
                np.broadcast_to(np.asarray(school, dtype=np.int32), n).copy(),
                np.broadcast_to(np.asarray(detail, dtype=np.int32), n).copy(),
            )
        )

    def __len__(self) -> int:
        return sum(c[2].size for c in self._chunks)

    def frame(self) -> pd.DataFrame:
        """Every event as a row: ``unique_id``, ``year``, ``event``, ``school``, ``detail``, in
        the order they happened."""
        if not self._chunks:
            return pd.DataFrame(
                {
                    "unique_id": np.empty(0, np.int64),
                    "year": np.empty(0, np.int64),
                    "event": pd.Categorical([], categories=EVENTS),
                    "school": np.empty(0, np.int32),
                    "detail": np.empty(0, np.int32),
                }
            )
        sizes = [c[2].size for c in self._chunks]
        codes = np.repeat([c[0] for c in self._chunks], sizes)
        return pd.DataFrame(
            {
                "unique_id": np.concatenate([c[2] for c in self._chunks]),
                "year": np.repeat([c[1] for c in self._chunks], sizes).astype(np.int64),
                "event": pd.Categorical.from_codes(codes, categories=EVENTS),
                "school": np.concatenate([c[3] for c in self._chunks]),
                "detail": np.concatenate([c[4] for c in self._chunks]),
            }
        )


def follow_cohort(history: pd.DataFrame, route: int, year: int, after: int) -> dict[str, float]:
    """Where the people hired through ``route`` in ``year`` are ``after`` years later.

    Args:
        history: :meth:`History.frame` of a run that reached ``year + after``.
        route: Route index of the hire (``ROUTE["side_entrant"]``, ``ROUTE["graduate"]``, ...).
        year: The year they were hired.
        after: Years later.

    Returns:
        ``hired`` (count), and shares of them: ``in_region`` (working at a school of the
        region), ``left_region`` (moved to another region: still in education),
        ``left_education`` (left education or the side-entrant route, or retired), and
        ``in_education`` (``in_region + left_region``).
    """
    h = history
    cohort = h.loc[(h["event"] == "hired") & (h["year"] == year) & (h["detail"] == route)]
    ids = cohort["unique_id"].to_numpy()
    n = ids.size
    if n == 0:
        return {
            "hired": 0,
            "in_region": np.nan,
            "left_region": np.nan,
            "left_education": np.nan,
            "in_education": np.nan,
        }
    later = h.loc[
        h["unique_id"].isin(ids)
        & (h["year"] > year)
        & (h["year"] <= year + after)
        & h["event"].isin(["left", "dropped_out", "hired"])
    ]
    # the last such event of each person decides: left / dropped out, or hired back
    last = later.groupby("unique_id", sort=False).tail(1).set_index("unique_id")
    gone = last.loc[last["event"] != "hired"]
    to_region = int(
        ((gone["event"] == "left") & (gone["detail"] == EXIT_REASONS.index("left_region"))).sum()
    )
    out = len(gone) - to_region
    here = n - to_region - out
    return {
        "hired": n,
        "in_region": here / n,
        "left_region": to_region / n,
        "left_education": out / n,
        "in_education": (here + to_region) / n,
    }
