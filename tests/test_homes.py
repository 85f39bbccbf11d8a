"""Homes and commuting: where people live, the commute in job choice, moving and leaving, the
internship school's board as a graduate's first choice, and the flow data and charts."""

import numpy as np
import pandas as pd
import pytest

from sim import RegionModel
from sim.model.agents import Teacher
from sim.model.flows import commute_frame, home_work, moves_matrix
from sim.model.homes import commute_km, too_far
from sim.model.matching import BoardRecruitment, RegionalPool, Seekers, Vacancies
from sim.model.stages.market import search_rate
from sim.plots.flows import flows_figure

TOL = 0.1
STRATEGIES = [
    BoardRecruitment(rounds=20, applications_per_round=1, tolerance=TOL),
    RegionalPool(tolerance=TOL),
]


@pytest.fixture(scope="module")
def model():
    m = RegionModel(rng=7)
    m.run_for(3)
    return m


def _vacancies(xy):
    n = len(xy)
    return Vacancies(
        np.arange(n),
        np.zeros(n, int),
        np.ones(n, int),
        np.ones(n),
        np.full(n, 10.0),
        xy=np.asarray(xy, float),
    )


def _seeker(home, reach, first_unit=None):
    return Seekers(
        np.array([0]),
        np.array([-1]),
        np.array([2]),
        np.array([0.8]),
        np.array([-np.inf]),
        home=np.array([home], float),
        max_commute=np.array([reach], float),
        first_unit=None if first_unit is None else np.array([first_unit]),
    )


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_a_seeker_takes_no_job_beyond_their_longest_commute(strategy):
    vac = _vacancies([(0.0, 0.0), (50.0, 0.0)])
    near0 = strategy.place(_seeker((48.0, 0.0), 10.0), vac, np.zeros(2), np.random.default_rng(1))
    assert near0.tolist() == [1]  # only the school 2 km away is within reach
    none = strategy.place(_seeker((25.0, 30.0), 10.0), vac, np.zeros(2), np.random.default_rng(1))
    assert none.tolist() == [-1]
    anywhere = strategy.place(
        _seeker((25.0, 30.0), np.inf), vac, np.zeros(2), np.random.default_rng(1)
    )
    assert anywhere.tolist()[0] in (0, 1)


def test_a_graduates_first_choice_board_is_asked_first():
    # two equal vacancies; the seeker names the board of school 1 and is placed there every time
    vac = _vacancies([(0.0, 0.0), (1.0, 0.0)])
    strategy = BoardRecruitment(rounds=1, applications_per_round=1, tolerance=TOL)
    got = {
        int(
            strategy.place(
                _seeker((0.5, 0.0), 50.0, 1), vac, np.zeros(2), np.random.default_rng(s)
            )[0]
        )
        for s in range(20)
    }
    assert got == {1}
    free = {
        int(
            strategy.place(_seeker((0.5, 0.0), 50.0), vac, np.zeros(2), np.random.default_rng(s))[0]
        )
        for s in range(20)
    }
    assert free == {0, 1}


def test_initial_staff_live_near_their_school_and_accept_their_commute():
    m = RegionModel(rng=3)
    wf = m.workforce
    live = wf.live()
    d = commute_km(m, live)
    assert (wf.data["max_commute"][live] >= d - 1e-9).all()
    assert not too_far(m, live).any()
    # gravity: much nearer than a home drawn by population alone
    rng = np.random.default_rng(0)
    _, xy = m.municipalities.draw(live.size, rng)
    school = m.xy[wf.data["school"][live]]
    random_d = np.hypot(*(xy - school).T)
    assert np.median(d) < 0.85 * np.median(random_d)
    # and the nearer, the shorter the gravity scale
    near = RegionModel(rng=3, home_distance_scale_km=2.0)
    wide = RegionModel(rng=3, home_distance_scale_km=50.0)
    med = [np.median(commute_km(x, x.workforce.live())) for x in (near, wide)]
    assert med[0] < 0.8 * med[1]


def test_students_of_the_region_live_by_population():
    m = RegionModel(rng=3)
    st = m.students
    live = st.live()
    inside = live[st.data["from_region"][live]]
    share = np.bincount(st.data["home_muni"][inside], minlength=len(m.municipalities.names))
    share = share / share.sum()
    pop = m.municipalities.population / m.municipalities.population.sum()
    assert np.abs(share - pop).max() < 0.05


def test_a_long_commute_raises_looking_and_leaving():
    m = RegionModel(rng=3, feedbacks=False, commute_mover_rr=3.0, commute_exit_rr=1.5)
    wf = m.workforce
    live = wf.live()
    rows = live[wf.data["degree"][live] != 0][:200]
    base_rate = search_rate(m, rows)
    base_hazard = Teacher.exit_hazard(m, rows)
    far = rows[:100]
    wf.data["max_commute"][far] = commute_km(m, far) - 1.0  # now too far for them
    assert np.allclose(search_rate(m, far), np.minimum(3.0 * base_rate[:100], 1.0))
    assert np.allclose(Teacher.exit_hazard(m, far), np.minimum(1.5 * base_hazard[:100], 1.0))
    assert np.allclose(search_rate(m, rows[100:]), base_rate[100:])


