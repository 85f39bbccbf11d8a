"""Columnar agent state: the attributes of many agents of one kind held in numpy arrays.

Teachers, side-entrants and students are Mesa agents (they have identity, ``unique_id`` and live
in ``model.agents``), but their attributes live in an :class:`AgentTable`, one array per
attribute, so that the yearly rules run as vectorised numpy operations over all of them at once.
Each agent knows its row; a :class:`Column` descriptor reads and writes the agent's cell, so
``teacher.age`` works as on any Mesa agent.

**Agents made when looked at.** In a :class:`TableModel` an agent's identity is fixed when its
row is created — its ``unique_id`` comes from ``model.agent_id_counter`` right then, as Mesa would
give it — but its Python object is made the first time anyone looks at the model's agents
(``model.agents``, ``model.agents_by_type`` for a table kind, :meth:`AgentTable.agent`). Then
every living row gets its object at once, registered in ``model.agents`` and
``model.agents_by_type`` in the order they were created, the order Mesa's one-by-one registration gives.
So whoever looks sees exactly the agents, ids, attributes and order that creating every agent
when its row was created would give, while a batch run that never looks does not pay for
objects of the many students and teachers who come and go unseen (about 2 µs each: allocation,
two dictionary insertions, garbage-collector work). The yearly rules never need the objects.

Agents are created and removed a batch at a time (:meth:`TableAgent.create_rows`,
:func:`remove_rows`). The lazy path is used only when nothing could tell the difference: no
observer subscribed to the model's ``agents`` signals, no signal batch open, no Mesa dataset
tracking the class and no ``remove`` override; otherwise every agent goes through Mesa's own
``__init__``/``remove`` at once, announced one by one.
"""

from __future__ import annotations

from collections import deque
from itertools import repeat
from typing import Any, ClassVar

import mesa
import numpy as np
from mesa.agentset import _HardKeyAgentSet

UID, KIND, MADE, SEQ = "_uid", "_kind", "_made", "_seq"
"""Bookkeeping columns of every table: the agent's ``unique_id``, its class (an index into
:attr:`AgentTable.kinds`), whether its object has been made, and when it was created (the
order Mesa registers agents in; not the ``unique_id`` order once people keep old ids)."""


