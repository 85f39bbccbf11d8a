"""Personal job preferences: drawn once per person, kept, and acting on where people work."""

import numpy as np
import pytest

from sim.model.matching import BoardRecruitment, Seekers, Vacancies
from sim.model.model import RegionModel
from sim.model.preferences import TASTE_COLUMNS
from sim.model.table import UID

TOL = 0.1


def _two_schools(xy=None, vmbo=(1.0, 0.0)):
    """Two single-site schools with 40 one-fte vacancies each in subject 0, second-degree
    lessons; traits: standing 0, the given vmbo shares, workload 0."""
    school = np.repeat([0, 1], 40)
    n = school.size
    traits = np.column_stack([np.zeros(n), np.asarray(vmbo)[school], np.zeros(n)])
    return Vacancies(
        school,
        np.zeros(n, np.int64),
        np.ones(n, np.int64),
        np.ones(n),
        np.full(n, 40.0),
        xy=None if xy is None else np.asarray(xy, float)[school],
        traits=traits,
    )


def _seekers(taste, home=None, reach=None):
    n = len(taste)
    return Seekers(
        np.zeros(n, np.int64),
        np.full(n, -1),
        np.full(n, 2),
        np.full(n, 1.0),
        np.full(n, -np.inf),
        home=home,
        max_commute=reach,
        taste=np.asarray(taste, float),
    )


def _taste(n, commute=0.0, vmbo=0.0):
    return np.column_stack([np.full(n, commute), np.full(n, vmbo), np.zeros(n), np.ones(n)])


def test_a_vmbo_averse_seeker_ends_up_less_in_vmbo_schools():
    """Half the seekers weigh vmbo strongly against a school, half not at all; with room for
    everyone at both schools the averse ones land in the vmbo school far less often."""
    recruit = BoardRecruitment(rounds=3, applications_per_round=2, tolerance=TOL)
    taste = np.vstack([_taste(30, vmbo=6.0), _taste(30, vmbo=0.0)])
    vac = _two_schools()
    in_vmbo = np.zeros(2)
    for seed in range(20):
        placed = recruit.place(_seekers(taste), vac, np.zeros(2), np.random.default_rng(seed))
        assert (placed >= 0).all()
        at_vmbo = vac.school[placed] == 0
        in_vmbo += [at_vmbo[:30].mean(), at_vmbo[30:].mean()]
    averse, indifferent = in_vmbo / 20
    assert indifferent == pytest.approx(0.5, abs=0.1)
    assert averse < 0.2
    assert averse < indifferent - 0.3


def test_a_seeker_who_weighs_commute_works_nearer_home():
    """Both schools within everyone's reach, one 2 km from home, one 30 km: those who weigh
    a km heavily take the near one more often than those who do not weigh commute."""
    recruit = BoardRecruitment(rounds=3, applications_per_round=2, tolerance=TOL)
    vac = _two_schools(xy=[[30.0, 0.0], [2.0, 0.0]], vmbo=(0.0, 0.0))
    taste = np.vstack([_taste(30, commute=0.2), _taste(30, commute=0.0)])
    home, reach = np.zeros((60, 2)), np.full(60, 100.0)
    near = np.zeros(2)
    for seed in range(20):
        placed = recruit.place(
            _seekers(taste, home, reach), vac, np.zeros(2), np.random.default_rng(seed)
        )
        at_near = vac.school[placed] == 1
        near += [at_near[:30].mean(), at_near[30:].mean()]
    assert near[0] / 20 > 0.8
    assert near[1] / 20 < 0.65


def test_the_choice_is_the_same_for_the_same_seed():
    recruit = BoardRecruitment(rounds=3, applications_per_round=2, tolerance=TOL)
    rng = np.random.default_rng(0)
    taste = _taste(60) + rng.normal(0, 2, (60, 4))
    vac = _two_schools()
    one = recruit.place(_seekers(taste), vac, np.zeros(2), np.random.default_rng(5))
    two = recruit.place(_seekers(taste), vac, np.zeros(2), np.random.default_rng(5))
    np.testing.assert_array_equal(one, two)


@pytest.fixture(scope="module")
def averse_model():
    """Five years with a wide spread of the vmbo weight between people."""
    m = RegionModel(scenario="rijnmond", rng=11, taste_vmbo_spread=4.0)
    m.run_for(5)
    return m


def test_weights_are_drawn_within_their_ranges_and_differ_between_people(averse_model):
    m, p = averse_model, averse_model.p
    for table in (m.workforce, m.students):
        live = table.live()
        col = {c: table.data[c][live] for c in TASTE_COLUMNS}
        assert (
            (col["taste_commute"] >= 0) & (col["taste_commute"] <= p.taste_commute_per_km_max)
        ).all()
        vmbo = col["taste_vmbo"] - p.attractiveness_vmbo_weight
        assert (np.abs(vmbo) <= p.taste_vmbo_spread + 1e-12).all()
        assert vmbo.std() > 0.25 * p.taste_vmbo_spread  # uniform on +-4: sd about 2.3
        assert (col["taste_workload"] >= 0).all()
        assert (np.abs(col["taste_standing"] - 1) <= p.taste_standing_spread + 1e-12).all()


def test_a_person_keeps_their_weights_from_year_to_year():
    m = RegionModel(scenario="rijnmond", rng=4)
    wf = m.workforce
    live = wf.live()
    before = {
        int(u): wf.data["taste_vmbo"][r] for u, r in zip(wf.data[UID][live], live, strict=True)
    }
    m.run_for(2)
    live = wf.live()
    kept = [
        (before[int(u)], wf.data["taste_vmbo"][r])
        for u, r in zip(wf.data[UID][live], live, strict=True)
        if int(u) in before
    ]
    assert len(kept) > 1000
    a, b = np.array(kept).T
    np.testing.assert_array_equal(a, b)


def test_hires_who_dislike_vmbo_work_in_schools_with_fewer_vmbo_pupils(averse_model):
    """In the model, people hired in the run with the strongest vmbo aversion (top quarter of
    the weight) work at schools with a lower vmbo share than the quarter who like vmbo."""
    m = averse_model
    wf = m.workforce
    live = wf.live()
    hired = live[wf.data["entry_year"][live] > m.p.start_year]
    share = m.pupils[:, 0] / np.maximum(m.pupils.sum(1), 1e-9)
    at = share[wf.data["school"][hired]]
    weight = wf.data["taste_vmbo"][hired]
    lo, hi = np.quantile(weight, [0.25, 0.75])
    assert hired.size > 500
    assert at[weight >= hi].mean() < at[weight <= lo].mean() - 0.02


def test_the_same_seed_draws_the_same_weights():
    a = RegionModel(scenario="rijnmond", rng=9)
    b = RegionModel(scenario="rijnmond", rng=9)
    for c in TASTE_COLUMNS:
        np.testing.assert_array_equal(a.workforce.data[c], b.workforce.data[c])
