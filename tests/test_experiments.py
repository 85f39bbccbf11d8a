"""The study scripts end to end on a tiny region: reports with their sections and charts."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"
TINY = [
    "--backend",
    "inprocess",
    "--set",
    "pupils_total=3000",
    "--set",
    "school_sites=8",
    "--horizon",
    "2",
]


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"experiment_{name}", EXPERIMENTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check_report(folder: Path, sections: list[str], charts: int) -> str:
    text = (folder / "report.md").read_text()
    for section in sections:
        assert f"\n## {section}\n" in text, section
    images = re.findall(r"!\[[^\]]*\]\(([^)]+\.png)\)", text)
    assert len(images) == charts
    for rel in images:
        png = folder / rel
        assert png.read_bytes()[:4] == b"\x89PNG" and png.stat().st_size > 15_000, rel
    assert "| --- |" not in text and "|---|" in text  # a markdown table
    return text


def only_folder(root: Path) -> Path:
    (folder,) = [p for p in root.iterdir() if p.is_dir()]
    return folder


@pytest.mark.parametrize(
    "name",
    [
        "compare_policies",
        "levers",
        "futures",
        "sensitivity",
        "ema_workbench_example",
        "baseline_drivers",
    ],
)
def test_help(name, capsys):
    with pytest.raises(SystemExit) as exit_:
        load(name).main(["--help"])
    assert exit_.value.code == 0
    assert "usage:" in capsys.readouterr().out


def test_compare_policies_quick_study_and_rerun(tmp_path, capsys):
    module = load("compare_policies")
    args = ["--quick", "--fixed", "--replications", "3", "--results-dir", str(tmp_path), *TINY]
    assert module.main(args) == 0
    folder = only_folder(tmp_path / "compare_policies")
    text = check_report(folder, ["What was run", "Reading", "Outcomes", "Charts"], charts=7)
    assert "3 paired replication(s) per arm" in text
    # the reading quotes the table's effect, computed from the stored runs
    effect = re.search(
        r"\| shortage, open \+ hidden \(% of demand\) \|[^|]+\|[^|]+\| ([-0-9.]+) ", text
    ).group(1)
    assert f"{float(effect):+.2f} percentage points" in text
    assert "6 of 6 runs finished" in capsys.readouterr().out
    # a rerun of the finished batch runs nothing and rebuilds the report
    (folder / "report.md").unlink()
    assert module.main(args) == 0
    assert "6 from earlier sessions, 0 now" in capsys.readouterr().out
    assert (folder / "report.md").exists()


def test_compare_policies_search_sweep_section(tmp_path):
    """--search-sweep adds a section with one row per cell of rounds x applications, and the
    cost reading counts the extra staff's wages."""
    module = load("compare_policies")
    args = ["--fixed", "--replications", "1", "--search-sweep", "--search-sweep-replications", "1"]
    assert module.main([*args, "--results-dir", str(tmp_path), *TINY]) == 0
    folder = only_folder(tmp_path / "compare_policies")
    text = (folder / "report.md").read_text()
    assert "\n## How the difference depends on the search process\n" in text
    rows = re.findall(r"^\| (\d+) \| (\d+) \| [0-9.]+ \| [0-9.]+ \|", text, flags=re.M)
    want = [(str(r), str(a)) for r in module.SEARCH_ROUNDS for a in module.SEARCH_APPLICATIONS]
    assert rows == want
    assert "lever cost + staff wages" in text
    sweep = only_folder(tmp_path / "compare_policies_search")
    assert (sweep / "manifest.json").exists() or any(sweep.iterdir())


