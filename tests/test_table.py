"""AgentTable and Column: rows stay tied to their agents through add, kill, compact and growth;
agents made when first looked at, and batch (de)registration, are indistinguishable from Mesa's
own one-by-one path."""

import mesa
import numpy as np
import pandas as pd
import pytest
from mesa.experimental.mesa_signals.signal_types import ModelSignals

from sim import RegionModel
from sim.model.agents import SideEntrant, Student, Teacher
from sim.model.table import MADE, AgentTable, Column, TableAgent, TableModel, remove_rows


class Thing(TableAgent):
    """A table agent with two columns; ``tag`` is unique per agent, to check row ties."""

    table_attr = "things"
    tag = Column()
    size = Column()


class Other(Thing):
    """A second type sharing the table."""


class Host(TableModel):
    """A model whose table agents are made when first looked at."""

    agent_tables = ("things",)

    def __init__(self, capacity: int = 16) -> None:
        super().__init__(rng=1)
        self.things = AgentTable({"tag": np.int64, "size": np.float64}, capacity)
        self.next_tag = 0

    def spawn(self, n: int, cls: type[Thing] = Thing) -> np.ndarray:
        tags = np.arange(self.next_tag, self.next_tag + n)
        self.next_tag += n
        rows = self.things.add(n, tag=tags, size=tags * 0.5)
        cls.create_rows(self, rows)
        return rows


class PlainHost(mesa.Model):
    """The same with a plain Mesa model: every agent is made with its row."""

    def __init__(self, capacity: int = 16) -> None:
        super().__init__(rng=1)
        self.things = AgentTable({"tag": np.int64, "size": np.float64}, capacity)
        self.next_tag = 0

    spawn = Host.spawn


class Mark(mesa.Agent):
    """An ordinary Mesa agent beside the table agents."""


def _assert_consistent(model: Host) -> None:
    """Every live row has its agent, the agent knows its row, and nothing else is registered."""
    table = model.things
    assert len(model.agents) >= 0  # looking makes the agents
    live = table.live()
    agents = table.agents[live]
    assert [a.row for a in agents] == live.tolist()
    assert [a.tag for a in agents] == table.col("tag")[live].tolist()
    assert all(a.size == a.tag * 0.5 for a in agents)
    assert set(model.agents) == set(agents)
    assert len(model.agents) == live.size
    assert all(x is None for x in table.agents[table.n :])


def test_add_sets_columns_and_unset_columns_are_zero():
    table = AgentTable({"a": np.int16, "b": np.float64}, 16)
    rows = table.add(3, a=[1, 2, 3])
    assert rows.tolist() == [0, 1, 2]
    assert table.col("a").tolist() == [1, 2, 3]
    assert table.col("b").tolist() == [0.0, 0.0, 0.0]
    assert len(table) == 3
    with pytest.raises(KeyError, match="no column 'c'"):
        table.add(1, c=1)
    assert table.add(0).size == 0
    # rows freed by compaction are zeroed when used again, not left with old values
    table.add(2, a=[7, 8], b=[30.0, 40.0])
    table.kill(np.arange(5))
    assert table.compact(0.25) and table.n == 0
    again = table.add(2, a=[5, 6])
    assert table.col("b")[again].tolist() == [0.0, 0.0]


def test_column_reads_and_writes_the_agents_cell():
    model = Host()
    model.spawn(3)
    agent = model.things.agent(1)
    assert agent.tag == 1 and isinstance(agent.tag, int)
    agent.size = 7.25
    assert model.things.col("size")[1] == 7.25
    assert model.things.agent(0).size == 0.0  # neighbours untouched


def test_capacity_grows_and_keeps_rows_and_agents():
    model = Host(capacity=16)
    model.spawn(10)
    model.spawn(30)  # past the capacity: the arrays are reallocated
    assert model.things.capacity >= 40
    assert model.things.data["tag"].size == model.things.capacity
    assert model.things.alive.size == model.things.agents.size == model.things.capacity
    _assert_consistent(model)
    assert model.things.col("tag").tolist() == list(range(40))


def test_kill_then_compact_moves_rows_and_updates_agents():
    model = Host()
    model.spawn(20)
    dead = np.array([0, 3, 4, 9, 15, 19])
    survivors = [model.things.agent(i) for i in range(20) if i not in set(dead.tolist())]
    remove_rows(model, model.things, dead)
    assert not model.things.live_mask()[dead].any()
    assert model.things.compact(min_dead_share=0.25)
    assert model.things.n == 14
    assert list(model.things.agents[:14]) == survivors  # order kept
    _assert_consistent(model)
    model.spawn(5)  # new rows after the compacted ones
    _assert_consistent(model)


