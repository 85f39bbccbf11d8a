import numpy as np
import pytest

from sim.model.agents import FIRST, SECOND, UNQUALIFIED
from sim.model.staffing import cover, staff_fte


def _staff(n_s, n_g, cells):
    """cells: list of (school, subject, degree, fte)."""
    out = np.zeros((n_s, n_g, 3))
    for s, g, d, f in cells:
        out[s, g, d] += f
    return out


def test_first_degree_covers_both_levels_second_only_lower():
    demand = np.zeros((1, 1, 2))
    demand[0, 0] = [1.0, 1.0]  # 1 fte upper years, 1 fte lower years
    only_second = cover(demand, _staff(1, 1, [(0, 0, SECOND, 2.0)]), 0.0, 0.0)
    assert only_second.qualified[0, 0] == pytest.approx(1.0)
    assert only_second.vacancy[0, 0] == pytest.approx(1.0)
    assert only_second.surplus[0, 0] == pytest.approx(1.0)
    only_first = cover(demand, _staff(1, 1, [(0, 0, FIRST, 2.0)]), 0.0, 0.0)
    assert only_first.qualified[0, 0] == pytest.approx(2.0)
    assert only_first.vacancy[0, 0] == pytest.approx(0.0)


def test_side_entrants_and_stopgaps_are_hidden_shortage_capped_per_school():
    demand = np.zeros((1, 2, 2))
    demand[0, :, 1] = 5.0  # 10 fte of lower-year lessons in two subjects
    staff = _staff(1, 2, [(0, 0, SECOND, 4.0), (0, 1, SECOND, 3.0), (0, 1, UNQUALIFIED, 0.5)])
    st = cover(demand, staff, cap_share=0.1, fill_share=1.0)
    # gap after qualified 3 fte; side-entrant 0.5; cap 1.0 of demand => stop-gap 0.5
    assert st.side_entrant.sum() == pytest.approx(0.5)
    assert st.unqualified.sum() == pytest.approx(1.0)
    assert st.vacancy.sum() == pytest.approx(2.0)
    higher_cap = cover(demand, staff, cap_share=0.2, fill_share=1.0)
    assert higher_cap.unqualified.sum() == pytest.approx(2.0)
    assert higher_cap.vacancy.sum() == pytest.approx(1.0)
    no_stopgaps = cover(demand, staff, cap_share=0.2, fill_share=1.0, stopgaps=False)
    assert no_stopgaps.stopgap.sum() == 0.0
    assert no_stopgaps.open_by_level.sum() == pytest.approx(2.5)


def test_accounting_identity_on_random_inputs():
    rng = np.random.default_rng(5)
    for _ in range(50):
        n_s, n_g = 6, 4
        demand = rng.uniform(0, 5, (n_s, n_g, 2))
        staff = rng.uniform(0, 4, (n_s, n_g, 3))
        cap = rng.uniform(0, 0.3)
        st = cover(demand, staff, cap, rng.uniform(0, 1))
        np.testing.assert_allclose(
            st.qualified + st.unqualified + st.vacancy, demand.sum(-1), atol=1e-9
        )
        assert (st.vacancy >= -1e-12).all() and (st.surplus >= -1e-12).all()
        stopgap_s = st.stopgap.sum(1)
        assert (
            stopgap_s
            <= np.maximum(0, cap * demand.sum(axis=(1, 2)) - st.side_entrant.sum(1)) + 1e-9
        ).all()


def test_shared_appointment_and_dual_qualification_split():
    demand = np.zeros((2, 2, 2))
    demand[1, 0, 1] = 1.0  # school 1 needs subject 0
    demand[0, 1, 1] = 2.0  # school 0 needs subject 1
    # teacher at school 0, subject 0, gives 0.4 fte to school 1
    out = staff_fte(
        demand,
        np.array([0]),
        np.array([0.6]),
        np.array([0]),
        np.array([-1]),
        np.array([SECOND]),
        shared=(np.array([0]), np.array([1]), np.array([0.4])),
    )
    assert out[0, 0, SECOND] == pytest.approx(0.6) and out[1, 0, SECOND] == pytest.approx(0.4)
    # a dual-qualified teacher at school 0 leans toward subject 1, where the gap is
    out = staff_fte(
        demand, np.array([0]), np.array([1.0]), np.array([0]), np.array([1]), np.array([SECOND])
    )
    assert out[0, 1, SECOND] == pytest.approx(1.0)
    assert out[0, 0, SECOND] == pytest.approx(0.0)


def test_stopgaps_go_to_lower_year_lessons_before_exam_classes():
    demand = np.zeros((1, 1, 2))
    demand[0, 0] = [4.0, 6.0]  # upper-year (first-degree) and lower-year lessons
    staff = _staff(1, 1, [(0, 0, FIRST, 3.0), (0, 0, SECOND, 5.0)])  # 1 fte open at each level
    st = cover(demand, staff, cap_share=0.15, fill_share=1.0)
    by_level = st.unqualified_by_level[0, 0]
    # the 1.5 fte the cap allows covers the lower years fully, the exam classes only in part
    assert by_level[1] == pytest.approx(1.0)
    assert by_level[0] == pytest.approx(0.5)
    np.testing.assert_allclose(st.unqualified_by_level.sum(-1), st.unqualified)
    small = cover(demand, staff, cap_share=0.05, fill_share=1.0)
    assert small.unqualified_by_level[0, 0, 0] == pytest.approx(0.0)
    assert small.unqualified_by_level[0, 0, 1] == pytest.approx(0.5)
