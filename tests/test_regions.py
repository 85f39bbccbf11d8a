"""DUO's files read as DUO writes them, and regions built from them (sim/regions).

Fixtures in tests/fixtures/duo/, one quirk each: current headers unquoted in UTF-8 with CRLF and a
single-space empty field (locations-current-utf8.csv); older headers, every field quoted, cp1252,
columns in another order (locations-old-cp1252.csv); the pupils file quoting every field but the
count, with '<5' (pupils-quoted.csv); 2-digit location codes with a byte-order mark
(pupils-2digit-bom.csv). Bad files are written per test.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import math
from pathlib import Path

import pytest

from sim.cli import main as cli_main
from sim.model.model import RegionModel
from sim.model.parameters import ParameterError
from sim.model.scenarios import SCENARIO_DIR, load_scenario
from sim.regions.build import (
    SPREAD_KM,
    RegionBuildError,
    build_region,
    type_shares,
    write_scenario,
)
from sim.regions.duo import (
    DuoFileError,
    detect_encoding,
    location_code,
    parse_count,
    read_locations,
    read_pupils,
)

REPO = Path(__file__).resolve().parents[1]
FIX = Path(__file__).parent / "fixtures" / "duo"
SHIPPED_LOCATIONS = REPO / "data" / "duo" / "vestigingen-vo-zuid-holland.csv"
SHIPPED_PUPILS = REPO / "data" / "duo" / "leerlingen-vo-per-vestiging-2025-zuid-holland.csv"
RIJNMOND = [
    "Rotterdam",
    "Schiedam",
    "Vlaardingen",
    "Maassluis",
    "Capelle aan den IJssel",
    "Krimpen aan den IJssel",
    "Ridderkerk",
    "Barendrecht",
    "Nissewaard",
    "Lansingerland",
    "Voorne aan Zee",
    "Hoeksche Waard",
    "Goeree-Overflakkee",
]
ZUID_HOLLAND = [
    *RIJNMOND,
    "Den Haag",
    "Delft",
    "Zoetermeer",
    "Westland",
    "Leidschendam-Voorburg",
    "Rijswijk",
    "Leiden",
    "Alphen aan den Rijn",
    "Katwijk",
    "Gouda",
    "Dordrecht",
    "Gorinchem",
]


# ----------------------------------------------------------------------------- the reader
def test_encoding_is_detected_from_the_bytes():
    assert detect_encoding("Zèta".encode()) == "utf-8"
    assert detect_encoding("Zèta ’t".encode("cp1252")) == "cp1252"
    assert detect_encoding(b"\xef\xbb\xbfINSTELLINGSCODE") == "utf-8-sig"
    assert detect_encoding(b"\x81\x8d") == "latin-1"  # bytes cp1252 leaves undefined


def test_current_headers_unquoted_utf8_with_a_single_space_field():
    locs = read_locations(FIX / "locations-current-utf8.csv")
    assert [loc.code for loc in locs] == [
        "21AB00",
        "21AB01",
        "21AB02",
        "05XY00",
        "05XY01",
        "07QQ00",
    ]
    assert locs[0].name == "Zèta College" and locs[0].board == "41434"
    assert locs[0].school_types == ("VBO", "MAVO", "HAVO", "VWO")
    assert locs[0].regions["rpa"] == ("23", "Rijnmond")
    assert locs[3].regions["rpa"] == ("", "Rijnmond")  # ' ' is an empty field
    assert "onderwijsgebied" not in locs[0].regions  # a column the file does not carry


def test_older_headers_quoted_cp1252_in_another_column_order():
    old = read_locations(FIX / "locations-old-cp1252.csv")
    assert [loc.code for loc in old] == ["21AB00", "05XY00"]
    assert old[0].name == "Zèta College"
    assert old[1].name == "’t Lyceum"  # cp1252's 0x92, not a Latin-1 control character
    assert old[0].municipality_code == "0599"  # '599' padded to CBS's four digits
    assert old[1].postcode == "3112AA" and old[0].regions == {}


def test_pupils_file_quoted_with_suppressed_counts_never_zero():
    rows = {p.code: p for p in read_pupils(FIX / "pupils-quoted.csv")}
    assert rows["21AB00"].pupils.value == 1200 and not rows["21AB00"].pupils.suppressed
    small = rows["21AB02"].pupils
    assert small.suppressed and (small.low, small.high) == (1, 4) and small.value == 2.5
    assert rows["07QQ00"].municipality == "'s-Gravenhage"


def test_two_digit_location_codes_are_joined_to_the_institution():
    rows = {p.code: p.pupils for p in read_pupils(FIX / "pupils-2digit-bom.csv")}
    assert rows["21AB00"].value == 1200 and rows["21AB01"].value == 300
    assert rows["05XY00"].suppressed
    assert location_code("21ab", "07", "f") == "21AB07"
    with pytest.raises(DuoFileError, match="does not belong to institution"):
        location_code("21AB", "22CD00", "f")


@pytest.mark.parametrize(
    ("text", "value"), [("0", 0.0), ("1.234", 1234.0), ("<5", 2.5), ("*", 2.5), (" ", None)]
)
def test_counts(text, value):
    count = parse_count(text, "f")
    assert (count.value if count else None) == value


def _write(tmp_path: Path, text: str, name: str = "bad.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


HEADER = "INSTELLINGSCODE;VESTIGINGSCODE;AANTAL LEERLINGEN\n"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (HEADER + "21AB;00;12a\n", ["line 2", "'AANTAL LEERLINGEN'", "'12a'", "'<5'"]),
        (HEADER + "21AB;00;5\n21AB;01\n", ["line 3", "2 fields", "3"]),
        (HEADER + "21AB;0;5\n", ["line 2", "'VESTIGINGSCODE'", "'0'", "6 characters"]),
        (HEADER + "21AB;00;\n", ["line 2", "'AANTAL LEERLINGEN'", "empty"]),
        ("INSTELLINGSCODE,VESTIGINGSCODE,AANTAL LEERLINGEN\n", ["line 1", "';'"]),
        (
            "INSTELLINGSCODE;AANTAL LEERLINGEN\n21AB;5\n",
            ["line 1", "'VESTIGINGSCODE'", "VESTIGINGSNUMMER"],
        ),
    ],
)
def test_bad_pupil_files_name_file_line_and_column(tmp_path, body, words):
    path = _write(tmp_path, body)
    with pytest.raises(DuoFileError) as info:
        read_pupils(path)
    message = str(info.value)
    assert str(path) in message
    for word in words:
        assert word in message, (word, message)


def test_bad_school_type_and_postcode_are_named(tmp_path):
    text = (FIX / "locations-current-utf8.csv").read_text(encoding="utf-8")
    path = _write(tmp_path, text.replace(";HAVO/VWO;", ";HAVO/GYMNASIUM;", 1))
    with pytest.raises(DuoFileError, match=r"line 5, column 'ONDERWIJSSTRUCTUUR'.*GYMNASIUM"):
        read_locations(path)
    path = _write(tmp_path, text.replace("3112 AA", "31 AA", 1))
    with pytest.raises(DuoFileError, match=r"line 5, column 'POSTCODE'"):
        read_locations(path)


# ---------------------------------------------------------------------------- the builder
def test_type_mapping():
    assert type_shares(("VBO", "MAVO", "HAVO", "VWO")) == (0.5, 0.25, 0.25)
    assert type_shares(("PRO",)) == (1.0, 0.0, 0.0)  # praktijkonderwijs: second degree only
    assert type_shares(("HAVO", "VWO")) == (0.0, 0.5, 0.5)
    assert type_shares(("MAVO", "HAVO", "VWO")) == pytest.approx((1 / 3, 1 / 3, 1 / 3))


@pytest.fixture
def fixture_region():
    return build_region(
        "mini",
        FIX / "locations-current-utf8.csv",
        FIX / "pupils-quoted.csv",
        municipalities=["rotterdam", "0606"],
    )


def test_region_from_fixtures_sites_boards_pupils_and_types(fixture_region):
    sites = {s.code: s for s in fixture_region.sites}
    assert set(sites) == {"21AB00", "21AB01", "21AB02", "05XY00", "05XY01"}
    assert fixture_region.boards == ["20151", "41434"]
    assert fixture_region.pupils == 1200 + 300 + 2.5 + 800 + 200
    assert sites["21AB02"].pupils_suppressed
    # a BRUGJAAR location takes the types of its institution's other locations (21AB: PRO,
    # VBO, MAVO, HAVO, VWO -> 3 of 5 vmbo)
    assert sites["21AB00"].shares == (0.5, 0.25, 0.25)
    assert sites["21AB01"].shares == pytest.approx((0.6, 0.2, 0.2))
    assert sites["05XY01"].shares == (0.0, 0.5, 0.5)
    assert sites["21AB00"].municipality == "Rotterdam"  # the pupils file's spelling


def test_locations_sharing_a_postcode_are_spread_deterministically(fixture_region):
    pc4 = json.loads((REPO / "sim" / "regions" / "data" / "pc4-latlon.json").read_text())
    three = [s for s in fixture_region.sites if s.postcode.startswith("3011")]
    assert len(three) == 3 and len({(s.lat, s.lon) for s in three}) == 3
    for s in three:
        dist = math.hypot((s.lat - pc4["3011"][0]) * 111, (s.lon - pc4["3011"][1]) * 69)
        assert dist == pytest.approx(SPREAD_KM, abs=0.02)
    again = build_region(
        "mini", FIX / "locations-current-utf8.csv", FIX / "pupils-quoted.csv", ["Rotterdam"]
    )
    assert [(s.lat, s.lon) for s in again.sites] == [(s.lat, s.lon) for s in three]


def test_selection_by_region_code_or_name_and_bad_selections():
    by_code = build_region("a", SHIPPED_LOCATIONS, SHIPPED_PUPILS, regions=["corop=29"])
    by_name = build_region("a", SHIPPED_LOCATIONS, SHIPPED_PUPILS, regions=["corop=Groot-Rijnmond"])
    assert [s.code for s in by_code.sites] == [s.code for s in by_name.sites]
    assert "Zuidplas" in by_code.municipalities.values()  # COROP 29 reaches beyond the RPA area
    with pytest.raises(RegionBuildError, match="did you mean 'Rotterdam'"):
        build_region("a", SHIPPED_LOCATIONS, SHIPPED_PUPILS, municipalities=["Roterdam"])
    with pytest.raises(RegionBuildError, match="allowed: KIND=CODE"):
        build_region("a", SHIPPED_LOCATIONS, SHIPPED_PUPILS, regions=["province=ZH"])
    with pytest.raises(RegionBuildError, match="no location has that rpa"):
        build_region("a", SHIPPED_LOCATIONS, SHIPPED_PUPILS, regions=["rpa=99"])


@pytest.mark.parametrize(
    ("name", "munis"), [("rijnmond", RIJNMOND), ("zuid-holland", ZUID_HOLLAND)]
)
def test_shipped_schools_tables_are_what_the_builder_makes_of_the_shipped_extract(
    tmp_path, name, munis
):
    region = build_region(name, SHIPPED_LOCATIONS, SHIPPED_PUPILS, municipalities=munis)
    _, table = write_scenario(region, tmp_path, template=name)
    assert table.read_text(encoding="utf-8") == (SCENARIO_DIR / f"{name}-schools.csv").read_text(
        encoding="utf-8"
    )


def test_rijnmond_pupils_equal_the_pupils_file_rows_of_its_sites():
    """Independent of the builder: sum the pupils file's rows of the table's location codes."""
    with open(SCENARIO_DIR / "rijnmond-schools.csv", encoding="utf-8", newline="") as fh:
        codes = {r["code"] for r in csv.DictReader(fh)}
    with open(SHIPPED_PUPILS, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    direct = sum(int(r["AANTAL LEERLINGEN"]) for r in rows if r["VESTIGINGSCODE"] in codes)
    assert load_scenario("rijnmond").parameters().pupils_total == direct


# --------------------------------------------------------------------- the core and the table
def test_the_model_builds_its_sites_boards_and_mixes_from_the_table():
    model = RegionModel("rijnmond", rng=1)
    with open(SCENARIO_DIR / "rijnmond-schools.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [s.name for s in model.schools] == [r["name"] for r in rows]
    frame = model.school_frame()
    assert list(frame["board_id"]) == [r["board"] for r in rows]
    assert frame["pupils"].to_numpy() == pytest.approx([float(r["pupils"]) for r in rows])
    vmbo = [float(r["vmbo_share"]) for r in rows]
    assert (model.pupils[:, 0] / model.pupils.sum(1)) == pytest.approx(vmbo, abs=1e-4)
    # one board index per DUO board number
    pairs = set(zip(frame["board"], frame["board_id"], strict=True))
    assert len(pairs) == len({b for _, b in pairs}) == len({b for b, _ in pairs})


def test_overrides_scale_pupils_and_keep_a_subset_of_sites():
    model = RegionModel("rijnmond", rng=1, pupils_total=15_000, school_sites=16)
    assert len(model.schools) == 16
    assert model.pupils.sum() == pytest.approx(15_000)
    full = {s.name for s in RegionModel("rijnmond", rng=1).schools}
    assert {s.name for s in model.schools} <= full
    with pytest.raises(ParameterError, match=r"school_sites.*500.*1 to 134"):
        RegionModel("rijnmond", rng=1, school_sites=500)


# -------------------------------------------------------------------- "your region" end to end
def test_your_region_whole_path_on_the_shipped_extract(tmp_path, capsys):
    """The README's path: one command, then a run, the comparison study and the view's settings."""
    out = tmp_path / "regions"
    argv = [
        "region",
        "build",
        "--locations",
        str(SHIPPED_LOCATIONS),
        "--pupils",
        str(SHIPPED_PUPILS),
        "--region",
        "rpa=22",
        "--name",
        "haaglanden",
        "--out",
        str(out),
    ]
    assert cli_main(argv) == 0
    printed = capsys.readouterr().out
    toml = out / "haaglanden.toml"
    assert toml.exists() and (out / "haaglanden-schools.csv").exists()
    scen = load_scenario(toml)
    assert "haaglanden: " in printed and f"{scen.parameters().school_sites} school sites" in printed
    assert {m.area for m in scen.municipalities} == {"Haaglanden"}
    assert "'s-Gravenhage" in {m.name for m in scen.municipalities if m.g4}
    # the template's calibrated values came along
    assert scen.parameters().returner_rate == load_scenario("rijnmond").parameters().returner_rate
    model = RegionModel(scenario=str(toml), rng=2)
    model.run_for(2)
    assert len(model.school_frame()) == scen.parameters().school_sites
    # python -m sim run --scenario FILE
    assert cli_main(["run", "--scenario", str(toml), "--years", "1"]) == 0
    assert "haaglanden" in capsys.readouterr().out
    # the comparison study
    spec = importlib.util.spec_from_file_location(
        "cmp", REPO / "experiments" / "compare_policies.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    args = ["--quick", "--replications", "1", "--results-dir", str(tmp_path / "results")]
    args += ["--backend", "inprocess", "--horizon", "2", "--scenario", str(toml)]
    assert module.main(args) == 0
    reports = list((tmp_path / "results").rglob("report.md"))
    assert reports and "haaglanden" in reports[0].read_text(encoding="utf-8")
    # the browser view's settings start from the scenario
    from sim.view.components import build_arms, default_settings

    arms = build_arms(default_settings(str(toml)))
    assert all(len(m.schools) == scen.parameters().school_sites for m in arms.values())


def test_drawn_layout_parameters_do_not_change_a_table_region_and_studies_skip_them():
    from sim.model.region import build_layout

    scen = load_scenario("rijnmond")
    base = build_layout(scen, scen.parameters())
    other = build_layout(
        scen, scen.parameters(school_boards=5, board_size_exponent=0.2, share_vmbo=0.9)
    )
    assert [(s.board, s.pupils) for s in base.sites] == [(s.board, s.pupils) for s in other.sites]
    assert {"school_boards", "share_vmbo_city"} <= scen.unused_parameters
    assert load_scenario("netherlands").unused_parameters == frozenset()


def test_written_scenario_scales_the_template_intakes_by_pupils(tmp_path, fixture_region):
    toml, _ = write_scenario(fixture_region, tmp_path, template="rijnmond")
    scen, template = load_scenario(toml), load_scenario("rijnmond")
    ratio = fixture_region.pupils / template.parameters().pupils_total
    for mine, theirs in zip(scen.programmes, template.programmes, strict=True):
        assert mine.outside_intake == pytest.approx(theirs.outside_intake * ratio, abs=0.05)
        assert mine.school_leaver_share == theirs.school_leaver_share
    assert scen.pupil_projection == template.pupil_projection


def test_rijnmond_is_rpa_rijnmond_inside_corop_groot_rijnmond():
    """The choice documented in rijnmond.toml, checked on DUO's own region codes."""
    with open(SHIPPED_LOCATIONS, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter=";"))
    codes = {
        r["GEMEENTENUMMER"]
        for r in rows
        if r["RPA-GEBIED CODE"] == "23" and r["COROPGEBIED CODE"] == "29"
    }
    with open(SCENARIO_DIR / "rijnmond-schools.csv", encoding="utf-8", newline="") as fh:
        table = {r["municipality_code"] for r in csv.DictReader(fh)}
    assert table == codes and len(codes) == 13
