"""Benchmark: how long one step of the browser view takes in-process, model and drawing.

Measures, for the default region, the time of one :class:`sim.view.components.ViewModel` step
(the model year) and of drawing what the page shows after it (maps and charts as PNG), for a
single run and for twin mode. The browser round trip adds Solara's transport on top; the
browser tests print that figure.

    .venv/bin/python benchmarks/view_step.py --steps 10
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import time

import solara

from sim.view.components import ViewModel, ViewPainter, ViewSession, default_settings


def measure(twin: bool, steps: int, seed: int) -> dict[str, list[float]]:
    """Time ``steps`` view steps: model step and drawing in wall seconds, and the process's
    CPU seconds for both (less sensitive to other load on the machine)."""
    settings = dataclasses.replace(default_settings(), seed=seed, twin=twin, years=steps + 1)
    model = ViewModel(ViewSession(solara.reactive(settings)))
    painter = ViewPainter(model)
    painter.images()  # the first drawing is a full one; a session pays it once on page load
    out: dict[str, list[float]] = {"step": [], "draw": [], "total": [], "total_cpu": []}
    for _ in range(steps):
        c0 = time.process_time()
        t0 = time.perf_counter()
        model.step()
        t1 = time.perf_counter()
        painter.images()
        t2 = time.perf_counter()
        out["step"].append(t1 - t0)
        out["draw"].append(t2 - t1)
        out["total"].append(t2 - t0)
        out["total_cpu"].append(time.process_time() - c0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10, help="years to step (default 10)")
    parser.add_argument("--rng", type=int, default=1, help="seed (default 1)")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    for twin in (False, True):
        res = measure(twin, args.steps, args.rng)
        parts = ", ".join(
            f"{k} median {statistics.median(v):.3f} s (max {max(v):.3f})" for k, v in res.items()
        )
        print(f"{'twin  ' if twin else 'single'}: {parts}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
