"""Demand stage: pupils follow the scenario's projection by school type and place; the new
level, school-type and place reporters keep the accounting identities.

Expected values are worked out here from the table and the initial pupils, never read from the
code under test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.model import reporters
from sim.model.model import RegionModel
from sim.model.scenarios import SCENARIO_DIR, ScenarioError, load_scenario

from conftest import SMALL

QUIET = {**SMALL, "pupil_noise_sd": 0.0, "pupil_trend_per_year": 0.0}


def scenario_with(tmp_path: Path, projection: str, g4: bool = True) -> Path:
    """The rijnmond scenario with its [pupil_projection] block replaced by ``projection``."""
    text = (SCENARIO_DIR / "rijnmond.toml").read_text(encoding="utf-8")
    start = text.index("[pupil_projection]")
    end = text.index("[[municipalities]]")
    text = text[:start] + projection + "\n" + text[end:]
    if not g4:
        text = text.replace("g4 = true\n", "")
    path = tmp_path / "scenario.toml"
    path.write_text(text, encoding="utf-8")
    return path


JUMP = """
[pupil_projection]
[pupil_projection.rest]
years = [2023, 2024, 2025]
vmbo = [1.0, 1.2, 1.2]
havo = [1.0, 1.0, 1.0]
vwo = [1.0, 1.0, 0.5]
[pupil_projection.city]
years = [2023, 2033]
vmbo = [2.0, 3.0]
havo = [2.0, 3.0]
vwo = [2.0, 3.0]
"""


def test_demand_follows_the_scenarios_table(tmp_path):
    model = RegionModel(scenario_with(tmp_path, JUMP), rng=1, **QUIET)
    p = model.p
    city = np.array([s.municipality == "Rotterdam" for s in model.schools])
    assert city.any() and (~city).any()
    p0 = model.pupils.copy()
    d0 = model.demand.sum()

    def expected_demand(pupils: np.ndarray) -> float:
        return float(pupils.sum() / p.pupils_per_teacher_fte)

    assert d0 == pytest.approx(expected_demand(p0))
    # 2024: rest sites vmbo x1.2; city sites +5% (linear from 2.0 to 3.0 over ten years)
    model.step()
    factor_2024 = np.where(city[:, None], 2.1 / 2.0, np.array([1.2, 1.0, 1.0]))
    assert model.pupils == pytest.approx(p0 * factor_2024)
    assert model.demand.sum() == pytest.approx(expected_demand(p0 * factor_2024))
    rest_jump = (p0[~city] * [1.2, 1.0, 1.0]).sum() / p0[~city].sum()
    rest_demand = model.demand[~city].sum() / (p0[~city].sum() / p.pupils_per_teacher_fte)
    assert rest_demand == pytest.approx(rest_jump)
    # 2025: vwo halves at rest sites; the first-degree level follows the upper years
    model.step()
    factor_2025 = np.where(city[:, None], 2.2 / 2.0, np.array([1.2, 1.0, 0.5]))
    pupils = p0 * factor_2025
    assert model.pupils == pytest.approx(pupils)
    first = (
        pupils[:, 1] * p.first_degree_share_havo + pupils[:, 2] * p.first_degree_share_vwo
    ) / p.pupils_per_teacher_fte
    assert model.demand[..., 0].sum(1) == pytest.approx(first)
    # after the last year of the rest path its index is held
    model.step()
    assert model.pupils[~city] == pytest.approx(pupils[~city])


def test_extra_trend_applies_on_top_of_the_table(tmp_path):
    flat = "[pupil_projection]\n[pupil_projection.rest]\nyears = [2023]\nvmbo = [1.0]\nhavo = [1.0]\nvwo = [1.0]\n"
    path = scenario_with(tmp_path, flat)
    model = RegionModel(path, rng=1, **{**QUIET, "pupil_trend_per_year": 0.05})
    p0 = model.pupils.copy()
    model.run_for(2)
    assert model.pupils == pytest.approx(p0 * 1.05**2)


def test_shipped_scenarios_follow_their_sources():
    # national path: 952.1k (2023) -> 907.7k (2029) -> 893k (2032) [S]; G4 +11% 2017-32 [S]
    nl = load_scenario("netherlands").pupil_projection
    assert nl is not None and nl.city is not None
    shares = np.array([0.5, 0.25, 0.25])  # about half the pupils in vmbo
    for year, total in ((2029, 907.7 / 952.1), (2032, 893.0 / 952.1)):
        rest = nl.rest.at(year) @ shares / (nl.rest.at(2023) @ shares)
        city = nl.city.at(year) @ shares / (nl.city.at(2023) @ shares)
        national = 0.87 * rest + 0.13 * city  # G4 about 13% of pupils [E]
        assert national == pytest.approx(total, abs=0.005)
    for name in ("rijnmond", "zuid-holland", "netherlands"):
        proj = load_scenario(name).pupil_projection
        city = proj.city.at(2032) @ shares / (proj.city.at(2023) @ shares)
        assert city == pytest.approx(1.11 ** (9 / 15), abs=0.005)
        # vmbo falls faster than havo and vwo (vmbo -22% against -12% for all VO [S])
        assert proj.rest.at(2032)[0] < proj.rest.at(2032)[1]


@pytest.mark.parametrize(
    ("block", "words"),
    [
        (
            "years = [2030, 2023]\nvmbo = [1.0, 1.0]\nhavo = [1.0, 1.0]\nvwo = [1.0, 1.0]",
            ["pupil_projection.rest", "'years'", "[2030, 2023]", "strictly increasing"],
        ),
        (
            "years = [2023, 2030]\nvmbo = [1.0, -5.0]\nhavo = [1.0, 1.0]\nvwo = [1.0, 1.0]",
            ["pupil_projection.rest", "'vmbo'", "-5.0", ">= 0"],
        ),
        (
            "years = [2023]\nvmbo = [1.0]\nhavo = [1.0]\nvwo = [1.0]\nmavo = [1.0]",
            ["pupil_projection.rest", "mavo", "vmbo", "havo", "vwo"],
        ),
        (
            "years = [2023, 2030]\nvmbo = [1.0]\nhavo = [1.0, 1.0]\nvwo = [1.0, 1.0]",
            ["pupil_projection.rest", "'vmbo'", "1 values for 2 years"],
        ),
    ],
)
def test_bad_pupil_tables_are_refused_with_the_file_field_and_value(tmp_path, block, words):
    path = scenario_with(tmp_path, f"[pupil_projection]\n[pupil_projection.rest]\n{block}\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    message = str(err.value)
    for word in [str(path), *words]:
        assert word in message


def test_unknown_path_is_refused(tmp_path):
    block = "[pupil_projection]\n[pupil_projection.suburbs]\nyears = [2023]\nvmbo = [1.0]\nhavo = [1.0]\nvwo = [1.0]\n"
    with pytest.raises(ScenarioError, match="suburbs"):
        load_scenario(scenario_with(tmp_path, block))


@pytest.fixture(scope="module")
def run() -> RegionModel:
    model = RegionModel(rng=3, **SMALL)
    model.run_for(3)
    return model


def test_level_reporters_add_up_to_the_shortage(run):
    st = run.staffing
    d0, d1 = st.demand[..., 0].sum(), st.demand[..., 1].sum()
    total = st.vacancy.sum() + st.unqualified.sum()
    by_level = (
        reporters.shortage_rate_first_degree(run) * d0
        + reporters.shortage_rate_second_degree(run) * d1
    )
    assert by_level == pytest.approx(total)
    # a level's shortage is what no qualified teacher covers there
    qualified_total = st.qualified.sum()
    assert d0 + d1 - by_level == pytest.approx(qualified_total)


def test_school_type_shares_attribute_every_unqualified_fte(run):
    st = run.staffing
    pu = run.pupils
    p = run.p
    # demand by type, worked out from the pupils: a type's lessons are its pupils / ratio
    demand = pu.sum(0) / p.pupils_per_teacher_fte
    shares = np.array(
        [
            reporters.unqualified_share_vmbo(run),
            reporters.unqualified_share_havo(run),
            reporters.unqualified_share_vwo(run),
        ]
    )
    # staff without the qualification: enlarged classes are not unqualified teaching
    assert (shares * demand).sum() == pytest.approx(st.unqualified.sum() - st.enlarged.sum())
    # vmbo has only second-degree lessons: its share is the second-degree unqualified rate,
    # weighted by each site's vmbo pupils within its second-degree lessons
    unq1 = st.unqualified_by_level[..., 1].sum(1)
    d1 = st.demand[..., 1].sum(1)
    vmbo = (unq1 / d1 * pu[:, 0] / p.pupils_per_teacher_fte).sum() / demand[0]
    assert shares[0] == pytest.approx(vmbo)


def test_city_and_rest_add_up(run):
    short = run.staffing.vacancy.sum(1) + run.staffing.unqualified.sum(1)
    demand = run.staffing.demand.sum(axis=(1, 2))
    city = np.array([s.municipality == "Rotterdam" for s in run.schools])
    assert reporters.shortage_rate_city(run) == pytest.approx(
        short[city].sum() / demand[city].sum()
    )
    assert reporters.shortage_rate_rest(run) == pytest.approx(
        short[~city].sum() / demand[~city].sum()
    )
    assert reporters.pupils(run) == pytest.approx(run.pupils.sum())


def test_no_g4_means_no_city_sites(tmp_path):
    flat = "[pupil_projection]\n[pupil_projection.rest]\nyears = [2023]\nvmbo = [1.0]\nhavo = [1.0]\nvwo = [1.0]\n"
    model = RegionModel(scenario_with(tmp_path, flat, g4=False), rng=1, **SMALL)
    assert reporters.shortage_rate_city(model) == 0.0
    assert reporters.shortage_rate_rest(model) == pytest.approx(reporters.shortage_rate(model))


def test_city_sites_get_the_city_pupil_mix():
    model = RegionModel(rng=1, **SMALL, share_vmbo=0.2, share_vmbo_city=0.8)
    vmbo = model.pupils[:, 0] / model.pupils.sum(1)
    city = np.array([s.municipality == "Rotterdam" for s in model.schools])
    assert vmbo[city].min() > vmbo[~city].max() - 0.2
    assert vmbo[city].mean() > 0.55 > 0.35 > vmbo[~city].mean()


def test_no_random_site_attractiveness_by_default():
    model = RegionModel(rng=1, **SMALL)
    assert np.all(model.attractiveness_base == 0.0)
    assert np.any(RegionModel(rng=1, **SMALL, attractiveness_site_sd=0.3).attractiveness_base != 0)