class Column:
    """Descriptor that maps an agent attribute to its cell in the agent's table."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        if obj is None:
            return self
        row = obj.row
        if row is None:  # removed: the agent keeps its own last state
            return obj.last_state[self.name]
        return obj.table.data[self.name][row].item()

    def __set__(self, obj: Any, value: Any) -> None:
        if obj.row is None:
            obj.last_state[self.name] = value
            return
        obj.table.data[self.name][obj.row] = value


class AgentTable:
    """Arrays of agent attributes with room to grow; dead rows are dropped by :meth:`compact`.

    Args:
        columns: Column name to numpy dtype.
        capacity: Initial number of rows reserved.
    """

    def __init__(self, columns: dict[str, Any], capacity: int = 1024) -> None:
        reserved = {UID, KIND, MADE, SEQ} & set(columns)
        if reserved:
            raise ValueError(f"column names {sorted(reserved)} are reserved for bookkeeping")
        self.dtypes = {
            **{name: np.dtype(dt) for name, dt in columns.items()},
            UID: np.dtype(np.int64),
            KIND: np.dtype(np.int8),
            MADE: np.dtype(np.bool_),
            SEQ: np.dtype(np.int64),
        }
        self.capacity = max(int(capacity), 16)
        self.n = 0
        self.data: dict[str, np.ndarray] = {
            name: np.zeros(self.capacity, dtype=dt) for name, dt in self.dtypes.items()
        }
        self.alive = np.zeros(self.capacity, dtype=bool)
        self.agents = np.empty(self.capacity, dtype=object)
        self.kinds: list[type[TableAgent]] = []
        self.model: TableModel | None = None

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

    def agent(self, row: int) -> TableAgent | None:
        """The agent of ``row`` (made now if it was not yet), or None for a dead row."""
        if not self.alive[row]:
            return None
        if not self.data[MADE][row] and self.model is not None:
            self.model.make_agents()
        return self.agents[row]

    def kind_code(self, cls: type[TableAgent]) -> int:
        """The code of an agent class in this table's :data:`KIND` column."""
        if cls not in self.kinds:
            self.kinds.append(cls)
        return self.kinds.index(cls)

    def add(self, count: int, **values: Any) -> np.ndarray:
        """Append ``count`` rows; unspecified columns are zero. Returns the new row indices."""
        if count <= 0:
            return np.empty(0, dtype=np.int64)
        need = self.n + count
        if need > self.capacity:
            self._grow(need)
        rows = np.arange(self.n, need)
        unknown = set(values) - set(self.data)
        if unknown:
            raise KeyError(f"table has no column {sorted(unknown)[0]!r}")
        for name, column in self.data.items():  # rows freed by compact() hold old values
            column[rows] = values.get(name, 0)
        self.data[UID][rows] = -1  # no agent until one is created on the row
        self.alive[rows] = True
        self.n = need
        return rows

    def detach(self, rows: np.ndarray) -> None:
        """Give the made agents of ``rows`` their own copy of their row and unhook them from it.

        A removed agent someone still holds then reads its own last state, never the data of a
        later agent on the row (rows are reused once :meth:`compact` drops dead ones). Only the
        agents whose objects exist pay: one gather per column for all of them at once.
        """
        rows = np.asarray(rows, dtype=np.int64)
        made = rows[self.data[MADE][rows]]
        if made.size == 0:
            return
        names = [n for n in self.dtypes if n not in (UID, KIND, MADE, SEQ)]
        values = [self.data[n][made].tolist() for n in names]
        for agent, *cells in zip(self.agents[made].tolist(), *values, strict=True):
            agent.last_state = dict(zip(names, cells, strict=True))
            agent.row = None

    def kill(self, rows: np.ndarray) -> None:
        """Mark rows dead (their agents must be removed from the model by the caller)."""
        self.detach(rows)
        self.alive[rows] = False
        self.agents[rows] = None
        self.data[MADE][rows] = False

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
        self.data[MADE][m:n] = False
        self.n = m
        made = np.flatnonzero(self.data[MADE][:m])
        _consume(map(setattr, self.agents[made].tolist(), repeat("row"), made.tolist()))
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
        table = self.table
        table.agents[row] = self
        table.data[UID][row] = self.unique_id
        table.data[KIND][row] = table.kind_code(type(self))
        table.data[MADE][row] = True

    @property
    def table(self) -> AgentTable:
        """The table holding this agent's attributes."""
        return getattr(self.model, self.table_attr)

    @classmethod
    def create_rows(
        cls, model: mesa.Model, rows: np.ndarray, uids: np.ndarray | None = None
    ) -> None:
        """Create one agent per row, with the ids ``for r in rows: cls(model, r)`` would give.

        In a :class:`TableModel` nobody observes, the agents' objects are made when someone
        first looks (see the module docstring); otherwise each agent is made now, by Mesa.

        Args:
            model: The model.
            rows: The new agents' rows.
            uids: Ids the people already had (a hired graduate keeps the id they had as a
                student, a returner the id they had as a teacher); -1 means a new id.
        """
        rows = np.asarray(rows, dtype=np.int64)
        n = rows.size
        if n == 0:
            return
        table = getattr(model, cls.table_attr)
        keep = None if uids is None else np.asarray(uids, dtype=np.int64)
        if keep is not None and (keep < 0).all():
            keep = None
        if not isinstance(model, TableModel) or not _batch_registration_ok(model, (cls,)):
            if isinstance(model, TableModel):
                model.make_agents()  # the agents before these first, to keep Mesa's order
            for i, r in enumerate(rows.tolist()):
                kept = -1 if keep is None else int(keep[i])
                if isinstance(model, TableModel):  # registered (and announced) with the kept id
                    model.kept_uid = kept
                agent = cls(model, r)
                if kept >= 0 and agent.unique_id != kept:  # a plain Mesa model: set it after
                    agent.unique_id = kept
                    table.data[UID][r] = kept
            return
        model._table_kind_set(cls)
        table.data[SEQ][rows] = np.arange(model.created_agents, model.created_agents + n)
        model.created_agents += n
        start = model.agent_id_counter
        new = np.arange(start, start + n) if keep is None else None
        if keep is not None:
            fresh = keep < 0
            new = keep.copy()
            new[fresh] = np.arange(start, start + int(fresh.sum()))
            n = int(fresh.sum())
        model.agent_id_counter = start + n
        table.data[UID][rows] = new
        table.data[KIND][rows] = table.kind_code(cls)
        table.data[MADE][rows] = False
        table.model = model
        model.has_unmade_agents = True


