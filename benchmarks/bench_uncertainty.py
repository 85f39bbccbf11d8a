"""Wall time of the default comparison with parameter uncertainty, report included.

Runs ``experiments/compare_policies.py`` (its default: 100 parameter draws x 2 seeds x 2 arms,
17 years, two worker processes) in a fresh results folder, as a user would, and times the whole
command: starting the workers, the runs, storing them, and the report (charts, sensitivity
analysis, PRIM). The batch and the report are timed apart, and the machine's load is recorded
beside them, since the machine is shared. Targets (issue 12): under 90 s, ``--quick`` under 20 s.

    python benchmarks/bench_uncertainty.py            # the default comparison (a few minutes)
    python benchmarks/bench_uncertainty.py --quick    # 10 draws x 2 seeds
    python benchmarks/bench_uncertainty.py --results-dir results   # keep the report (committed)

Writes ``results/benchmarks/uncertainty.md`` (or ``uncertainty-quick.md``) and ``.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "experiments"))

import compare_policies  # noqa: E402  (the study script, imported to time its two halves)

TARGET_S = {"default": 90.0, "quick": 20.0}


def _cpu_seconds() -> float:
    """Processor time of this process and its finished children (the worker processes)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="time the --quick comparison")
    parser.add_argument(
        "--results-dir",
        type=Path,
        help="results root to keep the runs and report in (default: a temporary folder, removed)",
    )
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    root = args.results_dir or Path(tempfile.mkdtemp(prefix="bench_uncertainty_"))
    study_args = ["--results-dir", str(root), "--workers", str(args.workers), "--no-progress"]
    if args.quick:
        study_args.append("--quick")
    parser_ = compare_policies.build_parser()
    ns = parser_.parse_args(study_args)
    design = compare_policies.design_from_args(ns)
    folder = root / design.experiment / design.default_name()
    if folder.exists():
        shutil.rmtree(folder)  # a fresh batch: nothing reused from an earlier session
    load_before = os.getloadavg()
    cpu_before = _cpu_seconds()
    try:
        start = time.perf_counter()
        batch = compare_policies.run_from_args(design, ns)
        batch_s = time.perf_counter() - start
        with contextlib.redirect_stdout(io.StringIO()):
            compare_policies.analyse(
                batch, "python experiments/compare_policies.py" + (" --quick" if args.quick else "")
            )
        total_s = time.perf_counter() - start
    finally:
        if args.results_dir is None:
            shutil.rmtree(root, ignore_errors=True)
    load_after = os.getloadavg()
    cpu_s = _cpu_seconds() - cpu_before
    kind = "quick" if args.quick else "default"
    manifest_runs = batch.total
    row = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "kind": kind,
        "runs": manifest_runs,
        "draws": design.n_draws,
        "seeds_per_draw": design.uncertainty.seeds_per_draw,
        "workers": args.workers,
        "batch_s": round(batch_s, 1),
        "report_s": round(total_s - batch_s, 1),
        "total_s": round(total_s, 1),
        "cpu_s": round(cpu_s, 1),
        "quiet_estimate_s": round(cpu_s / args.workers, 1),
        "target_s": TARGET_S[kind],
        "cpu_count": os.cpu_count(),
        "load_1min_before": round(load_before[0], 2),
        "load_1min_after": round(load_after[0], 2),
        "python": platform.python_version(),
    }
    out = REPO / "results" / "benchmarks"
    out.mkdir(parents=True, exist_ok=True)
    name = "uncertainty" + ("-quick" if args.quick else "")
    (out / f"{name}.json").write_text(json.dumps(row, indent=2) + "\n")
    cmd = "python benchmarks/bench_uncertainty.py" + (" --quick" if args.quick else "")
    text = (
        f"# The comparison with parameter uncertainty ({kind})\n\n"
        f"Command: `{cmd}` ({row['measured_at']}).\n\n"
        "| runs | draws x seeds | workers | batch (s) | report (s) | total wall (s) | CPU (s) | "
        "CPU / workers (s) | target (s) | load before / after (1 min) |\n"
        "|---|---|---|---|---|---|---|---|---|---|\n"
        f"| {row['runs']} | {row['draws']} x {row['seeds_per_draw']} | {args.workers} | "
        f"{row['batch_s']} | {row['report_s']} | **{row['total_s']}** | {row['cpu_s']} | "
        f"{row['quiet_estimate_s']} | {row['target_s']:g} | "
        f"{row['load_1min_before']} / {row['load_1min_after']} |\n\n"
        f"The machine has {row['cpu_count']} cores and was shared with other work: a load "
        "above 2 means the two workers did not have a core each, and the wall time grows with "
        "the load. *CPU* is the processor time of the command and its worker processes "
        "together; *CPU / workers* is the wall time the command would take with a core for "
        "each worker and nothing else running (a lower bound: the report runs on one core).\n"
    )
    (out / f"{name}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
