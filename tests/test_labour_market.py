import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.matching import BoardRecruitment, RegionalPool, Seekers, Vacancies


def _vac(school, subject, level, fte, need):
    return Vacancies(
        np.array(school),
        np.array(subject),
        np.array(level),
        np.array(fte, float),
        np.array(need, float),
    )


def _seekers(subject, degree, fte=None, subject2=None, floor=None):
    n = len(subject)
    return Seekers(
        np.array(subject),
        np.array(subject2 if subject2 is not None else [-1] * n),
        np.array(degree),
        np.array(fte if fte is not None else [0.8] * n),
        np.array(floor if floor is not None else [-np.inf] * n, float),
    )


TOL = 0.1
STRATEGIES = [
    BoardRecruitment(rounds=50, applications_per_round=1, tolerance=TOL),
    RegionalPool(tolerance=TOL),
]


def SchoolRecruitment(applications: int) -> BoardRecruitment:  # noqa: N802
    """Each site its own board (the vacancies' default), ``applications`` one per round."""
    return BoardRecruitment(rounds=applications, applications_per_round=1, tolerance=TOL)


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_degree_and_subject_eligibility(strategy):
    vac = _vac([0, 1, 2], [0, 0, 1], [0, 1, 0], [1, 1, 1], [10, 10, 10])
    seekers = _seekers([0, 0, 1], [2, 2, 2])  # second-degree seekers
    placed = strategy.place(seekers, vac, np.zeros(3), np.random.default_rng(0))
    # a second-degree seeker only fits lower-year lessons (level 1) of their own subject
    assert list(placed) in ([1, -1, -1], [-1, 1, -1])
    dual = _seekers([2], [1], subject2=[1])
    assert strategy.place(dual, vac, np.zeros(3), np.random.default_rng(0))[0] == 2


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_no_vacancy_is_overfilled(strategy):
    rng = np.random.default_rng(3)
    vac = _vac(
        range(20),
        rng.integers(0, 3, 20),
        rng.integers(0, 2, 20),
        rng.uniform(0.2, 3, 20),
        rng.uniform(5, 20, 20),
    )
    seekers = _seekers(rng.integers(0, 3, 200), rng.integers(1, 3, 200), rng.uniform(0.4, 1.0, 200))
    placed = strategy.place(seekers, vac, rng.normal(size=20), rng)
    filled = np.bincount(placed[placed >= 0], weights=seekers.fte[placed >= 0], minlength=20)
    assert (filled <= vac.fte + TOL + 1e-9).all()  # at most the tolerance beyond the open fte
    assert (placed >= 0).sum() > 0


def test_pool_places_where_relative_need_is_largest():
    # equal open fte; school 1 is much smaller, so its relative need is larger
    vac = _vac([0, 1], [0, 0], [1, 1], [1.0, 1.0], [20.0, 4.0])
    placed = RegionalPool(TOL).place(_seekers([0], [2]), vac, np.zeros(2), np.random.default_rng(1))
    assert placed[0] == 1


def test_school_recruitment_fills_attractive_schools_first():
    vac = _vac([0, 1], [0, 0], [1, 1], [1.0, 1.0], [10, 10])
    attract = np.array([1.5, 0.0])
    wins = np.zeros(2)
    for seed in range(300):
        placed = SchoolRecruitment(1).place(
            _seekers([0], [2]), vac, attract, np.random.default_rng(seed)
        )
        wins[placed[0]] += 1
    # weights exp(1.5):exp(0) = 4.5:1 => about 82% to school 0
    assert 0.74 < wins[0] / wins.sum() < 0.89


def test_pool_loses_fewer_seekers_than_recruiting_alone():
    rng = np.random.default_rng(7)
    vac = _vac(range(30), np.zeros(30, int), np.ones(30, int), np.full(30, 0.8), np.full(30, 10.0))
    seekers = _seekers([0] * 30, [2] * 30)
    attract = rng.normal(size=30)
    alone = SchoolRecruitment(3).place(seekers, vac, attract, np.random.default_rng(1))
    pool = RegionalPool(TOL).place(seekers, vac, attract, np.random.default_rng(1))
    assert (pool >= 0).sum() == 30
    assert (alone >= 0).sum() < 30  # collisions: some applications land on filled vacancies


