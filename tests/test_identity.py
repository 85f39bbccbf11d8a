"""One person, one agent: held objects keep their own state after removal; a side-entrant who
qualifies, a graduate who is hired and a teacher who returns from the silent reserve keep one
``unique_id``; the per-person history follows them."""

import numpy as np
import pandas as pd
import pytest

from sim import RegionModel
from sim.model.agents import EXIT_REASONS, ROUTE, SideEntrant, Student, Teacher
from sim.model.history import History, follow_cohort
from sim.model.reserve import SilentReserve
from sim.model.table import UID, AgentTable, Column, TableAgent, TableModel, change_kind


@pytest.fixture(scope="module")
def held_run():
    """2,000 teachers held from the first census, their state then, and the model 5 years on."""
    model = RegionModel(rng=3)
    held = list(model.agents_by_type[Teacher])[:2000]
    before = {t.unique_id: (t.age, t.subject, t.school, t.entry_year) for t in held}
    model.run_for(5)
    return model, held, before


def test_a_held_teacher_never_reads_another_persons_data(held_run):
    model, held, before = held_run
    living = set(model.agents)
    gone = [t for t in held if t not in living]
    assert len(gone) > 200  # enough people left in five years for the check to bite
    for t in gone:
        age0, subject0, _, entry0 = before[t.unique_id]
        assert t.subject == subject0
        assert t.entry_year == entry0
        assert age0 < t.age <= age0 + 5  # aged until they left, not someone else's age
    # and a living held teacher still reads its own row
    wf = model.workforce
    for t in held:
        if t in living:
            assert t.row is not None and wf.data[UID][t.row] == t.unique_id


def test_a_removed_agent_keeps_its_last_state_when_its_row_is_reused():
    class Thing(TableAgent):
        table_attr = "things"
        tag = Column()

    class Host(TableModel):
        agent_tables = ("things",)

        def __init__(self) -> None:
            super().__init__(rng=1)
            self.things = AgentTable({"tag": np.int64}, 16)

    model = Host()
    rows = model.things.add(4, tag=np.arange(4))
    Thing.create_rows(model, rows)
    first = model.things.agent(0)
    from sim.model.table import remove_rows

    remove_rows(model, model.things, np.array([0, 1]))
    model.things.compact(0.1)  # row 0 now holds the agent tagged 2
    Thing.create_rows(model, model.things.add(3, tag=[7, 8, 9]))
    assert first.tag == 0
    first.tag = 5  # writes go to its own state, not to the row's new owner
    assert first.tag == 5 and 5 not in model.things.col("tag")[model.things.live()].tolist()


def test_a_side_entrant_who_qualifies_keeps_its_id_and_object():
    model = RegionModel(rng=2)
    near = [s for s in model.agents_by_type[SideEntrant] if s.training_year == 1]
    assert near
    ids = {s.unique_id for s in near}
    model.step()
    teachers = {t.unique_id: t for t in model.agents_by_type[Teacher]}
    qualified = [s for s in near if s.unique_id in teachers]
    assert qualified  # some finished the route this year (others dropped out)
    for s in qualified:
        assert teachers[s.unique_id] is s  # the same object, now a Teacher
        assert isinstance(s, Teacher) and s.degree == 2
    assert not ids & {s.unique_id for s in model.agents_by_type[SideEntrant]}
    uids = [a.unique_id for a in model.agents]
    assert len(uids) == len(set(uids))
    h = model.history.frame()
    assert set(h.loc[h["event"] == "qualified", "unique_id"]) == {s.unique_id for s in qualified}


@pytest.fixture(scope="module")
def long_run():
    model = RegionModel(rng=5)
    model.run_for(12)
    return model, model.history.frame()


def test_a_hired_graduate_keeps_the_id_they_had_as_a_student(long_run):
    _, h = long_run
    hired = h.loc[(h["event"] == "hired") & (h["detail"] == ROUTE["graduate"])]
    students = set(h.loc[h["event"] == "enrolled", "unique_id"])
    assert len(hired) > 100
    assert hired["unique_id"].isin(students).all()
    grads = h.loc[h["event"] == "graduated"].set_index("unique_id")["year"]
    assert (grads.loc[hired["unique_id"]].to_numpy() == hired["year"].to_numpy()).all()


