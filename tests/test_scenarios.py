"""The shipped scenario files load, run and have the sizes they claim; malformed files give
errors that name the file and the key."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from sim.model.model import RegionModel
from sim.model.parameters import ParameterError
from sim.model.scenarios import SCENARIO_DIR, ScenarioError, available_scenarios, load_scenario

SEED_INSTITUTES = {"Hogeschool Rotterdam", "ICLON Leiden", "SEC Delft"}


def test_every_shipped_scenario_loads_with_valid_parameters():
    names = available_scenarios()
    assert {"rijnmond", "zuid-holland", "netherlands"} <= set(names)
    for name in names:
        scen = load_scenario(name)
        assert scen.name == name
        p = scen.parameters()
        assert p.pupils_total > 0 and p.school_sites >= len(scen.municipalities) / 5
        assert scen.programmes, f"{name} has no training programmes"


@pytest.mark.parametrize(
    ("name", "pupils", "sites", "boards"),
    [("netherlands", (900_000, 1_000_000), (650, 1_000), (250, 400))],
)
def test_scenario_sizes_lie_in_the_documented_ranges(name, pupils, sites, boards):
    p = load_scenario(name).parameters()
    assert pupils[0] <= p.pupils_total <= pupils[1]
    assert sites[0] <= p.school_sites <= sites[1]
    assert boards[0] <= p.school_boards <= boards[1]


@pytest.mark.parametrize("name", ["rijnmond", "zuid-holland"])
def test_real_school_scenarios_take_their_sizes_from_their_schools_table(name):
    scen = load_scenario(name)
    with open(SCENARIO_DIR / f"{name}-schools.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    p = scen.parameters()
    assert p.pupils_total == round(sum(float(r["pupils"]) for r in rows))
    assert p.school_sites == len(rows)
    assert p.school_boards == len({r["board"] for r in rows})
    # every site's municipality is a [[municipalities]] entry (Albrandswaard has none of the
    # sites); Rotterdam is the G4 city
    names = {m.name for m in scen.municipalities}
    assert names - {r["municipality"] for r in rows} == {"Albrandswaard"}
    assert "Rotterdam" in {m.name for m in scen.municipalities if m.g4}


def test_zuid_holland_spans_several_rap_regions_with_the_seed_institutes():
    scen = load_scenario("zuid-holland")
    areas = {m.area for m in scen.municipalities}
    assert {"Rijnmond", "Haaglanden", "Rijn-Gouwe"} <= areas
    assert {p.institute for p in scen.programmes} >= SEED_INSTITUTES
    # the 26 municipalities of the reference geography table, 25 of them with a VO school
    assert len(scen.municipalities) == 26
    rijnmond = {m.name for m in load_scenario("rijnmond").municipalities}
    assert rijnmond <= {m.name for m in scen.municipalities}


def test_zuid_holland_runs_with_its_real_sites_in_every_area():
    model = RegionModel("zuid-holland", "collaborative", rng=3)
    model.run_for(2)
    frame = model.school_frame()
    assert len(frame) == load_scenario("zuid-holland").parameters().school_sites
    assert frame["site_code"].str.fullmatch(r"[0-9]{2}[A-Z0-9]{2}[0-9]{2}").all()
    areas = {s.area for s in model.schools}
    assert areas == {"Rijnmond", "Haaglanden", "Rijn-Gouwe"}
    # 179k pupils at 14.5 pupils per demand fte, ~6% short, ~0.8 fte each: 13-15k teachers
    assert 12_500 <= model.series()["teachers"].iloc[0] <= 15_500


@pytest.mark.slow
def test_netherlands_starts_with_about_75000_teachers_and_runs():
    model = RegionModel("netherlands", "isolated", rng=5)
    start = model.series().iloc[0]
    staff = start["teachers"] + start["side_entrants"]
    assert 70_000 <= staff <= 80_000  # 75.3k VO teachers in 2019 [S]
    model.step()
    assert model.series()["demand_fte"].iloc[-1] < start["demand_fte"]  # pupils fall nationally


# ------------------------------------------------------------------------ malformed files
GOOD = (SCENARIO_DIR / "rijnmond.toml").read_text(encoding="utf-8")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "broken.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str, kind=ScenarioError) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(kind) as info:
        load_scenario(path)
    message = str(info.value)
    assert str(path) in message, f"error does not name the file: {message}"
    return message


def test_the_good_copy_loads(tmp_path):
    assert load_scenario(_write(tmp_path, GOOD)).name == "rijnmond"


def test_invalid_toml_names_the_file(tmp_path):
    assert "not valid TOML" in _error(tmp_path, GOOD + "\nthis is = = not toml\n")


def test_missing_key_is_named(tmp_path):
    message = _error(tmp_path, GOOD.replace('name = "rijnmond"\n', "", 1))
    assert "'name'" in message and "[scenario]" in message


def test_wrong_type_is_named(tmp_path):
    message = _error(tmp_path, GOOD.replace("layout_seed = 2023", 'layout_seed = "2023"'))
    assert "'layout_seed'" in message and "int" in message


def test_wrong_type_of_a_municipality_value_is_named(tmp_path):
    # the first 'lat = ...' line of the file is a municipality's
    text = re.sub(r"^lat = [0-9.]+$", 'lat = "north"', GOOD, count=1, flags=re.M)
    message = _error(tmp_path, text)
    assert "'lat'" in message and "municipalities" in message


def test_unknown_key_is_named(tmp_path):
    message = _error(tmp_path, GOOD.replace("layout_seed = 2023", "layout_seed = 2023\nseed = 1"))
    assert "'seed'" in message


def test_bad_route_is_named_with_allowed_values(tmp_path):
    message = _error(tmp_path, GOOD.replace('route = "university"', 'route = "college"', 1))
    assert "'route'" in message and "hbo_fulltime" in message


def test_optional_programme_keys_of_the_wrong_type_are_named(tmp_path):
    message = _error(tmp_path, GOOD.replace("dropout_rr = 0.8", 'dropout_rr = "low"', 1))
    assert "'dropout_rr'" in message and "programmes" in message
    message = _error(
        tmp_path,
        GOOD.replace(
            'subjects = ["mathematics", "sciences", "technology_computing"]',
            'subjects = "sciences"',
        ),
    )
    assert "'subjects'" in message and "list" in message


def test_notes_must_be_a_table(tmp_path):
    message = _error(tmp_path, "notes = 5\n" + GOOD)
    assert "notes" in message


def test_bad_parameter_values_name_file_and_parameter(tmp_path):
    message = _error(
        tmp_path,
        GOOD.replace("[parameters]\n", '[parameters]\npupil_noise_sd = "many"\n'),
        ParameterError,
    )
    assert "'pupil_noise_sd'" in message
    message = _error(
        tmp_path, GOOD.replace("[parameters]\n", "[parameters]\nschool_site = 70\n"), ParameterError
    )
    assert "'school_site'" in message and "school_sites" in message
    # the schools table sets the region's size: the file may not set it again
    message = _error(tmp_path, GOOD.replace("[parameters]\n", "[parameters]\nschool_sites = 70\n"))
    assert "'school_sites'" in message and "schools table" in message
    message = _error(
        tmp_path,
        GOOD.replace("initial_shortage_rate = 0.069", "initial_shortage_rate = 1.5"),
        ParameterError,
    )
    assert "'initial_shortage_rate'" in message and "0.6" in message


# Numbers out of range in a scenario file (issue 13, defect 7): each error names the file, the key,
# the value and the allowed range, before any work starts.
@pytest.mark.parametrize(
    ("old", "new", "key"),
    [
        ("lat = 51.92", "lat = nan", "'lat'"),
        ("lat = 51.92", "lat = inf", "'lat'"),
        ("lat = 51.92", "lat = 1e300", "'lat'"),
        ("lon = 4.48", "lon = -inf", "'lon'"),
        ("lon = 4.48", "lon = 200.0", "'lon'"),
        ("layout_seed = 2023", "layout_seed = -1", "'layout_seed'"),
        ("population = 665000", "population = 1000000000000", "'population'"),
    ],
)
def test_scenario_numbers_out_of_range_are_named(tmp_path, old, new, key):
    # the whole first line of the key (real-school files give more decimals than ``old``)
    line = re.compile(rf"^{re.escape(old.split(' = ')[0])} = \S+$", re.M)
    assert line.search(GOOD)
    message = _error(tmp_path, line.sub(new, GOOD, count=1))
    value = new.split(" = ")[1]
    assert key in message and "allowed" in message
    assert value.lstrip("-") in message or str(float(value)) in message


@pytest.mark.parametrize("value", ["nan", "inf", "1e300", "1e7", "-1.0"])
def test_outside_intake_must_be_finite_and_bounded(tmp_path, value):
    text = GOOD.replace("outside_intake = ", f"outside_intake = {value} #", 1)
    message = _error(tmp_path, text)
    assert "'outside_intake'" in message and "allowed" in message and "programmes" in message


@pytest.mark.parametrize(("key", "value"), [("dropout_rr", "nan"), ("school_leaver_share", "nan")])
def test_other_programme_numbers_must_be_finite(tmp_path, key, value):
    text = GOOD.replace(f"{key} = ", f"{key} = {value} #", 1)
    assert f"{key} = {value} #" in text
    message = _error(tmp_path, text)
    assert f"'{key}'" in message and "nan" in message