def test_compact_waits_for_enough_dead_rows():
    model = Host()
    model.spawn(20)
    remove_rows(model, model.things, np.array([5]))
    assert not model.things.compact(min_dead_share=0.25)
    assert model.things.n == 20
    assert model.things.agent(6).row == 6
    _assert_consistent(model)


def test_remove_rows_keeps_rows_when_asked_and_skips_agents_removed_before():
    model = Host()
    rows = model.spawn(4)
    model.things.agent(2).remove()  # Mesa's own removal, outside the table
    remove_rows(model, model.things, rows[1:3], kill=False)
    assert model.things.live_mask()[1:3].all()  # rows kept for new agents
    Other.create_rows(model, rows[1:3])
    assert [type(model.things.agent(i)) for i in range(4)] == [Thing, Other, Other, Thing]
    assert set(model.agents_by_type[Other]) == {model.things.agent(1), model.things.agent(2)}
    assert len(model.agents_by_type[Thing]) == 2
    _assert_consistent(model)


def _history(observed: bool, host: type = Host, look_between: bool = False):
    """Create, remove and re-create agents; return ids in model order, agents' attributes and
    the signals seen (observing forces Mesa's agent-by-agent path)."""
    model = host()
    seen: list = []

    def handler(signal) -> None:
        seen.append((signal.signal_type, signal.additional_kwargs["args"][0].unique_id))

    if observed:
        model.observe("agents", ModelSignals.AGENT_ADDED, handler)
        model.observe("agents", ModelSignals.AGENT_REMOVED, handler)
    Mark(model)
    model.spawn(5)
    if look_between:
        assert len(model.agents) == 6
    remove_rows(model, model.things, np.array([1, 3]))
    remove_rows(model, model.things, np.array([0]), kill=False)  # row 0 gets a new agent
    Other.create_rows(model, np.array([0]))
    model.spawn(3, Other)
    model.things.compact(0.1)
    ids = [(type(a).__name__, a.unique_id) for a in model.agents]
    by_type = {cls.__name__: [a.unique_id for a in s] for cls, s in model.agents_by_type.items()}
    attrs = [sorted(vars(a).items(), key=lambda kv: kv[0]) for a in model.agents]
    attrs = [[(k, v if k != "model" else None) for k, v in kv] for kv in attrs]
    return [ids, by_type], attrs, seen


@pytest.mark.parametrize("host, look_between", [(Host, False), (Host, True), (PlainHost, False)])
def test_batch_and_lazy_registration_match_mesas_own_path(host, look_between):
    fast, fast_attrs, fast_seen = _history(False, host, look_between)
    slow, slow_attrs, slow_seen = _history(True, host)
    assert fast == slow
    assert fast_attrs == slow_attrs  # same instance attributes, in the same state
    assert fast_seen == []
    # with an observer every agent is announced, one signal each, in order
    assert [s for s in slow_seen if s[0] == ModelSignals.AGENT_ADDED] == [
        (ModelSignals.AGENT_ADDED, i) for i in range(1, 11)
    ]
    assert [i for s, i in slow_seen if s == ModelSignals.AGENT_REMOVED] == [3, 5, 2]
    assert fast[0][0] == ("Mark", 1)  # the ordinary agent first, then by id
    assert [i for _, i in fast[0]] == sorted(i for _, i in fast[0])


def test_table_agents_are_made_when_first_looked_at():
    model = Host()
    Mark(model)
    rows = model.spawn(4)
    assert model.agent_id_counter == 6  # ids are given with the rows
    assert not model.things.data[MADE][rows].any()
    assert all(a is None for a in model.things.agents[rows])
    assert len(model._all_agents._store) == 1  # only the ordinary agent has an object so far
    # asking for an ordinary kind does not make the table agents
    assert len(model.agents_by_type[Mark]) == 1 and len(model._all_agents._store) == 1
    assert Thing in model.agents_by_type and model.agent_types == [Mark, Thing]
    remove_rows(model, model.things, rows[:1])  # never made: nothing to deregister
    agent = model.things.agent(2)  # one agent asked for: every living row gets its object
    assert agent.unique_id == 4 and agent.tag == 2 and agent.row == 2
    assert model.things.data[MADE][rows[1:]].all()
    assert [a.unique_id for a in model.agents_by_type[Thing]] == [3, 4, 5]
    assert model.things.agent(0) is None  # a dead row has no agent
    assert model.things.agent(2) is agent  # the same object every time


def _observer(model: mesa.Model) -> tuple[list, object]:
    """Subscribe to the model's agent signals; returns what is seen and the handler (Mesa
    holds handlers weakly, so the caller keeps it)."""
    seen: list = []

    def handler(signal) -> None:
        seen.append((signal.signal_type, signal.additional_kwargs["args"][0].unique_id))

    model.observe("agents", ModelSignals.AGENT_ADDED, handler)
    model.observe("agents", ModelSignals.AGENT_REMOVED, handler)
    return seen, handler


