"""Charts: one fixed colour per policy, and PNGs that are written and not empty."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PIL import Image

from sim.model.policies import LEVERS
from sim.plots import plotting


def test_each_policy_keeps_one_colour():
    iso, col = plotting.policy_colour("isolated"), plotting.policy_colour("collaborative")
    assert iso != col
    assert plotting.policy_colour(" isolated ") == iso
    # single-lever arms take their lever's colour, and every lever has its own
    assert plotting.policy_colour("isolated+outreach") == plotting.LEVER_COLOURS["outreach"]
    assert plotting.policy_colour("collaborative-outreach") == plotting.LEVER_COLOURS["outreach"]
    assert len(set(plotting.LEVER_COLOURS.values())) == len(LEVERS)
    assert {iso, col}.isdisjoint(plotting.LEVER_COLOURS.values())


def _series() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for arm, level in (("isolated", 0.08), ("collaborative", 0.04)):
        for rep in range(5):
            for year in range(2023, 2031):
                rows.append(
                    {
                        "arm": arm,
                        "replication": rep,
                        "seed": rep,
                        "year": year,
                        "shortage_rate": level + rng.normal(0, 0.01),
                    }
                )
    return pd.DataFrame(rows)


def _colours_in(path) -> set[tuple[int, int, int]]:
    img = np.asarray(Image.open(path).convert("RGB")).reshape(-1, 3)
    return {tuple(int(v) for v in c) for c in np.unique(img, axis=0)}


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))


def test_time_bands_chart_draws_each_policy_in_its_colour(tmp_path):
    path = plotting.time_bands(
        _series(),
        "shortage_rate",
        ["isolated", "collaborative"],
        tmp_path / "c.png",
        title="t",
        ylabel="shortage (%)",
    )
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000
    colours = _colours_in(path)
    for policy in ("isolated", "collaborative"):
        assert _rgb(plotting.POLICY_COLOURS[policy]) in colours


def test_paired_difference_chart(tmp_path):
    s = _series()
    diff = s[s["arm"] == "collaborative"].reset_index(drop=True)
    diff["difference"] = (
        diff["shortage_rate"] - s[s["arm"] == "isolated"]["shortage_rate"].to_numpy()
    )
    path = plotting.paired_difference(diff, tmp_path / "d.png", title="t", ylabel="pp")
    assert path.stat().st_size > 10_000
    assert _rgb(plotting.DIFFERENCE_COLOUR) in _colours_in(path)
