"""Per-person histories of a batch, on request: follow a cohort across the runs of a design.

The batch files hold yearly series and per-school end states, not people. Every run is fixed by
its spec (scenario, policy, seed, overrides), so the people of any run can be had afterwards by
running it again: :func:`run_histories` re-runs the chosen runs of a finished (or only
designed) batch and writes each run's events (:meth:`sim.model.history.History.frame`) to
``runs/history/<run_id>.parquet`` beside the batch's own files; :func:`cohort_table` follows a
cohort (e.g. the side-entrants hired in 2025, five years on) in every run.

    python -m sim.batch.history results/compare_policies/<name> --route side_entrant \
        --year 2025 --after 5
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from sim.batch.runner import Design, RunSpec
from sim.model.agents import ROUTE, ROUTES
from sim.model.history import follow_cohort

HISTORY_FOLDER = Path("runs") / "history"
"""Where, under a batch folder, the per-run history files go."""


def history_of(spec: RunSpec) -> pd.DataFrame:
    """Run one spec again and return its per-person events, with the run's ids."""
    from sim.model.model import RegionModel  # imported here so importing this stays light

    model = RegionModel(
        scenario=spec.scenario, policy=spec.policy, rng=spec.seed, **dict(spec.overrides)
    )
    model.run_for(spec.horizon)
    frame = model.history.frame()
    for i, (k, v) in enumerate(
        (("run_id", spec.run_id), ("arm", spec.arm), ("replication", spec.replication))
    ):
        frame.insert(i, k, v)
    return frame


def run_histories(
    folder: Path | str, design: Design | None = None, run_ids: Iterable[int] | None = None
) -> list[Path]:
    """Write the per-person history of runs of a batch (all, or ``run_ids``) to its folder.

    Args:
        folder: The batch folder (with a ``manifest.json`` unless ``design`` is given).
        design: The design; read from the folder's manifest when None.
        run_ids: Which runs; every run of the design when None. Existing files are kept.

    Returns:
        The history files, one per run.

    Raises:
        FileNotFoundError: no design given and no manifest in ``folder``.
        KeyError: a run id the design does not have.
    """
    folder = Path(folder)
    if design is None:
        manifest = folder / "manifest.json"
        if not manifest.exists():
            raise FileNotFoundError(f"{manifest} not found: pass the design or a batch folder")
        design = Design.from_dict(json.loads(manifest.read_text(encoding="utf-8"))["design"])
    specs = {s.run_id: s for s in design.run_specs()}
    wanted = sorted(specs) if run_ids is None else list(run_ids)
    missing = [r for r in wanted if r not in specs]
    if missing:
        raise KeyError(f"run ids {missing} are not in the design (0 to {len(specs) - 1})")
    out_dir = folder / HISTORY_FOLDER
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for r in wanted:
        path = out_dir / f"{r:06d}.parquet"
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            history_of(specs[r]).to_parquet(tmp, index=False)
            tmp.replace(path)
        paths.append(path)
    return paths


def cohort_table(paths: Iterable[Path], route: str, year: int, after: int) -> pd.DataFrame:
    """Where the people hired through ``route`` in ``year`` are ``after`` years later, one row
    per run (columns ``run_id``, ``arm``, ``replication`` and those of
    :func:`sim.model.history.follow_cohort`).

    Raises:
        ValueError: an unknown route.
    """
    if route not in ROUTE:
        raise ValueError(f"route {route!r} is not allowed; allowed: {', '.join(ROUTES)}")
    rows = []
    for path in paths:
        h = pd.read_parquet(path)
        if h.empty:
            continue
        ids = h.iloc[0][["run_id", "arm", "replication"]].to_dict()
        rows.append({**ids, **follow_cohort(h, ROUTE[route], year, after)})
    return pd.DataFrame(rows)


def main(argv: list[str] | None = None) -> int:
    """Command line: write the histories of a batch and print a cohort's whereabouts by arm."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="batch folder with a manifest.json")
    parser.add_argument("--route", default="side_entrant", choices=ROUTES)
    parser.add_argument("--year", type=int, required=True, help="year the cohort was hired")
    parser.add_argument("--after", type=int, default=5, help="years later")
    parser.add_argument("--runs", type=int, nargs="*", help="run ids (default: all)")
    args = parser.parse_args(argv)
    paths = run_histories(args.folder, run_ids=args.runs)
    table = cohort_table(paths, args.route, args.year, args.after)
    summary = table.groupby("arm")[["hired", "in_region", "in_education"]].mean()
    sys.stdout.write(summary.round(3).to_string() + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