def test_movers_only_apply_above_their_floor():
    vac = _vac([0, 1, 2], [0, 0, 0], [1, 1, 1], [1, 1, 1], [10, 10, 10])
    attract = np.array([0.0, 1.0, 2.0])
    seekers = _seekers([0] * 40, [2] * 40, [0.1] * 40, floor=[0.5] * 40)
    placed = SchoolRecruitment(3).place(seekers, vac, attract, np.random.default_rng(2))
    assert set(placed[placed >= 0]) <= {1, 2}
    nobody = _seekers([0], [2], floor=[5.0])
    assert SchoolRecruitment(3).place(nobody, vac, attract, np.random.default_rng(2))[0] == -1


def test_vacancies_from_open_skips_tiny_gaps():
    open_by_level = np.zeros((2, 2, 2))
    open_by_level[0, 1, 0] = 0.5
    open_by_level[1, 0, 1] = 0.01
    vac = Vacancies.from_open(open_by_level, np.ones((2, 2, 2)))
    assert len(vac) == 1 and vac.school[0] == 0 and vac.subject[0] == 1 and vac.level[0] == 0


def test_applications_follow_open_fte_times_attractiveness_within_each_group():
    """One application each, to the board of a vacancy of the seeker's subject (a second-degree seeker only
    at the lower-years level), drawn with weight open fte x exp(attractiveness) among the
    vacancies above the seeker's floor; vacancies are large, so every application is taken."""
    school = [0, 1, 2, 0, 1, 2, 1]
    subject = [0, 0, 0, 1, 1, 1, 0]
    level = [1, 1, 1, 1, 1, 1, 0]  # the last: subject 0, first-degree lessons only
    fte = [50.0, 100.0, 50.0, 30.0, 30.0, 90.0, 100.0]
    vac = _vac(school, subject, level, fte, [500.0] * 7)
    attract = np.array([0.0, np.log(2.0), np.log(0.5)])
    n = 6000
    groups = {  # (subject, degree, floor): expected shares over the vacancies
        (0, 2, -np.inf): [50, 200, 25, 0, 0, 0, 0],
        (0, 1, -np.inf): [50, 200, 25, 0, 0, 0, 200],
        (1, 2, -np.inf): [0, 0, 0, 30, 60, 45, 0],
        (0, 1, 0.1): [0, 200, 0, 0, 0, 0, 200],  # only school 1 is above the floor
    }
    for (subj, degree, floor), weights in groups.items():
        seekers = _seekers([subj] * n, [degree] * n, [0.001] * n, floor=[floor] * n)
        placed = SchoolRecruitment(1).place(seekers, vac, attract, np.random.default_rng(3))
        assert (placed >= 0).all()
        # the application goes to the school's board (here each school is its own board),
        # which then places the seeker at its own vacancy with the largest relative need
        got = np.bincount(vac.school[placed], minlength=3) / n
        want = np.bincount(vac.school, weights=np.array(weights, float), minlength=3)
        want /= want.sum()
        np.testing.assert_allclose(got, want, atol=0.025)


# ---------------------------------------------------------------- matching that fits

_sizes = st.integers(3, 10).map(lambda k: k / 10)  # contracts of 0.3-1.0 fte