class TableModel(mesa.Model):
    """A Mesa model some of whose agents live in :class:`AgentTable` s (see the module
    docstring). Its ``model.agents`` and the agent sets of table kinds make the agents that
    have no object yet before they answer anything, so they always hold every living agent.

    Subclasses list the attributes holding their tables in ``agent_tables``.
    """

    agent_tables: ClassVar[tuple[str, ...]] = ()

    has_unmade_agents = False
    created_agents = 0  # table agents created so far (their creation order)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._all_agents = _LazyAgentSet(self._all_agents, random=self.random, model=self)

    kept_uid = -1  # the id the next registered agent keeps (a person who had one), or -1

    def register_agent(self, agent: mesa.Agent) -> None:
        """Register an agent made now, after the table agents created before it (Mesa order);
        a person who had an id before (see :meth:`TableAgent.create_rows`) keeps it."""
        self.make_agents()
        if isinstance(agent, TableAgent):
            self._table_kind_set(type(agent))
        kept, self.kept_uid = self.kept_uid, -1
        if kept < 0:
            super().register_agent(agent)
            return
        counter, self.agent_id_counter = self.agent_id_counter, kept  # Mesa assigns the counter
        super().register_agent(agent)
        self.agent_id_counter = counter

    def remove_all_agents(self) -> None:
        """Remove every agent, table rows included (each announced, as Mesa does)."""
        self.make_agents()
        super().remove_all_agents()
        for name in self.agent_tables:
            table = getattr(self, name)
            table.kill(table.live())

    def make_agents(self) -> None:
        """Make the objects of the table agents that do not have one yet, registering them in
        the order they were created (the order Mesa's one-by-one registration gives)."""
        if not self.has_unmade_agents:
            return
        self.has_unmade_agents = False
        made, seqs, kinds = [], [], []
        for name in self.agent_tables:
            table = getattr(self, name, None)
            if table is None:  # not built yet
                continue
            n = table.n
            rows = np.flatnonzero(
                table.alive[:n] & ~table.data[MADE][:n] & (table.data[UID][:n] >= 0)
            )
            code = table.data[KIND][rows]
            for k, cls in enumerate(table.kinds):
                of_kind = rows[code == k]
                if of_kind.size == 0:
                    continue
                agents = _make(cls, self, table.data[UID][of_kind], of_kind)
                table.agents[of_kind] = np.fromiter(agents, dtype=object, count=of_kind.size)
                table.data[MADE][of_kind] = True
                made.append(agents)
                seqs.append(table.data[SEQ][of_kind])  # registered in creation order
                kinds.append(np.full(of_kind.size, len(kinds)))
        if not made:
            return
        order = np.argsort(np.concatenate(seqs), kind="stable")
        every = np.fromiter((a for agents in made for a in agents), dtype=object, count=order.size)
        every, kind = every[order], np.concatenate(kinds)[order]
        _add_all(self._all_agents, every.tolist())
        for k, agents in enumerate(made):
            cls = type(agents[0])
            _add_all(self._agents_by_type[cls], every[kind == k].tolist())

    def _table_kind_set(self, cls: type[TableAgent]) -> _LazyAgentSet:
        """The agent set of a table kind, made (empty) the first time the kind is used."""
        kind_set = self._agents_by_type.get(cls)
        if kind_set is None:  # Mesa makes a kind's set at its first agent; this one is lazy
            kind_set = self._agents_by_type[cls] = _LazyAgentSet([], random=self.random, model=self)
        return kind_set


class _LazyAgentSet(_HardKeyAgentSet):
    """Mesa's strong agent set whose contents, when read, first include the model's table
    agents that have no object yet: a set someone holds stays current, as with Mesa's own."""

    def __init__(self, agents: Any, random: Any = None, model: TableModel | None = None) -> None:
        self._model = None  # Mesa's constructor reads the set: nothing to make for that
        super().__init__(agents, random=random)
        self._model = model

    @property
    def _agents(self) -> dict:
        if self._model is not None:
            self._model.make_agents()
        return self._store

    @_agents.setter
    def _agents(self, value: dict) -> None:
        self._store = value


def _make(cls: type[TableAgent], model: TableModel, uid: np.ndarray, rows: np.ndarray) -> list:
    """Objects of ``cls`` for ``rows`` with ids ``uid``, set up as Mesa's ``Agent.__init__``
    and :class:`TableAgent` would (each loop runs in C)."""
    n = rows.size
    agents = list(map(cls.__new__, repeat(cls, n)))
    _consume(map(setattr, agents, repeat("model"), repeat(model, n)))
    _consume(map(setattr, agents, repeat("unique_id"), uid.tolist()))
    _consume(map(setattr, agents, repeat("pos"), repeat(None, n)))
    _consume(map(setattr, agents, repeat("row"), rows.tolist()))
    return agents


