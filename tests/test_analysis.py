"""Summaries of batch results, checked against hand computations on small frames."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.batch.analysis import (
    bands,
    end_state,
    mean_interval,
    outcome_table,
    paired_differences,
    school_medians,
    totals,
)


def frame() -> pd.DataFrame:
    """Two arms, seeds in different orders per arm, one seed only in arm A, two years each."""
    rows = [
        # run_id, arm, replication, seed, year, shortage
        (0, "A", 0, 11, 2023, 0.10),
        (0, "A", 0, 11, 2024, 0.12),
        (1, "B", 0, 11, 2023, 0.10),
        (1, "B", 0, 11, 2024, 0.07),
        (2, "B", 1, 22, 2023, 0.09),
        (2, "B", 1, 22, 2024, 0.05),
        (3, "A", 1, 22, 2023, 0.09),
        (3, "A", 1, 22, 2024, 0.11),
        (4, "A", 2, 33, 2023, 0.08),
        (4, "A", 2, 33, 2024, 0.20),  # no B run for seed 33
    ]
    return pd.DataFrame(rows, columns=["run_id", "arm", "replication", "seed", "year", "shortage"])


def test_paired_differences_are_taken_per_seed():
    d = paired_differences(frame(), "shortage", treatment="B", baseline="A", on=["year"])
    # by hand: seed 11: 0.10-0.10, 0.07-0.12; seed 22: 0.09-0.09, 0.05-0.11; seed 33 unpaired
    assert list(d["seed"]) == [11, 11, 22, 22]
    assert list(d["year"]) == [2023, 2024, 2023, 2024]
    np.testing.assert_allclose(d["difference"], [0.0, -0.05, 0.0, -0.06], atol=1e-12)
    np.testing.assert_allclose(d["baseline"], [0.10, 0.12, 0.09, 0.11])
    # pairing by seed differs from subtracting arm means: A's mean includes seed 33
    a = frame().query("arm == 'A' and year == 2024")["shortage"].mean()
    b = frame().query("arm == 'B' and year == 2024")["shortage"].mean()
    assert d.query("year == 2024")["difference"].mean() != pytest.approx(b - a)


def test_paired_differences_name_a_missing_arm():
    with pytest.raises(ValueError, match="'C'"):
        paired_differences(frame(), "shortage", "C", "A")


def test_bands_median_and_10_90_quantiles():
    f = pd.DataFrame({"arm": ["x"] * 10, "year": [1] * 10, "v": np.arange(1.0, 11.0)})
    b = bands(f, "v", ["arm", "year"]).iloc[0]
    # linear interpolation between order statistics: 10% at 1 + 0.9 * 1, 90% at 9 + 0.1 * 1
    assert (b["median"], b["low"], b["high"], b["n"]) == pytest.approx((5.5, 1.9, 9.1, 10))


def test_mean_interval_uses_the_t_distribution():
    iv = mean_interval([1.0, 2.0, 3.0, 4.0, 5.0, float("nan")])
    # sd 1.5811, t(0.975, 4) = 2.7764 from the table: half width 2.7764 * 1.5811 / sqrt(5)
    assert (iv.mean, iv.n) == (3.0, 5)
    assert iv.high - iv.mean == pytest.approx(1.9632, abs=1e-4)
    assert iv.format(100, 1, "%") == "300.0% [103.7, 496.3]"
    assert mean_interval([]).format() == "n/a"
    assert mean_interval([-1e-12, 1e-12]).format(1, 2).startswith("0.00 [")


def test_end_state_and_totals():
    end = end_state(frame())
    assert list(end["year"]) == [2024] * 5
    tot = totals(frame().assign(flow=1.0), ["flow", "shortage"])
    assert list(tot["run_id"]) == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(tot["flow"], 1.0)  # the initial census is not a simulated year
    np.testing.assert_allclose(tot["shortage"], [0.12, 0.07, 0.05, 0.11, 0.20])


def test_outcome_table_reports_arms_and_paired_effect():
    end = end_state(frame())
    table = outcome_table(end, {"shortage": ("shortage (%)", 100, 1)}, ["A", "B"], "B", "A")
    row = table.iloc[0]
    assert row["outcome"] == "shortage (%)"
    assert row["A"].startswith("14.3 [")  # mean of 0.12, 0.11, 0.20
    assert row["effect (B - A)"].startswith("-5.5 [")  # mean of -0.05 and -0.06
    assert row["seeds where lower"] == "100%"


def test_school_medians_per_site():
    schools = pd.DataFrame(
        {
            "run_id": [0, 0, 1, 1, 2, 2],
            "arm": ["A", "A", "A", "A", "B", "B"],
            "replication": [0, 0, 1, 1, 0, 0],
            "seed": [1, 1, 2, 2, 1, 1],
            "year": 2040,
            "school": ["s1", "s2"] * 3,
            "shortage_rate": [0.1, 0.3, 0.2, 0.5, 0, 0],
            "training_school": [True, False] * 3,
        }
    )
    m = school_medians(schools, "A").set_index("school")
    assert m.loc["s1", "shortage_rate"] == pytest.approx(0.15)
    assert m.loc["s2", "shortage_rate"] == pytest.approx(0.4)
    assert bool(m.loc["s1", "training_school"]) and not bool(m.loc["s2", "training_school"])