def test_compare_policies_drivers_section(tmp_path):
    """--drivers adds a section with one row per lever of the collaborative preset (that lever
    left out), stored as its own batch, and the reading names what drives the difference."""
    module = load("compare_policies")
    args = ["--fixed", "--replications", "1", "--drivers", "--drivers-replications", "2"]
    assert module.main([*args, "--results-dir", str(tmp_path), *TINY]) == 0
    text = (only_folder(tmp_path / "compare_policies") / "report.md").read_text()
    assert "\n## What drives the difference\n" in text
    section = text.split("\n## What drives the difference\n")[1]
    rows = re.findall(r"^\| ([a-z_]+) \| ", section, flags=re.M)
    assert sorted(rows) == sorted(module.PRESETS["collaborative"])
    drivers = only_folder(tmp_path / "compare_policies_drivers")
    design = (drivers / "manifest.json").read_text()
    assert '"replications": 2' in design
    assert "assumed mechanism size" in text


def test_bad_parameter_stops_the_study_before_any_run(tmp_path, capsys):
    code = load("compare_policies").main(
        ["--quick", "--results-dir", str(tmp_path), *TINY, "--set", "pupil_trend=0.01"]
    )
    assert code == 2
    assert "unknown parameter 'pupil_trend'" in capsys.readouterr().err
    assert not (tmp_path / "compare_policies").exists()


def test_levers_study(tmp_path):
    module = load("levers")
    args = ["--fixed", "--replications", "2", "--results-dir", str(tmp_path), *TINY]
    assert module.main(args) == 0
    text = check_report(
        only_folder(tmp_path / "levers"), ["What was run", "Reading", "Levers", "Charts"], charts=2
    )
    assert text.count("added alone to isolated |") == len(module.LEVERS)
    assert text.count("removed alone from collaborative |") == len(module.PRESETS["collaborative"])


def test_futures_study(tmp_path):
    module = load("futures")
    args = ["--fixed", "--replications", "2", "--results-dir", str(tmp_path), *TINY]
    assert module.main(args) == 0
    text = check_report(
        only_folder(tmp_path / "futures"),
        ["What was run", "Reading", "Futures", "Charts"],
        charts=2,
    )
    futures_part, rankings = text.split("\n## Where lever rankings flip\n")
    assert futures_part.count("| pupil ") == 8  # one row per future in each table
    assert rankings.split("\n## ")[0].count("| pupil ") == 8
    assert "Collaboration pays most under" in text


def test_baseline_drivers_study(tmp_path):
    module = load("baseline_drivers")
    args = ["--replications", "2", "--results-dir", str(tmp_path), *TINY]
    assert module.main(args) == 0
    text = check_report(
        only_folder(tmp_path / "baseline_drivers"),
        ["What was run", "Reading", "One assumption at a time", "The baseline's flows", "Charts"],
        charts=1,
    )
    arms = module.variants("rijnmond")
    for name in arms:
        assert f"| {name} |" in text
    assert "`training_intake_trend_last_year=2040`" in text
    assert text.count("| baseline |") == 1


def test_baseline_drivers_flow_table_adds_up():
    import pandas as pd

    from sim.i18n import Translator

    module = load("baseline_drivers")
    rows = []
    for year in range(2023, 2034):  # 10 simulated years after the census, two seeds
        for seed, extra in ((1, 0), (2, 10)):
            rows.append(
                {"arm": "baseline", "run_id": seed, "year": year}
                | dict.fromkeys(module.INFLOWS, 10 + extra)
                | dict.fromkeys(module.OUTFLOWS, 20)
            )
    table = module.flow_table(pd.DataFrame(rows), Translator("en"))
    by = table.set_index("flow (persons a year)")
    # four routes in at 10 and 20 (mean 15) = 60; three routes out at 20 = 60; net 0
    assert by.loc["graduates hired", "2024-2028"] == "15"
    assert by.loc["in, all routes", "2029-2033"] == "60"
    assert by.loc["out, all routes", "2024-2028"] == "60"
    assert by.loc["net (in - out)", "2029-2033"] == "0"


