"""The validation report builder (on small synthetic input) and the verification cases."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.fit.calibration import FITTED_TARGETS, HELD_OUT_TARGETS, TARGETS, target
from sim.fit.validation import (
    Check,
    build_report,
    gradient_order_share,
    reason_for,
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
        for year in range(2023, 2041):
            row[f"path_shortage_rate_{year}"] = 0.069 - (year - 2023) * 0.002 + offset
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
    runs["shortage_rate_2023"] = runs["shortage_rate_2023"] + 0.05  # far outside ±1 pp
    runs["exit_rate_30_39"] = runs["exit_rate_30_39"] + 0.009  # inside ±1 pp
    summary = summarise(runs)
    assert list(summary.index) == [t.name for t in TARGETS]
    row = summary.loc["shortage_rate_2023"]
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


def _tables(text):
    """The rows of the fitted and the held-out table of a report."""
    fitted = text.split("## Fitted targets", 1)[1].split("## Held-out targets", 1)[0]
    held = text.split("## Held-out targets", 1)[1].split("\n## ", 1)[0]

    def rows(part):
        return [line for line in part.splitlines() if line.startswith("| ") and "[`" in line]

    return rows(fitted), rows(held)


def test_report_has_a_fitted_and_a_held_out_table_with_reasons_and_charts(tmp_path):
    runs = _synthetic_runs()
    runs["exit_rate_60_plus"] = 0.30
    runs["unqualified_share_havo"] = 0.06
    checks = [
        Check("case A", "set-up A", "expect A", True, "fine"),
        Check("case B", "set-up B", "expect B", False, "broken"),
    ]
    reasons = {"exit_rate": "general exit reason", "exit_rate_60": "retirement reason"}
    path = write_report(
        tmp_path / "out",
        runs,
        checks,
        {"scenario": "test", "date": "today"},
        notes=["a note"],
        reasons=reasons,
    )
    text = path.read_text(encoding="utf-8")
    fitted, held = _tables(text)
    assert len(fitted) == len(FITTED_TARGETS) and len(held) == len(HELD_OUT_TARGETS)
    assert all(any(f"[`{t.name}`]" in r for r in fitted) for t in FITTED_TARGETS)
    assert all(any(f"[`{t.name}`]" in r for r in held) for t in HELD_OUT_TARGETS)
    assert not any(f"[`{t.name}`]" in r for t in HELD_OUT_TARGETS for r in fitted)
    miss = next(r for r in fitted if "`exit_rate_60_plus`" in r)
    assert miss.endswith("| **miss** | retirement reason |")  # the longest prefix wins
    miss = next(r for r in held if "`unqualified_share_havo`" in r)
    assert "| **miss** | no reason recorded yet |" in miss
    assert f"**Fitted targets: {len(FITTED_TARGETS) - 1} of {len(FITTED_TARGETS)} inside" in text
    assert "## Shortage path" in text and "](shortage_trend.png)" in text
    assert "| case B | set-up B | expect B | **no** | broken |" in text
    assert "- a note" in text
    for name in ("shortage_trend.png", "attrition_curve.png", "exit_by_age.png", "age_pyramid.png"):
        chart = tmp_path / "out" / name
        assert chart.stat().st_size > 5_000
        assert f"]({name})" in text


def test_a_target_without_a_reporter_is_reported_not_available(tmp_path):
    runs = _synthetic_runs().drop(columns=["fte_share_55_plus_2023", "shortage_rate_2024"])
    summary = summarise(runs)
    assert not summary.loc["fte_share_55_plus_2023", "available"]
    assert summary.loc["shortage_rate_2023", "available"]
    text = build_report(summary, [], {}, {"scenario": "x"})
    fitted, held = _tables(text)
    row = next(r for r in held if "`fte_share_55_plus_2023`" in r)
    assert "| not available | " in row and "no `fte_share_55_plus`" in row
    row = next(r for r in fitted if "`shortage_rate_2024`" in r)
    assert "not available" in row
    assert f"{len(HELD_OUT_TARGETS) - 1} of {len(HELD_OUT_TARGETS) - 1} inside" in text
    assert "; 1 not available" in text


def test_reason_for_takes_the_longest_matching_prefix():
    reasons = {"shortage_rate": "a", "shortage_rate_2024": "b"}
    assert reason_for("shortage_rate_2024", reasons) == "b"
    assert reason_for("shortage_rate_dutch_2024", reasons) == "a"
    assert reason_for("exit_rate_30_39", reasons) == ""


def test_build_report_puts_held_out_targets_in_their_table_with_why():
    t = target("contract_share_upto_0_5")
    summary = summarise(pd.DataFrame({t.name: [0.08, 0.09, 0.10]}), [t])
    text = build_report(summary, [], {}, {"scenario": "x"}, targets=[t])
    fitted, held = _tables(text)
    assert not fitted and len(held) == 1
    assert "±5.0 pp" in held[0] and t.source in held[0] and t.why in held[0]


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
