import numpy as np
import pytest

from sim.model.matching import RegionalPool, SchoolRecruitment, Seekers, Vacancies


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


STRATEGIES = [SchoolRecruitment(applications=50), RegionalPool(chunk_fte=0.8)]


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
    assert (filled <= vac.fte + 1.0).all()  # at most one contract beyond the open fte
    assert (placed >= 0).sum() > 0


def test_pool_places_where_relative_need_is_largest():
    # equal open fte; school 1 is much smaller, so its relative need is larger
    vac = _vac([0, 1], [0, 0], [1, 1], [1.0, 1.0], [20.0, 4.0])
    placed = RegionalPool(0.8).place(_seekers([0], [2]), vac, np.zeros(2), np.random.default_rng(1))
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
    pool = RegionalPool(0.8).place(seekers, vac, attract, np.random.default_rng(1))
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
    """One application each, to a vacancy of the seeker's subject (a second-degree seeker only
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
        got = np.bincount(placed, minlength=7) / n
        want = np.array(weights, float) / sum(weights)
        np.testing.assert_allclose(got, want, atol=0.025)
