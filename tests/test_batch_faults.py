"""Faults a batch must survive (issue 13): stale or mixed results, a worker that dies, a run that
hangs, two batches on one folder, a killed main process, damaged files and failure records."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.batch import runner
from sim.batch.runner import (
    Arm,
    Backend,
    Design,
    DesignError,
    ResultsError,
    RunSpec,
    results_folder,
    run_batch,
    run_one,
)
from sim.batch.storage import RunStore, folder_lock
from sim.model.scenarios import SCENARIO_DIR, ScenarioError

SMALL = {"pupils_total": 3000, "school_sites": 6}


def tiny(replications: int = 2, horizon: int = 2, scenario: str = "rijnmond") -> Design:
    return Design(
        "faults",
        (Arm("isolated", "isolated"), Arm("collaborative", "collaborative")),
        replications=replications,
        horizon=horizon,
        scenario=scenario,
        overrides=SMALL,
    )


def _scenario_copy(tmp_path: Path) -> Path:
    path = tmp_path / "region.toml"
    path.write_text((SCENARIO_DIR / "rijnmond.toml").read_text(encoding="utf-8"), encoding="utf-8")
    return path


def _edit(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "initial_shortage_rate = 0.069" in text
    path.write_text(text.replace("initial_shortage_rate = 0.069", "initial_shortage_rate = 0.09"))


# ------------------------------------------------------------- stale or mixed results (2)
def test_an_edited_scenario_file_gets_a_new_folder_not_the_old_runs(tmp_path):
    scenario = _scenario_copy(tmp_path)
    first = run_batch(tiny(scenario=str(scenario)), tmp_path / "r", Backend("inprocess"))
    _edit(scenario)
    second = run_batch(tiny(scenario=str(scenario)), tmp_path / "r", Backend("inprocess"))
    assert second.folder != first.folder
    assert (second.skipped, second.ran) == (0, 4)  # nothing reused from the old version
    old = RunStore(first.folder).read("series")
    new = RunStore(second.folder).read("series")
    assert not old.shortage_rate.equals(new.shortage_rate)


def test_an_edited_scenario_is_refused_in_a_named_folder(tmp_path):
    scenario = _scenario_copy(tmp_path)
    design = tiny(scenario=str(scenario))
    run_batch(design, tmp_path, Backend("inprocess"), name="mine")
    _edit(scenario)
    with pytest.raises(ResultsError, match="scenario file"):
        run_batch(design, tmp_path, Backend("inprocess"), name="mine")


def test_a_scenario_edited_during_a_batch_fails_its_runs_instead_of_mixing(tmp_path):
    scenario = _scenario_copy(tmp_path)
    spec = tiny(scenario=str(scenario)).run_specs()[0]
    _edit(scenario)  # e.g. between an interrupt and the resume, or while workers run
    with pytest.raises(ScenarioError, match="changed since the batch started"):
        run_one(spec)


def test_another_model_version_is_another_folder(tmp_path, monkeypatch):
    first = run_batch(tiny(replications=1), tmp_path, Backend("inprocess"), name=None)
    monkeypatch.setattr(runner, "model_version", lambda: "0+changed")
    assert tiny(replications=1).default_name() != first.folder.name
    with pytest.raises(ResultsError, match="model version"):
        run_batch(tiny(replications=1), tmp_path, Backend("inprocess"), name=first.folder.name)


def test_the_identity_lists_every_arm_s_resolved_parameters():
    identity = tiny().identity()
    assert set(identity["parameters"]) == {"isolated", "collaborative"}
    assert identity["parameters"]["isolated"]["school_sites"] == 6
    assert len(identity["scenario_sha256"]) == 64 and identity["model_version"]


# ----------------------------------------------------------- a dying worker, a hang (3)
def kill_own_process_in_run_1(spec: RunSpec):
    """A run that kills the process it runs in (as an out-of-memory kill or a segfault does)."""
    if spec.run_id == 1:
        os.kill(os.getpid(), signal.SIGKILL)
    return run_one(spec)


def hang_in_run_1(spec: RunSpec):
    """A run that never ends."""
    if spec.run_id == 1:
        time.sleep(3600)
    return run_one(spec)


@pytest.mark.parametrize(
    "backend",
    [Backend("processes", workers=2), Backend("dask", workers=2)],
    ids=["processes", "dask"],
)
def test_a_run_that_kills_its_worker_is_recorded_failed_and_the_batch_goes_on(tmp_path, backend):
    # Dask retries a task that killed its worker up to allowed-failures times (3), each time on
    # a fresh worker: the test keeps the batch small
    design = tiny(replications=2 if backend.kind == "processes" else 1)
    batch = run_batch(
        design, tmp_path, backend, progress=False, run_function=kill_own_process_in_run_1
    )
    assert (batch.finished, batch.total) == (design.replications * 2 - 1, design.replications * 2)
    assert [f["run_id"] for f in batch.failed] == [1]
    error = batch.failed[0]["error"]
    assert ("WorkerDied" if backend.kind == "processes" else "KilledWorker") in error
    if backend.kind == "processes":  # a rerun records it again and does not stop
        again = run_batch(
            tiny(), tmp_path, backend, progress=False, run_function=kill_own_process_in_run_1
        )
        assert (again.finished, again.ran, [f["run_id"] for f in again.failed]) == (3, 0, [1])


IN_PROCESS_SCRIPT = """
import sys
from sim.batch.runner import Arm, Backend, Design, run_batch
sys.path.insert(0, {tests!r})
from test_batch_faults import kill_own_process_in_run_1, tiny

