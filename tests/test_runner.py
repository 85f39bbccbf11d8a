"""The batch runner: paired seeds, validation, identical results on every backend, resume after a
real kill, failure recording, and clear messages for bad folders and unreachable schedulers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from sim.batch.runner import (
    Arm,
    Backend,
    BackendError,
    Design,
    DesignError,
    ResultsError,
    RunSpec,
    results_folder,
    run_batch,
    run_one,
)
from sim.batch.storage import RunStore

SMALL = {"pupils_total": 3000, "school_sites": 6}


def tiny(replications: int = 3, horizon: int = 3, experiment: str = "t") -> Design:
    return Design(
        experiment=experiment,
        arms=(Arm("isolated", "isolated"), Arm("collaborative", "collaborative")),
        replications=replications,
        horizon=horizon,
        overrides=SMALL,
    )


# ------------------------------------------------------------------------- design
def test_every_arm_shares_the_replication_seeds_and_seeds_are_stable():
    design = tiny(replications=4)
    specs = design.run_specs()
    assert sorted(s.run_id for s in specs) == list(range(8))
    by_rep: dict[int, set[int]] = {}
    for s in specs:
        by_rep.setdefault(s.replication, set()).add(s.seed)
    assert all(len(seeds) == 1 for seeds in by_rep.values())  # same seed in both arms
    assert len({next(iter(v)) for v in by_rep.values()}) == 4  # different per replication
    # more replications keep the first seeds, another base seed changes them
    longer = Design(**{**design.__dict__, "replications": 6}).seeds()
    assert longer[:4] == design.seeds()
    assert Design(**{**design.__dict__, "base_seed": 1}).seeds() != design.seeds()


def test_folder_name_follows_the_design():
    a, b = tiny(), tiny(replications=5)
    assert a.default_name() == tiny().default_name()
    assert a.default_name() != b.default_name()
    assert Design.from_dict(json.loads(json.dumps(a.to_dict()))).digest() == a.digest()


@pytest.mark.parametrize(
    ("arm", "scenario", "named"),
    [
        (Arm("x", "isolated+joint_inducton"), "rijnmond", "joint_inducton"),
        (Arm("x", "isolated", {"pupil_trend": 0.01}), "rijnmond", "pupil_trend"),
        (Arm("x", "isolated", {"pupil_trend_per_year": 3.0}), "rijnmond", "pupil_trend_per_year"),
        (Arm("x", "isolated"), "atlantis", "atlantis"),
    ],
)
def test_bad_design_fails_before_any_run(tmp_path, arm, scenario, named):
    design = Design("t", (Arm("ok", "collaborative"), arm), 2, 2, scenario=scenario)
    with pytest.raises(DesignError, match=named):
        run_batch(design, tmp_path, Backend("inprocess"))
    assert list(tmp_path.iterdir()) == []  # nothing ran, nothing was written


def test_run_one_returns_series_and_school_end_state():
    spec = RunSpec(
        7, "collaborative", 2, 123, "rijnmond", "collaborative", 3, tuple(sorted(SMALL.items()))
    )
    result = run_one(spec)
    assert list(result.series["year"]) == [2023, 2024, 2025, 2026]
    assert (result.series[["run_id", "replication", "seed"]].to_numpy() == [7, 2, 123]).all()
    assert set(result.series["arm"]) == {"collaborative"}
    assert len(result.schools) == SMALL["school_sites"]
    assert set(result.schools["year"]) == {2026}


# ----------------------------------------------------------------------- backends
@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    root = tmp_path_factory.mktemp("inprocess")
    batch = run_batch(tiny(), root, Backend("inprocess"), progress=False)
    store = RunStore(batch.folder)
    return store.read("series"), store.read("schools")


@pytest.mark.parametrize(
    "backend",
    [Backend("processes", workers=2), Backend("dask", workers=2)],
    ids=["processes", "dask"],
)
def test_results_identical_on_every_backend(tmp_path, reference, backend):
    batch = run_batch(tiny(), tmp_path, backend, progress=False)
    assert batch.finished == batch.total == 6 and not batch.failed
    store = RunStore(batch.folder)
    pd.testing.assert_frame_equal(store.read("series"), reference[0])
    pd.testing.assert_frame_equal(store.read("schools"), reference[1])


def test_unreachable_scheduler_gets_a_clear_message(tmp_path):
    backend = Backend("dask", scheduler="tcp://127.0.0.1:9", connect_timeout_s=1)
    with pytest.raises(
        BackendError, match=r"cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'"
    ):
        run_batch(tiny(), tmp_path, backend)


# ------------------------------------------------------------------ results folder
def test_missing_or_unusable_results_folder(tmp_path):
    with pytest.raises(ResultsError, match="does not exist"):
        run_batch(tiny(), tmp_path / "no" / "such" / "folder", Backend("inprocess"))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ResultsError, match="cannot create results folder"):
        run_batch(tiny(), blocker, Backend("inprocess"))


def test_folder_of_another_design_is_refused(tmp_path):
    run_batch(tiny(replications=1), tmp_path, Backend("inprocess"), name="same", progress=False)
    with pytest.raises(ResultsError, match="holds another design"):
        run_batch(tiny(replications=2), tmp_path, Backend("inprocess"), name="same")


def test_rerun_of_a_finished_batch_runs_nothing(tmp_path):
    first = run_batch(tiny(), tmp_path, Backend("inprocess"), progress=False)
    files = {p: p.stat().st_mtime_ns for p in (first.folder / "runs").rglob("*.parquet")}
    again = run_batch(tiny(), tmp_path, Backend("inprocess"), progress=False)
    assert (again.ran, again.skipped, again.finished) == (0, 6, 6)
    assert {p: p.stat().st_mtime_ns for p in (first.folder / "runs").rglob("*.parquet")} == files
    manifest = json.loads((first.folder / "manifest.json").read_text())
    assert [s["runs_ran"] for s in manifest["sessions"]] == [6]  # a no-op is no session
    assert manifest["run_commits"] == [manifest["git_commit"]]
    assert manifest["runs_finished"] == 6 and manifest["seeds"] == tiny().seeds()


# -------------------------------------------------------------------------- failures
def fail_second_collaborative(spec: RunSpec):
    """A run function whose run (collaborative, replication 1) raises."""
    if spec.arm == "collaborative" and spec.replication == 1:
        raise ArithmeticError("lesson demand went negative in the test")
    return run_one(spec)


def test_failing_run_is_recorded_and_the_batch_goes_on(tmp_path):
    batch = run_batch(
        tiny(),
        tmp_path,
        Backend("inprocess"),
        progress=False,
        run_function=fail_second_collaborative,
    )
    assert (batch.finished, batch.total, len(batch.failed)) == (5, 6, 1)
    record = batch.failed[0]
    assert record["spec"]["arm"] == "collaborative" and record["spec"]["replication"] == 1
    assert "ArithmeticError: lesson demand went negative" in record["error"]
    assert "fail_second_collaborative" in record["traceback"]
    assert "1 failed" in batch.summary()
    assert json.loads((batch.folder / "manifest.json").read_text())["runs_failed"] == 1
    # the next session retries the failed run only, and the failure record goes away
    again = run_batch(tiny(), tmp_path, Backend("inprocess"), progress=False)
    assert (again.ran, again.finished, again.failed) == (1, 6, [])
    assert not list((batch.folder / "runs" / "failed").iterdir())


# --------------------------------------------------------------------------- resume
KILL_SCRIPT = """
import sys
from sim.batch.runner import Arm, Backend, Design, run_batch