def test_a_returner_from_the_silent_reserve_is_the_teacher_who_left(long_run):
    model, h = long_run
    left = h.loc[(h["event"] == "left") & (h["detail"] == EXIT_REASONS.index("left_education"))]
    back = h.loc[(h["event"] == "hired") & (h["detail"] == ROUTE["returner"])]
    pairs = back.merge(left, on="unique_id", suffixes=("", "_left"))
    # the reserve takes leavers in the year they leave (0 years out), so back may be that year
    own = pairs.loc[pairs["year_left"] <= pairs["year"]].drop_duplicates(["unique_id", "year"])
    assert len(own) > 50  # returners from this run's own leavers keep their id
    # every other returner is someone of the initial reserve: an id never seen before the hire
    first_seen = h.groupby("unique_id")["year"].min()
    keyed = back.set_index(["unique_id", "year"]).index
    others = back.loc[~keyed.isin(own.set_index(["unique_id", "year"]).index)]
    assert (first_seen.loc[others["unique_id"]].to_numpy() == others["year"].to_numpy()).all()
    # ids are never shared by two living agents, and every known reserve member is gone
    uids = [a.unique_id for a in model.agents]
    assert len(uids) == len(set(uids))
    assert not set(model.reserve.known_uid.tolist()) & set(uids)


def test_the_known_members_of_the_reserve_stay_inside_its_counts():
    rng = np.random.default_rng(1)
    r = SilentReserve()
    r.add(np.array([40, 40, 41, 66, 66]), 0, uids=np.array([1, 2, -1, 3, 4]))
    r.add(np.array([40, 55]), 3)
    assert r.known_uid.tolist() == [1, 2, 3, 4]
    r.age_one_year(67.0, rng, rng)  # the two aged 66 reach 67 and leave
    assert sorted(r.known_uid.tolist()) == [1, 2]
    assert r.size == 5
    ages, out = np.array([41, 41]), np.array([1, 1])  # both aged-41 one-year-outs seek
    ids = r.seeker_ids(ages, out, rng)
    assert sorted(ids.tolist()) == [1, 2]  # the cell holds only these two known people
    r.remove(ages, out, ids)
    assert r.known_uid.size == 0 and r.size == 3


def test_follow_cohort_counts_where_the_people_are():
    h = History()
    se = ROUTE["side_entrant"]
    h.record("hired", 2025, np.arange(10), 0, se)
    h.record("hired", 2025, np.array([99]), 0, ROUTE["graduate"])  # another route
    h.record("left", 2027, np.array([0, 1]), 0, EXIT_REASONS.index("left_region"))
    h.record("dropped_out", 2026, np.array([2]), 0, 1)
    h.record("left", 2028, np.array([3]), 0, EXIT_REASONS.index("left_education"))
    h.record("hired", 2029, np.array([3]), 4, ROUTE["returner"])  # back again
    h.record("left", 2031, np.array([4]), 0, EXIT_REASONS.index("retirement"))  # too late
    out = follow_cohort(h.frame(), se, 2025, 5)
    assert out["hired"] == 10
    assert out["left_region"] == pytest.approx(0.2)
    assert out["left_education"] == pytest.approx(0.1)
    assert out["in_region"] == pytest.approx(0.7)
    assert out["in_education"] == pytest.approx(0.9)


def test_history_follows_moves_and_exits_with_schools(long_run):
    model, h = long_run
    moved = h.loc[h["event"] == "moved"]
    assert len(moved) > 0 and (moved["school"] != moved["detail"]).all()
    # a person's school after their last move is the school their row holds now
    wf = model.workforce
    live = wf.live()
    now = pd.Series(wf.data["school"][live], index=wf.data[UID][live])
    placed = h.loc[h["event"].isin(["present", "hired", "moved"]) & h["unique_id"].isin(now.index)]
    last = placed.groupby("unique_id").tail(1).set_index("unique_id")["school"]
    assert (last.to_numpy() == now.loc[last.index].to_numpy()).all()


def test_change_kind_moves_made_agents_between_type_sets():
    model = RegionModel(rng=4)
    se = list(model.agents_by_type[SideEntrant])[:3]
    rows = np.array([s.row for s in se])
    n_t = len(model.agents_by_type[Teacher])
    change_kind(model, model.workforce, rows, Teacher)
    assert all(type(s) is Teacher for s in se)
    assert len(model.agents_by_type[Teacher]) == n_t + 3
    assert not set(se) & set(model.agents_by_type[SideEntrant])
    assert Student not in {type(s) for s in se}