if __name__ == "__main__":
    run_batch(tiny(), sys.argv[1], Backend("inprocess"), progress=False,
              run_function=kill_own_process_in_run_1)
"""


def test_a_run_that_kills_the_in_process_batch_is_recorded_failed_on_the_rerun(tmp_path):
    script = tmp_path / "batch.py"
    script.write_text(IN_PROCESS_SCRIPT.format(tests=str(Path(__file__).parent)))
    proc = subprocess.run([sys.executable, str(script), str(tmp_path)], capture_output=True)
    assert proc.returncode == -signal.SIGKILL
    batch = run_batch(
        tiny(), tmp_path, Backend("inprocess"), run_function=kill_own_process_in_run_1
    )
    assert (batch.finished, batch.total) == (3, 4)
    assert [f["run_id"] for f in batch.failed] == [1] and "WorkerDied" in batch.failed[0]["error"]


@pytest.mark.parametrize(
    "backend",
    [Backend("inprocess"), Backend("processes", workers=2), Backend("dask", workers=2)],
    ids=["inprocess", "processes", "dask"],
)
def test_a_hanging_run_is_stopped_by_the_run_timeout(tmp_path, backend):
    start = time.monotonic()
    design = tiny(replications=1 if backend.kind == "dask" else 2)
    batch = run_batch(
        design, tmp_path, backend, progress=False, run_function=hang_in_run_1, run_timeout_s=3
    )
    assert time.monotonic() - start < 120
    failed = [f["run_id"] for f in batch.failed]
    assert (batch.finished, failed) == (design.replications * 2 - 1, [1])
    # on Dask the worker ends itself; Dask retries the run on fresh workers, then gives up
    assert ("KilledWorker" if backend.kind == "dask" else "RunTimeout") in batch.failed[0]["error"]


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf")])
def test_a_bad_run_timeout_is_refused(tmp_path, timeout):
    with pytest.raises(DesignError, match="timeout"):
        run_batch(tiny(), tmp_path, Backend("inprocess"), run_timeout_s=timeout)


# ------------------------------------------------------------------------- lock (4)
def test_a_folder_in_use_is_refused_and_left_alone(tmp_path):
    folder = results_folder(tmp_path, tiny())
    folder.mkdir(parents=True)
    partial = folder / "runs" / "series" / ".000003.parquet.x.tmp"
    partial.parent.mkdir(parents=True)
    partial.write_bytes(b"half written by the other batch")
    with folder_lock(folder), pytest.raises(ResultsError, match="in use by another batch"):
        run_batch(tiny(), tmp_path, Backend("inprocess"))
    assert partial.exists()  # the other batch's half-written file was not deleted
    assert not (folder / "manifest.json").exists()


# --------------------------------------------------------- killed main process (5)
KILL_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from sim.batch.runner import Backend, run_batch
from test_batch_faults import tiny

if __name__ == "__main__":
    run_batch(tiny(replications=16, horizon=3), sys.argv[1], Backend("processes", workers=2),
              progress=False)
"""


