"""Columnar agent state: the attributes of many agents of one kind held in numpy arrays.

Teachers, side-entrants and students are Mesa agents (they have identity, ``unique_id`` and live
in ``model.agents``), but their attributes live in an :class:`AgentTable`, one array per
attribute, so that the yearly rules run as vectorised numpy operations over all of them at once.
Each agent knows its row; a :class:`Column` descriptor reads and writes the agent's cell, so
``teacher.age`` works as on any Mesa agent.
"""

from __future__ import annotations

from typing import Any

import numpy as np


class Column:
    """Descriptor that maps an agent attribute to its cell in the agent's table."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return obj.table.data[self.name][obj.row].item()

    def __set__(self, obj: Any, value: Any) -> None:
        obj.table.data[self.name][obj.row] = value


class AgentTable:
    """Arrays of agent attributes with room to grow; dead rows are dropped by :meth:`compact`.

    Args:
        columns: Column name to numpy dtype.
        capacity: Initial number of rows reserved.
    """

    def __init__(self, columns: dict[str, Any], capacity: int = 1024) -> None:
        self.dtypes = {name: np.dtype(dt) for name, dt in columns.items()}
        self.capacity = max(int(capacity), 16)
        self.n = 0
        self.data: dict[str, np.ndarray] = {
            name: np.zeros(self.capacity, dtype=dt) for name, dt in self.dtypes.items()
        }
        self.alive = np.zeros(self.capacity, dtype=bool)
        self.agents = np.empty(self.capacity, dtype=object)

    def __len__(self) -> int:
        return int(self.alive[: self.n].sum())

    def col(self, name: str) -> np.ndarray:
        """A writable view of one column over the used rows (dead rows included)."""
        return self.data[name][: self.n]

    def live(self) -> np.ndarray:
        """Indices of the rows of living agents."""
        return np.flatnonzero(self.alive[: self.n])

    def live_mask(self) -> np.ndarray:
        """Boolean mask of living rows over the used rows."""
        return self.alive[: self.n]

    def add(self, count: int, **values: Any) -> np.ndarray:
        """Append ``count`` rows; unspecified columns are zero. Returns the new row indices."""
        if count <= 0:
            return np.empty(0, dtype=np.int64)
        need = self.n + count
        if need > self.capacity:
            self._grow(need)
        rows = np.arange(self.n, need)
        for name, value in values.items():
            if name not in self.data:
                raise KeyError(f"table has no column {name!r}")
            self.data[name][rows] = value
        self.alive[rows] = True
        self.n = need
        return rows

    def kill(self, rows: np.ndarray) -> None:
        """Mark rows dead (their agents must be removed from the model by the caller)."""
        self.alive[rows] = False
        self.agents[rows] = None

    def compact(self, min_dead_share: float = 0.25) -> bool:
        """Drop dead rows when they make up at least ``min_dead_share`` of the used rows.

        Returns whether rows moved (agents' row indices are updated).
        """
        n = self.n
        if n == 0:
            return False
        keep = np.flatnonzero(self.alive[:n])
        if n - keep.size < min_dead_share * n:
            return False
        m = keep.size
        for name, arr in self.data.items():
            arr[:m] = arr[keep]
        self.agents[:m] = self.agents[keep]
        self.agents[m:n] = None
        self.alive[:m] = True
        self.alive[m:n] = False
        self.n = m
        for row, agent in enumerate(self.agents[:m]):
            agent.row = row
        return True

    def _grow(self, need: int) -> None:
        cap = max(need, int(self.capacity * 1.5))
        for name, arr in self.data.items():
            new = np.zeros(cap, dtype=arr.dtype)
            new[: self.n] = arr[: self.n]
            self.data[name] = new
        alive = np.zeros(cap, dtype=bool)
        alive[: self.n] = self.alive[: self.n]
        self.alive = alive
        agents = np.empty(cap, dtype=object)
        agents[: self.n] = self.agents[: self.n]
        self.agents = agents
        self.capacity = cap