@st.composite
def _market(draw):
    """Random vacancies (with boards), seekers and a search process."""
    n_vac = draw(st.integers(1, 25))
    n_seek = draw(st.integers(1, 40))
    n_sub = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    # one entry per school, subject group and level, as the model posts them
    cells = np.unique(
        np.stack(
            [rng.integers(0, 8, n_vac), rng.integers(0, n_sub, n_vac), rng.integers(0, 2, n_vac)]
        ),
        axis=1,
    )
    school, subject, level = cells
    n_vac = school.size
    board_of_school = rng.integers(0, 3, 8)
    vac = Vacancies(
        school,
        subject,
        level,
        np.round(rng.uniform(0.05, 2.5, n_vac), 2),
        rng.uniform(0.5, 20, n_vac),
        board_of_school[school],
    )
    seekers = Seekers(
        rng.integers(0, n_sub, n_seek),
        np.where(rng.random(n_seek) < 0.3, rng.integers(0, n_sub, n_seek), -1),
        rng.integers(0, 3, n_seek),
        np.array(draw(st.lists(_sizes, min_size=n_seek, max_size=n_seek))),
        np.where(rng.random(n_seek) < 0.3, rng.normal(size=n_seek), -np.inf),
        rng.uniform(0, 1, n_seek),
    )
    tol = draw(st.sampled_from([0.0, 0.05, 0.1, 0.2]))
    strategy = draw(
        st.sampled_from(
            [
                BoardRecruitment(draw(st.integers(1, 4)), draw(st.integers(1, 3)), tol),
                RegionalPool(tol),
            ]
        )
    )
    return vac, seekers, rng.normal(size=8), strategy, tol, seed


@settings(max_examples=300, deadline=None)
@given(_market())
def test_no_seeker_is_placed_where_they_do_not_fit(market):
    """Property: every placement is one the job can hold within the tolerance, in the
    seeker's subject, at a level their degree allows, above their floor; and no job takes more
    than its open fte plus the tolerance. A second-degree seeker's job is the lower-year hours
    of a school and subject; a first-degree seeker's job there holds the hours of both levels."""
    vac, seekers, attract, strategy, tol, seed = market
    placed = strategy.place(seekers, vac, attract, np.random.default_rng(seed))
    ok = np.flatnonzero(placed >= 0)
    v = placed[ok]
    cell = vac.school * 10 + vac.subject
    cell_open = {c: vac.fte[cell == c].sum() for c in np.unique(cell)}
    lower_open = {c: vac.fte[(cell == c) & (vac.level == 1)].sum() for c in np.unique(cell)}
    first = seekers.degree[ok] == 1
    room = np.array(
        [(cell_open if f else lower_open)[c] for c, f in zip(cell[v], first, strict=True)]
    )
    assert (seekers.fte[ok] <= room + tol + 1e-9).all()
    assert (
        (vac.subject[v] == seekers.subject[ok]) | (vac.subject[v] == seekers.subject2[ok])
    ).all()
    assert ((vac.level[v] == 1) | (seekers.degree[ok] == 1)).all()
    assert (attract[vac.school[v]] > seekers.min_attractiveness[ok]).all()
    # the last one placed fitted what was left, so the total exceeds the open fte by at most tol
    for c, total in cell_open.items():
        assert seekers.fte[ok][cell[v] == c].sum() <= total + tol + 1e-9
        lower = (cell[v] == c) & ~first
        assert seekers.fte[ok][lower].sum() <= lower_open[c] + tol + 1e-9


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_a_whole_contract_never_fills_a_sliver(strategy):
    vac = _vac([0, 1], [0, 0], [1, 1], [0.06, 0.45], [10, 10])
    placed = strategy.place(
        _seekers([0, 0], [2, 2], fte=[1.0, 0.5]), vac, np.zeros(2), np.random.default_rng(0)
    )
    assert placed[0] == -1  # 1.0 fte fits neither 0.06 nor 0.45 open
    assert placed[1] == 1  # 0.5 fte fits 0.45 open within the 0.1 tolerance
    strict = type(strategy)(*((1, 1, 0.0) if strategy.name == "board_recruitment" else (0.0,)))
    again = strict.place(_seekers([0], [2], fte=[0.5]), vac, np.zeros(2), np.random.default_rng(0))
    assert again[0] == -1  # without tolerance 0.45 cannot hold 0.5


