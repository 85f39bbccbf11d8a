"""Model speed and scale: cost per teacher-year against plain Mesa, national size, memory, scaling.

Every figure is measured in a fresh Python process pinned to one core, so runs do not share
caches or warm-up, and a process's peak memory is its own. The model runs and the plain-Mesa
reference they are compared with run side by side, alternating, in the same session; each
figure is the median of ``--repeats`` repetitions. Figures:

- **reference**: one ``model.agents.shuffle_do("step")`` agent-step of a plain ``mesa.Model``
  whose N trivial agents do ``self.x += 1`` (N = the scenario's initial workforce); the median
  of three blocks of 17 steps.
- **teacher-year**: a run's wall time divided by its teacher-years, where teacher-years are the
  teachers plus side-entrants at each of the 17 simulated censuses (the initial census not
  counted). *run* is building the model plus 17 steps with data collection; *steps* is the 17
  steps alone. The ratio is teacher-year cost / reference agent-step cost (target <= 1).
- **national**: the ``netherlands`` scenario (about 75,000 teachers), 17 years on one core: wall
  seconds (target < 10) and peak resident memory of the process (target < 1 GB). Beside it the
  same run with every agent's Python object made every year (as when someone looks at
  ``model.agents`` each year; a run nobody looks at makes them only when asked, see
  ``sim/model/table.py``), so the price of looking is on record too.
- **scaling**: the default region at 1, 2, 4, 8 and 16 times its pupils and school sites (so
  about as many times the teachers), each beside its own reference: the teacher-year ratio by
  size, and the time ratio of 4x to 1x (target: <= 4.5 at 4x the teachers).

Times are wall time, as asked, and CPU time of the measuring process beside it: on a busy machine
the wall time of a pinned process includes waiting for its core, which CPU time leaves out.
The batch speed-up of two workers over one is measured by ``benchmarks/bench_batch.py``.
Results are printed as a table and written to ``results/benchmarks/model.md`` and ``model.json``.

    .venv/bin/python benchmarks/bench_model.py                # 5 repeats, about 5 minutes
    .venv/bin/python benchmarks/bench_model.py --repeats 1    # a quick look
    .venv/bin/python benchmarks/bench_model.py --src /tmp/old --out /tmp/bench_old  # other checkout
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
YEARS = 17
REFERENCE_BLOCKS = 3
SCALE_SMALL = {"pupils_total": 62000, "school_sites": 70, "school_boards": 16}
SIZE_FACTORS = (1, 2, 4, 8, 16)


# ------------------------------------------------------------------ worker side
def _worker(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one measurement in this (fresh) process and return its figures."""
    import resource
    import time

    if spec.get("src"):
        sys.path.insert(0, spec["src"])
    if spec["kind"] == "reference":
        import mesa

        class Trivial(mesa.Agent):
            """A Mesa agent whose step is one attribute update."""

            def __init__(self, model: mesa.Model) -> None:
                super().__init__(model)
                self.x = 0

            def step(self) -> None:
                self.x += 1

        model = mesa.Model(rng=spec["seed"])
        Trivial.create_agents(model, spec["agents"])
        model.agents.shuffle_do("step")  # warm-up step, not timed
        walls, cpus = [], []
        for _ in range(REFERENCE_BLOCKS):  # the median of a few blocks steadies a short timing
            start, cpu = time.perf_counter(), time.process_time()
            for _ in range(YEARS):
                model.agents.shuffle_do("step")
            walls.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        steps = YEARS * spec["agents"]
        return {
            "us_per_agent_step": statistics.median(walls) / steps * 1e6,
            "cpu_us_per_agent_step": statistics.median(cpus) / steps * 1e6,
        }

    from sim import RegionModel

    RegionModel(rng=spec["seed"] + 1000).run_for(1)  # imports and first-call costs, not timed
    start, cpu_start = time.perf_counter(), time.process_time()
    model = RegionModel(
        scenario=spec["scenario"], policy=spec["policy"], rng=spec["seed"], **spec["overrides"]
    )
    built, cpu_built = time.perf_counter(), time.process_time()
    if spec.get("look"):  # someone looks at the agents every year: every object is made
        for _ in range(YEARS):
            model.step()
            model.make_agents()
    else:
        model.run_for(YEARS)
    end, cpu_end = time.perf_counter(), time.process_time()
    series = model.series()
    initial = int(series["teachers"].iloc[0] + series["side_entrants"].iloc[0])
    teacher_years = int((series["teachers"] + series["side_entrants"]).iloc[1:].sum())
    return {
        "setup_s": built - start,
        "steps_s": end - built,
        "run_s": end - start,
        "cpu_run_s": cpu_end - cpu_start,
        "cpu_steps_s": cpu_end - cpu_built,
        "teacher_years": teacher_years,
        "initial_workforce": initial,
        "agents_created": int(model.agent_id_counter - 1),
        "agent_objects_made": len(getattr(model._all_agents, "_store", model._all_agents)),
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def measure(spec: dict[str, Any], core: int | None) -> dict[str, Any]:
    """Run one measurement in a fresh interpreter, pinned to ``core``."""
    code = (
        "import json, os, sys\n"
        f"sys.path.insert(0, {str(REPO / 'benchmarks')!r})\n"
        f"core = {core!r}\n"
        "if core is not None:\n"
        "    os.sched_setaffinity(0, {core})\n"
        "import bench_model\n"
        "print(json.dumps(bench_model._worker(json.loads(sys.argv[1]))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(spec)],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmark worker failed for {spec}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ driver side
def model_spec(
    scenario: str, policy: str, seed: int, src: str | None, look: bool = False, **overrides: Any
) -> dict:
    """A worker spec for one model run (``look``: make every agent's object every year)."""
    return {
        "kind": "model",
        "scenario": scenario,
        "policy": policy,
        "seed": seed,
        "overrides": overrides,
        "src": src,
        "look": look,
    }


def side_by_side(
    spec: dict[str, Any], repeats: int, core: int | None, reference_agents: int | None = None
) -> dict[str, Any]:
    """Alternate model runs and plain-Mesa reference runs; medians and per-pair ratios."""
    runs, refs = [], []
    for rep in range(repeats):
        run = measure({**spec, "seed": spec["seed"] + rep}, core)
        agents = reference_agents or run["initial_workforce"]
        refs.append(
            measure({"kind": "reference", "agents": agents, "seed": rep, "src": None}, core)
        )
        runs.append(run)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    out = {
        **med,
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "run_s_all": [r["run_s"] for r in runs],
        "reference_agents": reference_agents or runs[0]["initial_workforce"],
    }
    # wall time as asked; CPU time too, which a busy machine disturbs less
    for clock, prefix in (("", ""), ("cpu_", "cpu_")):
        ref = [r[f"{clock}us_per_agent_step"] for r in refs]
        ty_run = [r[f"{clock}run_s"] / r["teacher_years"] * 1e6 for r in runs]
        ty_steps = [r[f"{clock}steps_s"] / r["teacher_years"] * 1e6 for r in runs]
        out[f"{prefix}reference_us"] = statistics.median(ref)
        out[f"{prefix}us_per_teacher_year_run"] = statistics.median(ty_run)
        out[f"{prefix}us_per_teacher_year_steps"] = statistics.median(ty_steps)
        out[f"{prefix}ratio_run"] = statistics.median(
            a / b for a, b in zip(ty_run, ref, strict=True)
        )
        out[f"{prefix}ratio_steps"] = statistics.median(
            a / b for a, b in zip(ty_steps, ref, strict=True)
        )
    return out


def scaling(repeats: int, core: int | None, src: str | None) -> dict[str, Any]:
    """A drawn region of the old default's size (62,000 pupils, 70 sites, 16 boards; the
    ``netherlands`` scenario's drawn layout, as rijnmond's real schools cannot be multiplied) at
    1, 2, 4, 8 and 16 times its pupils and sites, each size beside its own plain-Mesa reference;
    the time ratio of 4x to 1x is the linearity check."""
    sizes = {}
    for factor in SIZE_FACTORS:
        over = {k: v * factor for k, v in SCALE_SMALL.items()}
        sizes[factor] = side_by_side(
            model_spec("netherlands", "isolated", 1, src, **over), repeats, core
        )
    small, large = sizes[1], sizes[4]
    ratio = [b / a for a, b in zip(small["run_s_all"], large["run_s_all"], strict=True)]
    teachers = large["teacher_years"] / small["teacher_years"]
    return {
        "small": SCALE_SMALL,
        "large": {k: v * 4 for k, v in SCALE_SMALL.items()},
        "small_run_s": small["run_s"],
        "large_run_s": large["run_s"],
        "teacher_ratio": teachers,
        "time_ratio": statistics.median(ratio),
        "time_ratio_per_4x_teachers": statistics.median(4 * r / teachers for r in ratio),
        "sizes": {str(f): r for f, r in sizes.items()},
    }


def machine() -> dict[str, Any]:
    """Where the figures were taken."""
    import mesa
    import numpy as np

    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=REPO
    ).stdout.strip()
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "load_average": os.getloadavg(),
        "commit": commit,
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def table(res: dict[str, Any]) -> str:
    """The results as a Markdown table with the targets."""
    m = res["machine"]
    lines = [
        "# Model benchmark",
        "",
        f"{m['date']}, commit {m['commit']}; {m['cores']} cores ({m['cpu']}), each figure in a "
        f"fresh process pinned to one core; Python {m['python']}, numpy {m['numpy']}, Mesa "
        f"{m['mesa']}; load average at start {m['load_average'][0]:.2f}. Medians of "
        f"{res['repeats']} repetitions; command: `{res['command']}`.",
        "",
        "| figure | measured | target |",
        "|---|---|---|",
    ]
    for key, label in (
        ("region", "default region (rijnmond), isolated"),
        ("region_collaborative", "default region, collaborative"),
        ("national", "netherlands scenario, isolated"),
    ):
        r = res.get(key)
        if not r:
            continue
        lines += [
            f"| {label}: reference agent-step, plain Mesa `shuffle_do` ({r['reference_agents']:,} "
            f"agents), wall / CPU | {r['reference_us']:.2f} / {r['cpu_reference_us']:.2f} µs | |",
            f"| {label}: teacher-year, build + {YEARS} steps, wall / CPU | "
            f"{r['us_per_teacher_year_run']:.2f} / {r['cpu_us_per_teacher_year_run']:.2f} µs = "
            f"**{r['ratio_run']:.2f}× / {r['cpu_ratio_run']:.2f}×** reference | ≤ 1.0× |",
            f"| {label}: teacher-year, {YEARS} steps only, wall / CPU | "
            f"{r['us_per_teacher_year_steps']:.2f} / {r['cpu_us_per_teacher_year_steps']:.2f} µs = "
            f"**{r['ratio_steps']:.2f}× / {r['cpu_ratio_steps']:.2f}×** reference | ≤ 1.0× |",
            f"| {label}: run (build {r['setup_s']:.2f} s + steps {r['steps_s']:.2f} s), "
            f"{r['teacher_years']:,} teacher-years, {r['agents_created']:,} agents created | "
            f"{r['run_s']:.2f} s | |",
        ]
    looked = res.get("national_looked")
    if looked:
        lines += [
            f"| netherlands, the same with every agent's object made every year (someone looks "
            f"at `model.agents` each year; {looked['agent_objects_made']:,} objects at the end): "
            f"teacher-year, build + {YEARS} steps | {looked['us_per_teacher_year_run']:.2f} µs = "
            f"{looked['ratio_run']:.2f}× reference ({looked['run_s']:.2f} s) | |",
        ]
    nat = res.get("national")
    if nat:
        lines += [
            f"| national, {YEARS} years on one core | **{nat['run_s']:.2f} s** | < 10 s |",
            f"| national, peak memory (max RSS of the process) | **{nat['peak_rss_mb']:.0f} MB** "
            "| < 1024 MB |",
        ]
    sc = res.get("scaling")
    if sc:
        lines += [
            f"| scaling: {sc['small']['pupils_total']:,} → {sc['large']['pupils_total']:,} "
            f"pupils, {sc['small']['school_sites']} → {sc['large']['school_sites']} sites: "
            f"teachers ×{sc['teacher_ratio']:.2f}, time {sc['small_run_s']:.2f} s → "
            f"{sc['large_run_s']:.2f} s | time **×{sc['time_ratio']:.2f}** "
            f"(×{sc['time_ratio_per_4x_teachers']:.2f} per 4× teachers) | ≤ ×4.5 |",
        ]
    if sc and sc.get("sizes"):
        lines += [
            "",
            "Cost of a teacher-year by region size (the default region with its pupils and "
            "sites multiplied; each size beside a plain-Mesa reference with as many agents as "
            "the size's initial workforce):",
            "",
            "| size | teachers at start | run, build + 17 steps | teacher-year | reference "
            "agent-step | ratio |",
            "|---|---|---|---|---|---|",
        ]
        for factor, r in sc["sizes"].items():
            lines.append(
                f"| ×{factor} | {r['reference_agents']:,} | {r['run_s']:.2f} s | "
                f"{r['us_per_teacher_year_run']:.2f} µs | {r['reference_us']:.2f} µs | "
                f"**{r['ratio_run']:.2f}×** |"
            )
    lines += [
        "",
        "Batch speed-up of 2 local workers over 1: see `results/benchmarks/batch.md` "
        "(`benchmarks/bench_batch.py`).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table and write it to the output folder."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5, help="repetitions per figure")
    parser.add_argument(
        "--core",
        type=int,
        default=None,
        help="core to pin the measuring processes to (default: the last one)",
    )
    parser.add_argument(
        "--src", default=None, help="benchmark the sim package of another checkout at this path"
    )
    parser.add_argument(
        "--skip",
        nargs="*",
        default=[],
        choices=["region", "region_collaborative", "national", "national_looked", "scaling"],
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "results" / "benchmarks",
        help="folder for model.md and model.json",
    )
    args = parser.parse_args(argv)
    cores = sorted(os.sched_getaffinity(0))
    core = args.core if args.core is not None else cores[-1]
    res: dict[str, Any] = {
        "machine": machine(),
        "repeats": args.repeats,
        "command": "python benchmarks/bench_model.py " + " ".join(argv or sys.argv[1:]),
        "core": core,
    }
    print(f"{res['machine']['cores']} cores; measuring on core {core}", flush=True)
    if "region" not in args.skip:
        res["region"] = side_by_side(
            model_spec("rijnmond", "isolated", 1, args.src), args.repeats, core
        )
        print(f"region: {res['region']['ratio_run']:.2f}x reference", flush=True)
    if "region_collaborative" not in args.skip:
        res["region_collaborative"] = side_by_side(
            model_spec("rijnmond", "collaborative", 1, args.src), args.repeats, core
        )
        print(f"region, collaborative: {res['region_collaborative']['ratio_run']:.2f}x", flush=True)
    if "national" not in args.skip:
        res["national"] = side_by_side(
            model_spec("netherlands", "isolated", 1, args.src), args.repeats, core
        )
        print(
            f"national: {res['national']['run_s']:.2f} s, {res['national']['peak_rss_mb']:.0f} MB",
            flush=True,
        )
    if "national_looked" not in args.skip:
        res["national_looked"] = side_by_side(
            model_spec("netherlands", "isolated", 1, args.src, look=True), args.repeats, core
        )
        print(f"national, agents made every year: {res['national_looked']['run_s']:.2f} s")
    if "scaling" not in args.skip:
        res["scaling"] = scaling(args.repeats, core, args.src)
        print(f"scaling: x{res['scaling']['time_ratio']:.2f}", flush=True)
    text = table(res)
    print(text)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "model.md").write_text(text)
    (args.out / "model.json").write_text(json.dumps(res, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