def test_workload_raises_looking_for_another_school():
    m = RegionModel(rng=3, workload_mover_sensitivity=4.0)
    wf = m.workforce
    live = wf.live()
    rows = live[wf.data["degree"][live] != 0][:50]
    m.workload[:] = m.p.workload_threshold
    calm = search_rate(m, rows)
    m.workload[:] = m.p.workload_threshold + 0.1
    busy = search_rate(m, rows)
    assert np.allclose(busy, np.minimum(calm * 1.4, 1.0))


def test_home_work_counts_every_member_of_staff_by_home_and_work(model):
    hw = home_work(model)
    wf = model.workforce
    live = wf.live()
    assert hw.to_numpy().sum() == live.size
    homes = np.bincount(wf.data["home_muni"][live], minlength=hw.shape[0])
    assert (hw.sum(axis=1).to_numpy() == homes).all()
    works = pd.Series([model.schools[s].municipality for s in wf.data["school"][live]])
    assert hw.sum(axis=0).to_dict() == {n: int((works == n).sum()) for n in hw.columns}


def test_moves_matrix_counts_the_years_moves_by_board(model):
    h = model.history.frame()
    moved = h.loc[(h["event"] == "moved") & (h["year"] == model.year)]
    assert len(moved) > 0
    by_board = moves_matrix(model)
    by_school = moves_matrix(model, by="school")
    assert by_board.to_numpy().sum() == by_school.to_numpy().sum() == len(moved)
    same = sum(
        model.schools[int(a)].board == model.schools[int(b)].board
        for a, b in zip(moved["detail"], moved["school"], strict=True)
    )
    assert np.trace(by_board.to_numpy()) == same
    with pytest.raises(ValueError, match="by='municipality'"):
        moves_matrix(model, by="municipality")


def test_flows_figure_shows_homes_and_moves(model):
    commutes = commute_frame(model)
    fig = flows_figure(commutes, model.school_frame(), moves_matrix(model), year=model.year)
    left, right = fig.axes[0], fig.axes[1]
    total = int(moves_matrix(model).to_numpy().sum())
    assert f"Moves in {model.year}: {total} teachers" in right.get_title()
    assert "median commute" in left.get_title()


def _final_years_without_internship(m):
    st = m.students
    live = st.live()
    final = live[st.data["year_of_study"][live] >= m.programme_duration[st.data["programme"][live]]]
    st.data["internship_school"][final] = -1
    return final


@pytest.mark.parametrize("choices", [1, 3])
def test_internships_go_to_partnership_schools_near_home(choices):
    from sim.model.stages.intake import assign_internships

    m = RegionModel(rng=8, internship_choices=choices)
    final = _final_years_without_internship(m)
    assign_internships(m, np.random.default_rng(0))
    st = m.students.data
    school = st["internship_school"][final]
    placed = school >= 0
    assert placed.any()
    inst = m.programme_institute[st["programme"][final]]
    # only the partnership schools of the student's own institute, within their places
    assert (m.school_institute[school[placed]] == inst[placed]).all()
    used = np.bincount(school[placed], minlength=len(m.schools))
    assert (used <= m.internship_places).all()
    full = used >= m.internship_places
    # a student is placed beyond their nearest partner schools only when those were all full
    home = np.column_stack([st["home_x"][final], st["home_y"][final]])
    for i in np.flatnonzero(placed):
        partners = np.flatnonzero((m.school_institute == inst[i]) & (m.internship_places > 0))
        d = np.hypot(*(home[i] - m.xy[partners]).T)
        nearest = partners[np.argsort(d, kind="stable")[:choices]]
        assert school[i] in nearest or full[nearest].all()
    # nearer than places handed out at random among the same schools
    km = np.hypot(*(home[placed] - m.xy[school[placed]]).T).mean()
    shuffled = np.random.default_rng(1).permutation(school[placed])
    same_inst = m.school_institute[shuffled] == inst[placed]
    km_random = np.hypot(*(home[placed][same_inst] - m.xy[shuffled[same_inst]]).T).mean()
    assert km < 0.8 * km_random


def test_a_graduates_first_application_goes_to_the_internship_schools_board(monkeypatch):
    from sim.model import responses
    from sim.model.model import STAGES
    from sim.model.stages import market

    m = RegionModel(rng=9, graduate_internship_application=1.0)
    m.run_for(1)
    m.year += 1
    m.year_counts.clear()
    for stage in STAGES[: STAGES.index(market)]:
        stage.run(m)
    seen = {}

    def spy(model, seekers, vac):
        seen["seekers"] = seekers
        return np.full(len(seekers), -1, dtype=np.int64)

    monkeypatch.setattr(responses, "recruit", spy)
    market.new_seekers(m)
    gs = m.graduate_seekers
    n = gs["subject"].size
    first = seen["seekers"].first_unit[:n]
    intern = gs["internship"]
    assert (intern >= 0).any() and (intern < 0).any()
    assert (first[intern >= 0] == m.board[intern[intern >= 0]]).all()
    assert (first[intern < 0] == -1).all()
    assert (seen["seekers"].first_unit[n:] == -1).all()
