"""Smaller faults of the command line and the study scripts (issue 13, defect 8): each ends with one
clear line before any work, never with a traceback after it."""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import pytest

from sim import cli
from sim.batch import runner
from sim.batch.runner import Arm, BackendError, Design, run_study, study_parser

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"faults_{name}", EXPERIMENTS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_csv_pointing_at_a_folder_fails_before_the_simulation(tmp_path, capsys, monkeypatch):
    from sim.model.model import RegionModel

    def never(self, years):
        raise AssertionError("the simulation ran")

    monkeypatch.setattr(RegionModel, "run_for", never)
    assert (
        cli.main(
            ["run", "--set", "school_sites=2", "--set", "pupils_total=500", "--csv", str(tmp_path)]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "--csv" in err and "is a folder" in err


@pytest.mark.parametrize("years", ["0", "101", "1000000"])
def test_years_out_of_range_are_refused(years, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["run", "--years", years])
    assert info.value.code == 2
    assert "allowed: a whole number from 1 to 100" in capsys.readouterr().err


def test_ctrl_c_in_a_run_says_how_to_go_on(capsys, monkeypatch):
    from sim.model.model import RegionModel

    def interrupted(self, years):
        raise KeyboardInterrupt

    monkeypatch.setattr(RegionModel, "run_for", interrupted)
    assert cli.main(["run", "--set", "school_sites=2", "--set", "pupils_total=500"]) == 130
    assert "interrupted" in capsys.readouterr().err


def _study(tmp_path: Path, argv: list[str], monkeypatch=None):
    parser = study_parser("a test study", tmp_path, 2, 1)

    def design(args: argparse.Namespace) -> Design:
        return Design("s", (Arm("a", "isolated"),), 1, args.horizon, overrides={"school_sites": 2})

    return run_study(parser, argv, design, lambda batch, command: tmp_path, "s.py")


def test_ctrl_c_in_a_study_says_the_runs_are_kept_and_how_to_resume(tmp_path, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(runner, "run_batch", interrupted)
    outcome = _study(tmp_path, ["--backend", "inprocess"])
    assert outcome.code == 130
    assert "interrupted" in outcome.err[0] and "same command again" in outcome.err[0]


@pytest.mark.parametrize("address", ["not-an-address", "tcp://", "http://[::1"])
def test_a_malformed_scheduler_address_is_one_clear_line(tmp_path, address):
    outcome = _study(tmp_path, ["--scheduler", address])
    assert outcome.code == 2
    assert outcome.err[0].startswith("error: ") and address in outcome.err[0]


def test_a_malformed_scheduler_address_raises_a_backend_error():
    backend = runner.Backend("dask", scheduler="not-an-address", connect_timeout_s=1)
    with pytest.raises(BackendError, match="scheduler"), backend.executor():
        pass


def test_study_horizon_beyond_the_bound_is_one_clear_line(tmp_path):
    outcome = _study(tmp_path, ["--horizon", "101", "--backend", "inprocess"])
    assert outcome.code == 2 and "horizon is 101" in outcome.err[0]


def test_validate_with_a_bad_scenario_is_one_clear_line(capsys):
    validate = load("validate")
    assert validate.main(["--scenario", "atlantis", "--replications", "2"]) == 2
    assert "unknown scenario 'atlantis'" in capsys.readouterr().err


def test_validate_out_must_be_inside_an_existing_folder(tmp_path, capsys):
    validate = load("validate")
    with pytest.raises(SystemExit):
        validate.parse_args(["--out", str(tmp_path / "a" / "b" / "c")])
    assert "--out" in capsys.readouterr().err
    assert not (tmp_path / "a").exists()


def test_calibrate_with_a_bad_scenario_is_one_clear_line(capsys):
    calibrate = load("calibrate")
    assert calibrate.main(["--scenario", "atlantis", "--dry-run"]) == 2
    assert "unknown scenario 'atlantis'" in capsys.readouterr().err


@pytest.mark.parametrize("option", ["--seeds", "--max-evals"])
def test_calibrate_zero_is_refused_not_the_default(option, capsys):
    calibrate = load("calibrate")
    with pytest.raises(SystemExit):
        calibrate.parse_args([option, "0"])
    assert option in capsys.readouterr().err


def test_ctrl_c_in_the_sensitivity_study_says_how_to_go_on(monkeypatch, capsys, tmp_path):
    sensitivity = load("sensitivity")

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(sensitivity, "run_from_args", stopped)
    assert sensitivity.main(["--quick", "--results-dir", str(tmp_path)]) == 130
    assert "run the same command again" in capsys.readouterr().err
