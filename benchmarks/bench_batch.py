"""Batch-runner throughput: runs per second in-process, and the speed-up of two local worker
processes over one on a 200-run batch of the default region.

The one-worker and two-worker batches are measured side by side in one session, alternating,
each repeated; the table shows the medians. A batch's time is its whole wall time as a user sees
it: starting the workers, running, and writing every run to Parquet. Results go to a temporary
folder that is removed afterwards; the table is printed and written to
``results/benchmarks/batch.md`` and ``batch.json``. Two control rows give the speed-up the
machine allows at the same time for fixed CPU work (plain Python, and numpy array work), so
that a shared or throttled machine is not mistaken for a slow runner.

    python benchmarks/bench_batch.py                 # 200 runs, 3 repeats (about 10 minutes)
    python benchmarks/bench_batch.py --runs 40 --repeats 1   # a quick look
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sim.batch.runner import DEFAULT_HORIZON, Arm, Backend, Design, run_batch

REPO = Path(__file__).resolve().parents[1]


def design(runs: int, horizon: int, tag: str) -> Design:
    """``runs`` runs of the default region: both presets, runs / 2 paired replications."""
    return Design(
        experiment=f"bench_{tag}",
        arms=(Arm("isolated", "isolated"), Arm("collaborative", "collaborative")),
        replications=max(1, runs // 2),
        horizon=horizon,
    )


def timed_batch(d: Design, backend: Backend) -> tuple[float, float]:
    """Wall time of one fresh batch (workers started, runs done and stored), and the mean time
    a worker spent on one run (from the manifest): when that grows with more workers, the
    workers did not get a CPU each."""
    root = Path(tempfile.mkdtemp(prefix="bench_batch_"))
    try:
        start = time.perf_counter()
        result = run_batch(d, root, backend, progress=False)
        seconds = time.perf_counter() - start
        if result.finished != result.total:
            raise RuntimeError(f"benchmark batch did not finish: {result.summary()}")
        manifest = json.loads((result.folder / "manifest.json").read_text())
        return seconds, manifest["seconds_per_run"]
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _burn(seconds: float) -> int:
    """Plain Python CPU work for about ``seconds``."""
    end, count = time.perf_counter() + seconds, 0
    while time.perf_counter() < end:
        count += sum(i * i for i in range(1000))
    return count


def _burn_numpy(seconds: float) -> float:
    """Array work of the kind the model does (sorts, sums, small arrays) for about ``seconds``."""
    import numpy as np

    rng = np.random.default_rng(0)
    end, total = time.perf_counter() + seconds, 0.0
    while time.perf_counter() < end:
        a = rng.random(20_000)
        total += float(np.sort(a)[100] + np.cumsum(a)[-1])
    return total


def control_speedup(work: Callable[[float], object], tasks: int = 8, seconds: float = 1.0) -> float:
    """Speed-up of 2 over 1 processes on fixed work, measured now on this machine.

    Work that parallelises perfectly reaches 2.0 on two free CPUs; less means the CPUs are
    shared (other processes, or virtual CPUs that share a core or its memory bandwidth), and
    the runner's speed-up should be read against this number.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    ctx = multiprocessing.get_context("spawn")
    wall = {}
    for workers in (1, 2):
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            list(pool.map(work, [0.01] * workers))  # start the workers before timing
            start = time.perf_counter()
            list(pool.map(work, [seconds] * tasks))
            wall[workers] = time.perf_counter() - start
    return wall[1] / wall[2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=200, help="runs per batch (default 200)")
    parser.add_argument(
        "--horizon", type=int, default=DEFAULT_HORIZON, help=f"years per run ({DEFAULT_HORIZON})"
    )
    parser.add_argument(
        "--inprocess-runs",
        type=int,
        default=20,
        help="runs of the in-process measurement (default 20)",
    )
    parser.add_argument("--repeats", type=int, default=3, help="repeats of each (default 3)")
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "results" / "benchmarks",
        help="folder for batch.md and batch.json",
    )
    args = parser.parse_args(argv)

    load_before = os.getloadavg()
    inproc = [
        timed_batch(design(args.inprocess_runs, args.horizon, "inprocess"), Backend("inprocess"))
        for _ in range(args.repeats)
    ]
    big = design(args.runs, args.horizon, "workers")
    one, two, control, control_np = [], [], [], []
    for i in range(args.repeats):  # alternate, so a change in machine load hits both alike
        for workers, times in ((1, one), (2, two)) if i % 2 == 0 else ((2, two), (1, one)):
            times.append(timed_batch(big, Backend("processes", workers=workers)))
            print(
                f"repeat {i + 1}: {workers} worker(s) {times[-1][0]:.1f} s, "
                f"{times[-1][1]:.3f} s per run in a worker",
                flush=True,
            )
        control.append(control_speedup(_burn))
        control_np.append(control_speedup(_burn_numpy))
    load_after = os.getloadavg()

    n_in, n_big = 2 * max(1, args.inprocess_runs // 2), 2 * max(1, args.runs // 2)

    def med(pairs: list[tuple[float, float]], k: int) -> float:
        return statistics.median(p[k] for p in pairs)

    speedup = med(one, 0) / med(two, 0)
    rows = [
        ("in-process", n_in, med(inproc, 0), med(inproc, 1), ""),
        ("1 worker process", n_big, med(one, 0), med(one, 1), "1.00"),
        ("2 worker processes", n_big, med(two, 0), med(two, 1), f"{speedup:.2f}"),
    ]
    table = [
        "| backend | runs | median wall time (s) | runs/s | worker time per run (s) "
        "| speed-up over 1 worker |",
        "|---|---|---|---|---|---|",
    ]
    table += [f"| {b} | {n} | {t:.1f} | {n / t:.2f} | {w:.3f} | {s} |" for b, n, t, w, s in rows]
    note = (
        f"Default region, {args.horizon} years per run, both presets; median of "
        f"{args.repeats} repeat(s), 1- and 2-worker batches alternating. Machine: "
        f"{os.cpu_count()} CPUs, {platform.python_implementation()} "
        f"{platform.python_version()}, load average {load_before[0]:.1f} before and "
        f"{load_after[0]:.1f} after (other processes share the CPUs). "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC."
    )
    for label, values in (("plain Python", control), ("numpy array", control_np)):
        table.append(
            f"| control: {label} work, 2 vs 1 processes | | | | | {statistics.median(values):.2f} |"
        )
    note += (
        " The control rows are the speed-ups this machine gave fixed CPU work (plain Python, "
        "and numpy array work like the model's) in the same session; 2.00 means two free CPUs. "
        "Read the runner's speed-up against them, and against the worker time per run: when "
        "it grows with two workers, the workers did not have a CPU each."
    )
    text = "\n".join(table) + "\n\n" + note + "\n"
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "batch.md").write_text(
        "# Batch runner benchmark\n\nCommand: `python "
        f"benchmarks/bench_batch.py {' '.join(argv or sys.argv[1:])}`"
        f"\n\n{text}"
    )
    (args.out / "batch.json").write_text(
        json.dumps(
            {
                "runs": n_big,
                "horizon": args.horizon,
                "repeats": args.repeats,
                "seconds_and_worker_seconds_per_run": {
                    "inprocess": inproc,
                    "one_worker": one,
                    "two_workers": two,
                },
                "runs_per_second_inprocess": n_in / med(inproc, 0),
                "speedup_two_over_one": speedup,
                "control_speedup_python_work": control,
                "control_speedup_numpy_work": control_np,
                "load_average_before_after": [load_before[0], load_after[0]],
                "cpus": os.cpu_count(),
            },
            indent=2,
        )
        + "\n"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