def remove_rows(model: mesa.Model, table: AgentTable, rows: np.ndarray, kill: bool = True) -> None:
    """Remove the agents of ``rows`` from ``model`` (as ``agent.remove()`` would).

    Args:
        model: The model the agents are registered with.
        table: The table holding them.
        rows: Their rows.
        kill: Whether to mark the rows dead too; False keeps the rows for new agents.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if isinstance(model, TableModel) and not _batch_registration_ok(model, table.kinds):
        model.make_agents()  # someone is listening: every agent leaves through Mesa, announced
    made = rows[table.data[MADE][rows]]
    agents = table.agents[made].tolist()
    types = set(map(type, agents))
    if _batch_registration_ok(model, types):
        # like Agent.remove, an agent removed before is skipped
        for cls in types:
            of_type = agents if len(types) == 1 else [a for a in agents if type(a) is cls]
            _discard_all(model._agents_by_type[cls], of_type)
        _discard_all(model._all_agents, agents)
    else:
        for agent in agents:
            agent.remove()
    table.detach(rows)
    table.agents[rows] = None
    table.data[MADE][rows] = False
    table.data[UID][rows] = -1  # a row kept for a new agent has no agent until then
    if kill:
        table.kill(rows)


def change_kind(
    model: mesa.Model, table: AgentTable, rows: np.ndarray, cls: type[TableAgent]
) -> None:
    """The agents of ``rows`` change role to ``cls`` and stay the same agents.

    A documented transition that keeps the person: same row, same ``unique_id``, same Python
    object when it exists (its class becomes ``cls`` and it moves from the agent set of its old
    kind to that of the new one, at the end, as a newly registered agent would). Used when a
    side-entrant qualifies and becomes a teacher.

    Args:
        model: The model the agents are registered with.
        table: The table holding them.
        rows: Their rows.
        cls: The new agent class (same table).
    """
    rows = np.asarray(rows, dtype=np.int64)
    if rows.size == 0:
        return
    code = table.kind_code(cls)
    made = rows[table.data[MADE][rows]]
    table.data[KIND][rows] = code
    if isinstance(model, TableModel):
        model._table_kind_set(cls)
    if made.size == 0:
        return
    agents = table.agents[made].tolist()
    by_type = model._agents_by_type
    for old in set(map(type, agents)) - {cls}:
        _discard_all(by_type[old], [a for a in agents if type(a) is old])
    for agent in agents:
        agent.__class__ = cls
    if cls not in by_type:
        by_type[cls] = _HardKeyAgentSet([], random=model.random)
    _add_all(by_type[cls], agents)


def _consume(iterator: Any) -> None:
    """Run an iterator to its end, keeping nothing (the loop runs in C)."""
    deque(iterator, maxlen=0)


def _store(agent_set: Any) -> dict | None:
    """The dictionary behind Mesa's strong agent set (without making unmade agents), or None
    for another kind of set."""
    if isinstance(agent_set, _LazyAgentSet):
        return agent_set._store
    store = getattr(agent_set, "_agents", None)
    return store if type(store) is dict else None


def _add_all(agent_set: Any, agents: list) -> None:
    """``for a in agents: agent_set.add(a)``, in one dictionary update when the set is Mesa's
    dictionary-backed ``_HardKeyAgentSet`` (the same entries in the same order)."""
    store = _store(agent_set)
    if type(agent_set).add is _HardKeyAgentSet.add and store is not None:
        store.update(dict.fromkeys(agents))
    else:
        _consume(map(agent_set.add, agents))


def _discard_all(agent_set: Any, agents: list) -> None:
    """``for a in agents: agent_set.discard(a)``, as dictionary pops run in C when the set is
    Mesa's dictionary-backed ``_HardKeyAgentSet``."""
    store = _store(agent_set)
    if type(agent_set).discard is _HardKeyAgentSet.discard and store is not None:
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


def rank_within(groups: np.ndarray) -> np.ndarray:
    """Position of each element among the earlier elements of its group (0, 1, 2, ...)."""
    order = np.argsort(groups, kind="stable")
    sorted_groups = groups[order]
    starts = np.r_[0, np.flatnonzero(np.diff(sorted_groups)) + 1]
    counts = np.diff(np.r_[starts, sorted_groups.size])
    rank_sorted = np.arange(sorted_groups.size) - np.repeat(starts, counts)
    rank = np.empty_like(rank_sorted)
    rank[order] = rank_sorted
    return rank
