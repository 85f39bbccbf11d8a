"""The validation report builder (on small synthetic input) and the verification cases."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from sim.fit.calibration import TARGETS, target
from sim.fit.validation import (
    Check,
    build_report,
    gradient_order_share,
    summarise,
    verify_closed_form,
    verify_falling_pupils,
    verify_no_inflow,
    verify_stock_flow_identity,
    write_report,
)


def _synthetic_runs(n: int = 11) -> pd.DataFrame:
    """Runs whose values sit exactly on the observed targets, with a spread of ±k/100."""
    rows = []
    for k in range(n):
        offset = (k - n // 2) / 1000  # -0.005 ... +0.005
        row = {t.name: t.observed + offset for t in TARGETS}
        for y, v in zip(range(1, 6), (0.2, 0.22, 0.245, 0.27, 0.3), strict=True):
            row[f"starter_attrition_{y}y"] = v + offset
        row.update(
            unqualified_share_vmbo=0.05,
            unqualified_share_havo=0.03 + offset,
            unqualified_share_vwo=0.02,
        )
        rows.append(row)
    return pd.DataFrame(rows)


def test_summary_gives_median_band_and_tolerance_flags():
    runs = _synthetic_runs()
    runs["shortage_rate"] = runs["shortage_rate"] + 0.05  # far outside ±1.5 pp
    runs["exit_rate_30_39"] = runs["exit_rate_30_39"] + 0.009  # inside ±1 pp
    summary = summarise(runs)
    assert list(summary.index) == [t.name for t in TARGETS]
    row = summary.loc["shortage_rate"]
    assert row["median"] == pytest.approx(0.069 + 0.05)
    assert row["p10"] == pytest.approx(0.069 + 0.05 - 0.004)  # 10th percentile of 11 runs
    assert row["p90"] == pytest.approx(0.069 + 0.05 + 0.004)
    assert not row["inside"] and not row["band_covers"]
    assert summary.loc["exit_rate_30_39", "inside"]
    assert summary.loc["starter_attrition_1y", "inside"]
    assert summary["replications"].eq(11).all()


def test_summary_of_a_range_target_counts_the_whole_range_as_a_match():
    t = target("hidden_shortage_rate")
    runs = pd.DataFrame({t.name: [0.10, 0.11, 0.12]})
    assert summarise(runs, [t]).loc[t.name, "inside"]
    runs = pd.DataFrame({t.name: [0.14, 0.15, 0.16]})
    assert not summarise(runs, [t]).loc[t.name, "inside"]


def test_missing_values_are_reported_not_hidden():
    t = target("starter_attrition_5y")
    summary = summarise(pd.DataFrame({t.name: [np.nan, np.nan]}), [t])
    assert summary.loc[t.name, "replications"] == 0
    assert not summary.loc[t.name, "inside"]


def test_gradient_order_share_counts_ordered_runs():
    runs = pd.DataFrame(
        {
            "unqualified_share_vmbo": [0.05, 0.02, 0.05, 0.04],
            "unqualified_share_havo": [0.03, 0.03, 0.03, 0.04],
            "unqualified_share_vwo": [0.02, 0.04, 0.01, 0.01],
        }
    )
    assert gradient_order_share(runs) == pytest.approx(0.5)


def test_report_has_one_row_per_target_flags_misses_and_writes_charts(tmp_path):
    runs = _synthetic_runs()
    runs["exit_rate_60_plus"] = 0.30
    checks = [
        Check("case A", "set-up A", "expect A", True, "fine"),
        Check("case B", "set-up B", "expect B", False, "broken"),
    ]
    path = write_report(
        tmp_path / "out", runs, checks, {"scenario": "test", "date": "today"}, notes=["a note"]
    )
    text = path.read_text(encoding="utf-8")
    table = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    assert len(table) == len(TARGETS)
    miss = [line for line in table if "`exit_rate_60_plus`" in line]
    assert miss and miss[0].endswith("| **no** |")
    assert sum(line.endswith("| yes |") for line in table) == len(TARGETS) - 1
    assert f"**{len(TARGETS) - 1} of {len(TARGETS)} targets inside" in text
    assert "| case B | set-up B | expect B | **no** | broken |" in text
    assert "- a note" in text
    for name in ("attrition_curve.png", "exit_by_age.png", "age_pyramid.png"):
        chart = tmp_path / "out" / name
        assert chart.stat().st_size > 5_000
        assert f"]({name})" in text


def test_build_report_marks_unfitted_targets_and_states_tolerances():
    t = dataclasses.replace(target("contract_share_upto_0_5"))
    summary = summarise(pd.DataFrame({t.name: [0.08, 0.09, 0.10]}), [t])
    text = build_report(summary, [], {}, {"scenario": "x"}, targets=[t])
    assert "(not fitted)" in text and "±5.0 pp" in text and t.source in text


# ------------------------------------------------------------------------- verification
SMALL = {"pupils_total": 15_000, "school_sites": 16, "school_boards": 4}


def test_closed_form_path_holds_and_the_check_can_fail():
    ok = verify_closed_form(years=10, extra=SMALL)
    assert ok.passed, ok.detail
    assert ok.series["z"].abs().max() <= 4
    # a model whose hazard differs from the one in the closed form must fail the check
    wrong = verify_closed_form(
        years=10,
        extra={**SMALL, "exit_hazard_by_age": (0.08,) * 5, "starter_exit_hazard": (0.08,) * 5},
    )
    assert not wrong.passed


def test_stock_flow_identity_has_no_residual():
    check = verify_stock_flow_identity(years=8)
    assert check.passed, check.detail
    f = check.series
    assert (f["teachers"] == f["stock_flow_path"]).all()


def test_without_inflow_the_shortage_only_grows():
    check = verify_no_inflow(years=8)
    assert check.passed, check.detail
    assert (check.series["shortage_rate"].diff().dropna() > 0).all()
    assert check.series["students_enrolled"].eq(0).all()


def test_falling_pupils_lower_the_shortage_and_rising_ones_fail_the_check():
    falling = verify_falling_pupils(years=8)
    assert falling.passed, falling.detail
    f = falling.series
    assert (f["shortage_rate"].iloc[1:] < f["baseline_shortage_rate"].iloc[1:]).all()
    assert not verify_falling_pupils(years=8, trend=0.02).passed