def test_sensitivity_study(tmp_path):
    module = load("sensitivity")
    assert module.main(["--quick", "--results-dir", str(tmp_path), *TINY]) == 0
    text = check_report(
        only_folder(tmp_path / "sensitivity"),
        ["What was run", "Reading", "Ranking", "Chart"],
        charts=1,
    )
    # every uncertain parameter is ranked once (the two set here are no factors), but for those
    # the default region's real schools make moot (its boards and school-type mixes)
    from sim.model.scenarios import load_scenario

    unused = load_scenario("rijnmond").unused_parameters
    assert text.count("| `") == len(
        module.factors(exclude={*unused, "pupils_total", "school_sites"})
    )
    assert "`school_boards`" not in text
    assert "| `pupils_total`" not in text and "| `staff_cost_eur_per_fte`" not in text
    assert "`pupil_trend_per_year`" in text


def test_compare_policies_report_in_dutch(tmp_path):
    module = load("compare_policies")
    args = [
        "--quick",
        "--fixed",
        "--replications",
        "2",
        "--results-dir",
        str(tmp_path),
        "--lang",
        "nl",
    ]
    assert module.main([*args, *TINY]) == 0
    folder = only_folder(tmp_path / "compare_policies")
    text = check_report(folder, ["Wat is doorgerekend", "Lezing", "Uitkomsten"], charts=7)
    assert text.startswith("# Ieder voor zich tegenover samenwerking in de regio\n")
    assert "gepaarde herhaling(en) per variant" in text
    assert re.search(r"is het tekort \d+,\d% van de lesvraag", text)  # Dutch decimal comma
    assert "| tekort, open + verborgen (% van de vraag) |" in text
    for english in ("What was run", "the shortage is", "Every lever effect", "per arm"):
        assert english not in text, english


# ----------------------------------------------------------- with parameter uncertainty
def test_compare_policies_draws_parameters_by_default(tmp_path, capsys):
    """The default comparison draws parameters: the report gives the effect with an interval
    including them, the probabilities beyond the thresholds, the seed/parameter split, the
    sensitivity table with its noise floor and the scenario-discovery section."""
    module = load("compare_policies")
    args = ["--draws", "8", "--seeds-per-draw", "2", "--results-dir", str(tmp_path), *TINY]
    assert module.main(args) == 0
    assert "32 of 32 runs finished" in capsys.readouterr().out
    folder = only_folder(tmp_path / "compare_policies")
    assert "8draws" in folder.name
    text = check_report(folder, ["What was run", "Reading", "How sure is the answer"], charts=9)
    assert "Parameter draws: 8 (lhs, 2 seed(s) each" in text
    for words in (
        "uncertainty interval, 95% of draws (pp)",
        "P(it lowers the shortage by more than 1 pp)",
        "P(it lowers the shortage by more than 2 pp)",
        "spread of one paired run: parameters / seed noise",
        "EUR per fte-year of shortage avoided, lever cost + extra wages",
        "dummy (noise floor)",
        "### Where collaboration does not pay",
    ):
        assert words in text, words
    # the headline's mean effect is the mean over draws of the per-draw paired differences
    import pandas as pd

    from sim.batch.analysis import Results, paired_differences

    res = Results.open(folder)
    end = res.end_state(["shortage_rate"])
    diff = paired_differences(end, "shortage_rate", "collaborative", "isolated")
    diff["draw"] = diff["replication"] // 2
    mean = diff.groupby("draw")["difference"].mean().mean()
    assert f"| mean effect on the shortage in 2025 (pp) | {mean * 100:+.2f} |" in text
    assert len(pd.read_csv(folder / "draws.csv")) == 16


def test_levers_and_futures_rank_levers_across_draws(tmp_path):
    levers = load("levers")
    assert levers.main(["--draws", "3", "--results-dir", str(tmp_path), *TINY]) == 0
    text = (only_folder(tmp_path / "levers") / "report.md").read_text()
    assert "\n## Rankings under parameter uncertainty\n" in text
    assert text.count("| isolated+") == 0 and "ranks first in" in text
    futures = load("futures")
    assert futures.main(["--draws", "2", "--results-dir", str(tmp_path), *TINY]) == 0
    text = (only_folder(tmp_path / "futures") / "report.md").read_text()
    assert "\n## Where lever rankings flip\n" in text
    assert text.count("regional_matching >") + text.count("> regional_matching") >= 8