def main():
    design = Design("resume", (Arm("isolated", "isolated"), Arm("collaborative", "collaborative")),
                    replications=12, horizon=3, overrides={SMALL!r})
    run_batch(design, sys.argv[1], Backend("processes", workers=2), progress=False)

if __name__ == "__main__":
    main()
"""


def test_resume_after_a_real_kill_keeps_every_finished_run_once(tmp_path):
    script = tmp_path / "batch.py"
    script.write_text(textwrap.dedent(KILL_SCRIPT.replace("{SMALL!r}", repr(SMALL))))
    results = tmp_path / "results"
    design = Design("resume", tiny().arms, replications=12, horizon=3, overrides=SMALL)
    series_dir = results_folder(results, design) / "runs" / "series"
    proc = subprocess.Popen(
        [sys.executable, str(script), str(results)],
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if series_dir.exists() and len(list(series_dir.glob("*.parquet"))) >= 4:
            break
        assert proc.poll() is None, proc.stderr.read().decode()
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the batch and its workers, mid-batch
    proc.wait()
    before = {p.name: p.read_bytes() for p in series_dir.glob("*.parquet")}
    assert 4 <= len(before) < 24, "the batch must be killed mid-way"
    # what a kill during a write can leave: a temporary file, and (worse) a truncated file
    (series_dir / ".000023.parquet.abc.tmp").write_bytes(b"PAR1 half")
    (series_dir / "000023.parquet").write_bytes(b"PAR1 truncated")
    (series_dir.parent / "schools" / "000023.parquet").write_bytes(b"PAR1 truncated")
    before.pop("000023.parquet", None)

    batch = run_batch(design, results, Backend("inprocess"), progress=False)
    assert (batch.finished, batch.total, batch.failed) == (24, 24, [])
    assert batch.ran == 24 - len(before)
    for name, data in before.items():  # finished runs were kept, not run again
        assert (series_dir / name).read_bytes() == data
    series = RunStore(batch.folder).read("series")
    assert series.groupby("run_id").size().to_dict() == {i: 4 for i in range(24)}
    assert not list(series_dir.glob("*.tmp"))
    assert len(list((series_dir.parent / "corrupt").iterdir())) == 2
    reference = run_batch(design, tmp_path / "ref", Backend("inprocess"), progress=False)
    pd.testing.assert_frame_equal(series, RunStore(reference.folder).read("series"))


def test_runs_whose_counts_differ_in_type_read_together(tmp_path):
    """A count that stayed a whole number 0 in one run and became fte in another (early
    recruitment) gives files of different types; reading them together promotes to float."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from sim.batch.storage import RunStore

    store = RunStore(tmp_path)
    store.prepare()
    ids = {"arm": ["a", "a"], "replication": [0, 0], "seed": [1, 1], "year": [2023, 2024]}
    pq.write_table(
        pa.table({"run_id": [0, 0], **ids, "early_recruitment_fte": [0, 0]}),
        store.path("series", 0),
    )
    pq.write_table(
        pa.table({"run_id": [1, 1], **ids, "early_recruitment_fte": [0.0, 2.5]}),
        store.path("series", 1),
    )
    frame = store.read("series")
    assert frame["early_recruitment_fte"].dtype == float
    assert frame["early_recruitment_fte"].tolist() == [0.0, 0.0, 0.0, 2.5]
