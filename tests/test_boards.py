"""School boards as actors: their size, their own moves of surplus staff, their induction."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.agents import UNQUALIFIED
from sim.model.model import STAGES, RegionModel
from sim.model.region import board_sizes, build_layout
from sim.model.scenarios import load_scenario
from sim.model.stages import market, vacancies

from conftest import SMALL, run_model


def test_board_sizes_follow_the_rank_size_rule():
    sizes = board_sizes(70, 16, 1.0)
    assert sizes.sum() == 70 and sizes.size == 16 and (sizes >= 1).all()
    assert (np.diff(sizes) <= 0).all()  # largest first
    # rank 1 against rank 2 about 2:1 under exponent 1 (17 : 9 after rounding)
    assert sizes[0] / sizes[1] == pytest.approx(2.0, rel=0.15)
    assert board_sizes(70, 16, 0.0).max() - board_sizes(70, 16, 0.0).min() <= 1
    assert board_sizes(70, 16, 1.5)[0] > sizes[0]  # more skew, a larger largest board


def test_sites_of_a_board_share_its_induction_and_every_board_has_sites():
    p = load_scenario("rijnmond").parameters()
    layout = build_layout(load_scenario("rijnmond"), p)
    boards = np.array([s.board for s in layout.sites])
    assert set(boards.tolist()) == set(range(p.school_boards))
    for b in range(p.school_boards):
        flags = {s.own_induction for s in layout.sites if s.board == b}
        assert len(flags) == 1


def _empty_site_in_subject(model: RegionModel, g: int) -> tuple[int, int, np.ndarray]:
    """Take every single-subject qualified teacher of subject ``g`` at one site of the largest
    board and put them at another site of that board: one site gets a gap, the other surplus.
    Returns (site with the gap, site with the surplus, the rows moved)."""
    board = model.board
    big = np.bincount(board).argmax()
    sites = np.flatnonzero(board == big)
    gap_site, surplus_site = int(sites[1]), int(sites[0])
    wf = model.workforce
    live = wf.live()
    rows = live[
        (wf.data["school"][live] == gap_site)
        & (wf.data["subject"][live] == g)
        & (wf.data["subject2"][live] < 0)
        & (wf.data["degree"][live] != UNQUALIFIED)
    ]
    wf.data["school"][rows] = surplus_site
    return gap_site, surplus_site, rows


@pytest.mark.parametrize("same_board", [True, False])
def test_a_board_moves_its_own_surplus_staff_before_it_hires(same_board):
    g = 0
    model = RegionModel(rng=3, **SMALL)
    gap_site, _surplus_site, rows = _empty_site_in_subject(model, g)
    assert rows.size >= 2
    gap = model.demand[gap_site, g].sum()
    if not same_board:  # the two sites belong to different boards: no board can move anyone
        model.board = model.board.copy()
        model.board[gap_site] = model.board.max() + 1
    wf = model.workforce
    before = set(wf.live()[wf.data["school"][wf.live()] == gap_site].tolist())
    vacancies.run(model)
    posted = model.pre_market.open_by_level[gap_site, g].sum()
    live = wf.live()
    arrived = [r for r in live[wf.data["school"][live] == gap_site].tolist() if r not in before]
    if same_board:
        assert model.year_counts["board_moves"] >= 1 and len(arrived) >= 1
        assert all(wf.data["subject"][r] == g for r in arrived)
        # what the market then sees: the gap is (partly) filled from the board's own surplus
        assert posted <= gap - 0.3 * len(arrived) + 1e-9
    else:
        assert not arrived
        assert posted == pytest.approx(gap, abs=1e-9)
    # the vacancies stage runs before the labour market: the board moves before it hires
    assert STAGES.index(vacancies) < STAGES.index(market)


def test_shared_appointments_only_across_boards():
    model = run_model("isolated+shared_appointments", years=4, pupil_trend_per_year=-0.03)
    wf = model.workforce
    live = wf.live()
    shared = live[wf.data["school2"][live] >= 0]
    assert shared.size > 0
    b = model.board
    assert (b[wf.data["school"][shared]] != b[wf.data["school2"][shared]]).all()
