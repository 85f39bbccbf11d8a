"""Columnar agent state: the attributes of many agents of one kind held in numpy arrays.

Teachers, side-entrants and students are Mesa agents (they have identity, ``unique_id`` and live
in ``model.agents``), but their attributes live in an :class:`AgentTable`, one array per
attribute, so that the yearly rules run as vectorised numpy operations over all of them at once.
Each agent knows its row; a :class:`Column` descriptor reads and writes the agent's cell, so
``teacher.age`` works as on any Mesa agent.

Agents of a table are created and removed a batch at a time (:meth:`TableAgent.create_rows`,
:func:`remove_rows`). Mesa registers agents one by one, emitting a signal and formatting a debug
message for each (about 4 µs per agent here); the batch path does the same registration —
``unique_id`` from ``model.agent_id_counter``, the agent added to ``model.agents`` and
``model.agents_by_type`` through their public ``add``/``remove`` — for a fraction of that. It
is used only when nothing can tell the difference: no observer subscribed to the model's
``agents`` signals, no signal batch open, no Mesa dataset tracking the class, and no
``remove`` override; otherwise every agent goes through Mesa's own ``__init__``/``remove``.
Either way the agents, their ids and their order in ``model.agents`` are the same.
"""

from __future__ import annotations

from collections import deque
from itertools import repeat
from typing import Any, ClassVar

import mesa
import numpy as np
from mesa.agentset import _HardKeyAgentSet


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
        for arr in self.data.values():
            arr[:m] = arr[keep]
        self.agents[:m] = self.agents[keep]
        self.agents[m:n] = None
        self.alive[:m] = True
        self.alive[m:n] = False
        self.n = m
        _consume(map(setattr, self.agents[:m].tolist(), repeat("row"), range(m)))
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


class TableAgent(mesa.Agent):
    """A Mesa agent whose attributes are one row of an :class:`AgentTable` of the model.

    Subclasses name the model attribute that holds their table in ``table_attr`` and declare
    their attributes as :class:`Column` descriptors.

    Args:
        model: The model the agent belongs to.
        row: The agent's row in the table.
    """

    table_attr: ClassVar[str] = ""

    def __init__(self, model: mesa.Model, row: int) -> None:
        super().__init__(model)
        self.row = row
        self.table.agents[row] = self

    @property
    def table(self) -> AgentTable:
        """The table holding this agent's attributes."""
        return getattr(self.model, self.table_attr)

    @classmethod
    def create_rows(cls, model: mesa.Model, rows: np.ndarray) -> None:
        """Create and register one agent per row, as ``for r in rows: cls(model, r)`` would."""
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size and cls not in model.agents_by_type:
            cls(model, int(rows[0]))  # Mesa makes the type's agent set on first registration
            rows = rows[1:]
        n = rows.size
        if n == 0:
            return
        if not _batch_registration_ok(model, (cls,)):
            for r in rows.tolist():
                cls(model, r)
            return
        start = model.agent_id_counter
        # the attributes mesa.Agent.__init__ sets, in its order, then this class's row; each
        # loop runs in C (map), so an agent costs a few hundred nanoseconds, not microseconds
        agents = list(map(cls.__new__, repeat(cls, n)))
        _consume(map(setattr, agents, repeat("model"), repeat(model, n)))
        _consume(map(setattr, agents, repeat("unique_id"), range(start, start + n)))
        _consume(map(setattr, agents, repeat("pos"), repeat(None, n)))
        _consume(map(setattr, agents, repeat("row"), rows.tolist()))
        model.agent_id_counter = start + n
        _add_all(model.agents, agents)
        _add_all(model.agents_by_type[cls], agents)
        getattr(model, cls.table_attr).agents[rows] = np.fromiter(agents, dtype=object, count=n)


def remove_rows(model: mesa.Model, table: AgentTable, rows: np.ndarray, kill: bool = True) -> None:
    """Remove the agents of ``rows`` from ``model`` (as ``agent.remove()`` would).

    Args:
        model: The model the agents are registered with.
        table: The table holding them.
        rows: Their rows.
        kill: Whether to mark the rows dead too; False keeps the rows for new agents.
    """
    agents = table.agents[rows].tolist()
    types = set(map(type, agents))
    if _batch_registration_ok(model, types):
        # like Agent.remove, an agent removed before is skipped
        for cls in types:
            of_type = agents if len(types) == 1 else [a for a in agents if type(a) is cls]
            _discard_all(model.agents_by_type[cls], of_type)
        _discard_all(model.agents, agents)
    else:
        for agent in agents:
            agent.remove()
    if kill:
        table.kill(rows)


def _consume(iterator: Any) -> None:
    """Run an iterator to its end, keeping nothing (the loop runs in C)."""
    deque(iterator, maxlen=0)


def _add_all(agent_set: Any, agents: list) -> None:
    """``for a in agents: agent_set.add(a)``, in one dictionary update when the set is Mesa's
    dictionary-backed ``_HardKeyAgentSet`` (the same entries in the same order)."""
    store = getattr(agent_set, "_agents", None)
    if type(agent_set).add is _HardKeyAgentSet.add and type(store) is dict:
        store.update(dict.fromkeys(agents))
    else:
        _consume(map(agent_set.add, agents))


def _discard_all(agent_set: Any, agents: list) -> None:
    """``for a in agents: agent_set.discard(a)``, as dictionary pops run in C when the set is
    Mesa's dictionary-backed ``_HardKeyAgentSet``."""
    store = getattr(agent_set, "_agents", None)
    if type(agent_set).discard is _HardKeyAgentSet.discard and type(store) is dict:
        _consume(map(store.pop, agents, repeat(None, len(agents))))
    else:
        _consume(map(agent_set.discard, agents))


def _batch_registration_ok(model: mesa.Model, classes: Any) -> bool:
    """Whether agents of ``classes`` can be (de)registered in a batch without anyone noticing."""
    if any(key[0] == "agents" for key in model.subscribers):
        return False
    if getattr(model, "_batch_context", None) is not None:
        return False
    return all(
        not cls._datasets
        and cls.remove is mesa.Agent.remove
        and cls.__init__ is TableAgent.__init__
        for cls in classes
    )