def test_an_observer_subscribing_after_lazy_rows_sees_what_mesa_would_show():
    """Agents created before the observer came are made silently, each once; what happens
    after is announced, removals of agents never looked at included."""
    results = {}
    for host in (Host, PlainHost):
        model = host()
        model.spawn(5)
        seen, _handler = _observer(model)
        model.spawn(3)  # Mesa's path from now on
        remove_rows(model, model.things, np.array([0, 1]))
        ids = [a.unique_id for a in model.agents]
        results[host.__name__] = (ids, seen)
    assert results["Host"] == results["PlainHost"]
    ids, seen = results["Host"]
    assert ids == [3, 4, 5, 6, 7, 8]
    assert [i for s, i in seen if s == ModelSignals.AGENT_ADDED] == [6, 7, 8]
    assert [i for s, i in seen if s == ModelSignals.AGENT_REMOVED] == [1, 2]


def test_an_agent_made_after_lazy_rows_comes_after_them_in_mesa_order():
    model = Host()
    model.spawn(3)
    Mark(model)
    model.spawn(1)
    assert [(type(a).__name__, a.unique_id) for a in model.agents] == [
        ("Thing", 1),
        ("Thing", 2),
        ("Thing", 3),
        ("Mark", 4),
        ("Thing", 5),
    ]


def test_a_held_agent_set_stays_current():
    """As with Mesa's own sets, ``model.agents`` or a kind's set kept in a variable shows
    agents created later, not only those that existed when it was taken."""
    model = Host()
    model.spawn(2)
    everyone, things = model.agents, model.agents_by_type[Thing]
    model.spawn(2)
    remove_rows(model, model.things, np.array([0]))
    assert [a.unique_id for a in everyone] == [2, 3, 4]
    assert [a.unique_id for a in things] == [2, 3, 4]


def test_remove_all_agents_removes_table_rows_too():
    model = Host()
    Mark(model)
    model.spawn(3)
    model.remove_all_agents()
    assert len(model.agents) == 0 and len(model.things) == 0


def test_batch_agents_look_like_agents_built_one_by_one():
    model = Host()
    rows = model.things.add(2, tag=[0, 1])
    Thing.create_rows(model, rows[:1])
    Thing(model, int(rows[1]))
    first, second = model.things.agent(0), model.things.agent(1)
    assert list(vars(first)) == list(vars(second))
    assert (first.unique_id, second.unique_id) == (1, 2)
    assert first.pos is None and first.model is model


def test_region_model_runs_the_same_whether_observed_or_looked_at_or_not():
    """Neither lazy nor batch registration changes a result: the run with Mesa's
    agent-by-agent path (forced by an observer), the run whose agents are looked at every year
    and the run looked at only at the end give the same series, agents, ids and order."""

    def run(observed: bool = False, look_every_year: bool = False):
        model = RegionModel(rng=5, policy="collaborative")
        added: list = []
        start = model.agent_id_counter

        def handler(signal) -> None:
            added.append(signal)

        if observed:
            model.observe("agents", ModelSignals.AGENT_ADDED, handler)
        for _ in range(3):
            model.step()
            if look_every_year:
                assert len(model.agents) > 0
        unmade = len(model._all_agents._store)
        agents = [(a.unique_id, type(a).__name__, getattr(a, "row", None)) for a in model.agents]
        return model, agents, added, model.agent_id_counter - start, unmade, start

    lazy, lazy_agents, _, _, unmade, _ = run()
    looked, looked_agents, _, _, _, _ = run(look_every_year=True)
    slow, slow_agents, added, created, _, start = run(observed=True)
    # nothing looked at the lazy run's agents: only schools and programmes had objects
    assert unmade == len(lazy.schools) + len(lazy.programmes)
    for other in (looked, slow):
        pd.testing.assert_frame_equal(lazy.series(), other.series())
    assert lazy_agents == looked_agents == slow_agents
    # every new id was announced; people who keep an id (hired graduates, returners) are
    # announced again as their new role, with their old id
    announced = [s.additional_kwargs["args"][0].unique_id for s in added]
    assert created > 1000 and len({i for i in announced if i >= start}) == created
    assert max(announced) < slow.agent_id_counter
    # the tables' living rows are exactly the registered table agents
    for table, kinds in ((lazy.workforce, (Teacher, SideEntrant)), (lazy.students, (Student,))):
        registered = {a for k in kinds for a in lazy.agents_by_type.get(k, [])}
        assert set(table.agents[table.live()]) == registered
        assert all(table.agent(r).row == r for r in table.live()[:200])
