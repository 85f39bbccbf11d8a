import pandas as pd
import pytest

from sim.cli import main


def test_run_prints_a_summary_and_writes_csv(tmp_path, capsys):
    out = tmp_path / "series.csv"
    code = main(
        [
            "run",
            "--policy",
            "collaborative",
            "--years",
            "3",
            "--rng",
            "2",
            "--set",
            "pupils_total=12000",
            "--set",
            "school_sites=10",
            "--csv",
            str(out),
        ]
    )
    text = capsys.readouterr().out
    assert code == 0
    assert "policy collaborative" in text and "regional_matching" in text
    assert "shortage %" in text and "2026" in text and "mathematics" in text
    frame = pd.read_csv(out, index_col="year")
    assert list(frame.index) == [2023, 2024, 2025, 2026]
    assert {"vacancy_fte", "unqualified_fte", "qualified_fte", "demand_fte"} <= set(frame.columns)


def test_bad_input_exits_with_a_named_error(capsys, tmp_path):
    assert main(["run", "--set", "pupils_totl=3"]) == 2
    assert "did you mean 'pupils_total'" in capsys.readouterr().err
    assert main(["run", "--policy", "isolated+nope"]) == 2
    assert "unknown lever 'nope'" in capsys.readouterr().err
    assert main(["run", "--scenario", "atlantis"]) == 2
    assert "unknown scenario 'atlantis'" in capsys.readouterr().err
    assert main(["run", "--years", "2", "--csv", str(tmp_path / "missing" / "x.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["run", "--years", "0"])
    assert "--years: value 0 is not allowed" in capsys.readouterr().err


def test_params_lists_sources(capsys):
    assert main(["params", "--group", "policy_levers"]) == 0
    text = capsys.readouterr().out
    assert "induction_exit_rr" in text and "Helms-Lorenz" in text
    assert "pupils_total" not in text