def _children(pid: int) -> set[int]:
    out = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with open(task / "children") as fh:
            out |= {int(p) for p in fh.read().split()}
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_and_wait(tmp_path: Path, runs: int) -> tuple[subprocess.Popen, Path]:
    script = tmp_path / "batch.py"
    script.write_text(KILL_SCRIPT.format(tests=str(Path(__file__).parent)))
    proc = subprocess.Popen(
        [sys.executable, str(script), str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    folder = results_folder(tmp_path, tiny(replications=16, horizon=3))
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if len(list((folder / "runs" / "series").glob("*.parquet"))) >= runs:
            return proc, folder
        assert proc.poll() is None
        time.sleep(0.05)
    proc.kill()
    raise AssertionError("the batch did not get going")


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads /proc (Linux)")
def test_sigkill_of_the_batch_leaves_no_workers_and_a_true_manifest(tmp_path):
    proc, folder = _start_and_wait(tmp_path, 3)
    workers = _children(proc.pid)
    assert workers
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers), "workers outlived the batch"
    manifest = json.loads((folder / "manifest.json").read_text())
    on_disk = len(list((folder / "runs" / "series").glob("*.parquet")))
    # written after every run: at most the one run whose file landed just before the kill
    assert on_disk - 1 <= manifest["runs_finished"] <= on_disk
    # every run file on disk is listed with its checksum, so damage to it is found on resume
    listed = {int(k) for k in manifest["run_checksums"]}
    assert {int(p.stem) for p in (folder / "runs" / "series").glob("*.parquet")} <= listed
    # the next session calls the killed one what it was
    batch = run_batch(tiny(replications=16, horizon=3), tmp_path, Backend("inprocess"))
    assert batch.finished == 32 and batch.skipped >= on_disk - 1
    sessions = json.loads((folder / "manifest.json").read_text())["sessions"]
    assert sessions[0]["status"].startswith("ended without notice")


def test_sigterm_of_the_batch_writes_the_manifest_and_stops_the_workers(tmp_path):
    proc, folder = _start_and_wait(tmp_path, 3)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(p) for p in workers)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["sessions"][-1]["status"] == "interrupted (Terminated)"
    on_disk = len(list((folder / "runs" / "series").glob("*.parquet")))
    assert manifest["runs_finished"] == on_disk


# ------------------------------------------------------------------ damaged files (6)
def _flip_a_byte_inside(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[64] ^= 0x10  # inside the first data page, the footer intact
    path.write_bytes(bytes(data))


def test_a_damaged_run_is_moved_aside_and_run_again(tmp_path):
    design = tiny()
    batch = run_batch(design, tmp_path, Backend("inprocess"))
    store = RunStore(batch.folder)
    before = store.read("series")
    _flip_a_byte_inside(store.path("series", 2))
    again = run_batch(design, tmp_path, Backend("inprocess"))
    assert (again.ran, again.finished) == (1, 4)
    assert sorted(p.name for p in (batch.folder / "runs" / "corrupt").iterdir()) == [
        "schools-000002.parquet",
        "series-000002.parquet",
    ]
    pd.testing.assert_frame_equal(store.read("series"), before)


def test_a_run_folder_without_checksums_is_read_in_full_and_listed(tmp_path):
    design = tiny()
    batch = run_batch(design, tmp_path, Backend("inprocess"))
    manifest_path = batch.folder / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    listed = manifest.pop("run_checksums")  # a folder from before checksums were kept
    manifest_path.write_text(json.dumps(manifest))
    again = run_batch(design, tmp_path, Backend("inprocess"))
    assert (again.ran, again.finished) == (0, 4)
    assert json.loads(manifest_path.read_text())["run_checksums"] == listed


# ---------------------------------------------------------------------- smaller (8)
def test_a_corrupt_failure_record_does_not_stop_a_rerun(tmp_path):
    design = tiny()
    folder = results_folder(tmp_path, design)
    (folder / "runs" / "failed").mkdir(parents=True)
    (folder / "runs" / "failed" / "000001.json").write_text("{not json")
    batch = run_batch(design, tmp_path, Backend("inprocess"))
    assert (batch.finished, batch.failed) == (4, [])
    assert (folder / "runs" / "corrupt" / "failed-000001.json").exists()


@pytest.mark.parametrize("name", ["../..", "..", "../elsewhere", "a/b", "."])
def test_a_folder_name_outside_the_results_folder_is_refused(tmp_path, name):
    with pytest.raises(ResultsError, match="--name"):
        run_batch(tiny(), tmp_path / "results", Backend("inprocess"), name=name)
    assert not (tmp_path / "results").exists()


def test_a_horizon_beyond_the_parameter_bound_is_refused(tmp_path):
    design = Design("t", (Arm("a", "isolated"),), replications=1, horizon=101)
    with pytest.raises(DesignError, match="horizon is 101; allowed: a whole number from 1 to 100"):
        run_batch(design, tmp_path, Backend("inprocess"))