def test_sites_of_one_board_do_not_compete():
    """A seeker who applies to a board is placed at its site with the largest relative need
    that fits, however attractive its other sites are; alone, the attractive site wins."""
    school, subject, level = [0, 1], [0, 0], [1, 1]
    fte, need = [1.0, 1.0], [20.0, 4.0]  # site 1: larger relative need
    attract = np.array([3.0, 0.0])  # site 0: far more attractive
    one_board = Vacancies(*map(np.array, (school, subject, level, fte, need)), np.array([0, 0]))
    alone = _vac(school, subject, level, fte, need)  # each site its own board
    recruit = BoardRecruitment(1, 1, TOL)
    at_board, at_sites = np.zeros(2), np.zeros(2)
    for seed in range(200):
        seeker = _seekers([0], [2])
        at_board[recruit.place(seeker, one_board, attract, np.random.default_rng(seed))[0]] += 1
        at_sites[recruit.place(seeker, alone, attract, np.random.default_rng(seed))[0]] += 1
    assert at_board[1] == 200
    assert at_sites[0] > 150  # exp(3) : 1 weights when the sites recruit alone


def test_unplaced_seekers_stop_looking_after_a_round():
    """With the search going on for many rounds, seekers who never quit find more jobs than
    seekers who all quit after the first round (who get exactly one round)."""
    rng = np.random.default_rng(5)
    vac = _vac(range(40), np.zeros(40, int), np.ones(40, int), np.full(40, 0.8), np.full(40, 10.0))
    attract = rng.normal(size=40) * 2
    recruit = BoardRecruitment(6, 1, TOL)
    stay = _seekers([0] * 40, [2] * 40)
    leave = Seekers(
        stay.subject, stay.subject2, stay.degree, stay.fte, stay.min_attractiveness, np.ones(40)
    )
    n_stay = (recruit.place(stay, vac, attract, np.random.default_rng(1)) >= 0).sum()
    n_leave = (recruit.place(leave, vac, attract, np.random.default_rng(1)) >= 0).sum()
    n_one = (
        BoardRecruitment(1, 1, TOL).place(stay, vac, attract, np.random.default_rng(1)) >= 0
    ).sum()
    assert n_leave == n_one
    assert n_stay > n_leave


def test_a_board_places_only_at_its_own_sites():
    """A seeker whose first subject group has no vacancies applies, through their second, to
    the far more attractive board 0 and is placed there, never at board 1's needier site."""
    vac = Vacancies(
        np.array([0, 1]),
        np.array([0, 0]),
        np.array([1, 1]),
        np.array([1.0, 1.0]),
        np.array([10.0, 2.0]),  # site 1 (board 1) has the larger relative need
        np.array([0, 1]),
    )
    attract = np.array([8.0, 0.0])
    for seed in range(20):
        placed = BoardRecruitment(1, 1, TOL).place(
            _seekers([1], [2], subject2=[0]), vac, attract, np.random.default_rng(seed)
        )
        assert placed[0] == 0


@pytest.mark.parametrize("strategy", STRATEGIES, ids=lambda s: s.name)
def test_a_first_degree_job_holds_the_open_hours_of_both_levels(strategy):
    """0.3 fte of upper-year and 0.5 fte of lower-year lessons open at one school and subject:
    a first-degree teacher can teach both, so an 0.8-fte contract fits there; a second-degree
    teacher may teach only the lower years, so it does not."""
    vac = _vac([0, 0], [0, 0], [0, 1], [0.3, 0.5], [10, 10])
    rng = np.random.default_rng(0)
    first = strategy.place(_seekers([0], [1], fte=[0.8]), vac, np.zeros(1), rng)
    second = strategy.place(_seekers([0], [2], fte=[0.8]), vac, np.zeros(1), rng)
    assert first[0] == 0  # placed on the upper-year entry, the lower years take the rest
    assert second[0] == -1
    # two first-degree teachers of 0.4: the first takes the upper years first, the second fits
    # what is left of the lower years
    both = strategy.place(_seekers([0, 0], [1, 1], fte=[0.4, 0.4]), vac, np.zeros(1), rng)
    assert (both >= 0).all()
