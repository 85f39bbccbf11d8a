"""Summaries of stored batch results: paired differences per seed, bands and intervals.

Every arm of a design runs with the same replication seeds, so arm differences are taken per
seed first and summarised afterwards (a paired comparison): the noise the arms share cancels.
Summaries read only the columns they need from the results folder, so memory follows the
number of runs times a few columns, never the runs' agent data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from babel.numbers import get_decimal_symbol
from scipy import stats

from sim.batch.runner import Design
from sim.batch.storage import ResultsError, RunStore
from sim.i18n import Translator

ID_COLUMNS = ("run_id", "arm", "replication", "seed")

BAND = (0.1, 0.9)
"""Quantiles of the bands drawn around medians (10-90%)."""


@dataclass
class Results:
    """A results folder opened for reading: its design and its finished runs."""

    folder: Path
    design: Design
    store: RunStore

    @classmethod
    def open(cls, folder: Path | str) -> Results:
        """Open a results folder written by :func:`sim.batch.runner.run_batch`.

        Raises:
            ResultsError: no manifest, or no finished runs.
        """
        folder = Path(folder)
        path = folder / "manifest.json"
        if not path.exists():
            raise ResultsError(f"{folder} is not a results folder (no manifest.json)")
        manifest = json.loads(path.read_text(encoding="utf-8"))
        return cls(folder, Design.from_dict(manifest["design"]), RunStore(folder))

    def series(
        self, columns: Iterable[str] | None = None, arms: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """Yearly series of every finished run (id columns, ``year`` and ``columns``)."""
        return self.store.read("series", columns, arms)

    def schools(
        self, columns: Iterable[str] | None = None, arms: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """Per-school end state of every finished run."""
        return self.store.read("schools", columns, arms)

    def draws(self) -> pd.DataFrame:
        """One row per replication: its parameter draw, layout seed and drawn values (empty
        when the design draws none); the same values each run stores in its spec."""
        if self.design.uncertainty is None:
            return pd.DataFrame()
        path = self.folder / "draws.csv"
        if path.exists():  # the values the runs used, written when the batch started
            return pd.read_csv(path)
        return self.design.draw_table()

    def end_state(
        self, columns: Iterable[str] | None = None, arms: Iterable[str] | None = None
    ) -> pd.DataFrame:
        """The last census year of every finished run, one row per run."""
        return end_state(self.series(columns, arms))


def end_state(series: pd.DataFrame) -> pd.DataFrame:
    """One row per run: its last census year."""
    last = series.groupby("run_id")["year"].transform("max")
    return series[series["year"] == last].reset_index(drop=True)


def totals(series: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """Per run, the sum of ``columns`` over the simulated years (the initial census excluded).

    Flows per year sum to totals over the horizon; fte levels sum to fte-years.
    """
    first = series.groupby("run_id")["year"].transform("min")
    later = series[series["year"] > first]
    out = later.groupby(list(ID_COLUMNS), sort=False)[list(columns)].sum().reset_index()
    return out.sort_values("run_id").reset_index(drop=True)


def paired_differences(
    frame: pd.DataFrame,
    value: str,
    treatment: str,
    baseline: str,
    on: Sequence[str] = (),
) -> pd.DataFrame:
    """``treatment - baseline`` of ``value``, paired by seed (and by ``on``, e.g. year).

    Seeds that only one arm has (a failed or unfinished run) are left out.

    Returns:
        Frame with ``replication``, ``seed``, the ``on`` columns, ``baseline``, ``treatment``
        and ``difference``, sorted by replication.
    """
    keys = ["replication", "seed", *on]
    left = frame.loc[frame["arm"] == treatment, [*keys, value]]
    right = frame.loc[frame["arm"] == baseline, [*keys, value]]
    if left.empty or right.empty:
        missing = treatment if left.empty else baseline
        raise ValueError(f"no runs of arm {missing!r} in the frame")
    merged = left.merge(right, on=keys, suffixes=("_t", "_b"), validate="one_to_one")
    out = merged[keys].copy()
    out["baseline"] = merged[f"{value}_b"].to_numpy()
    out["treatment"] = merged[f"{value}_t"].to_numpy()
    out["difference"] = out["treatment"] - out["baseline"]
    return out.sort_values(keys).reset_index(drop=True)


def bands(
    frame: pd.DataFrame, value: str, by: Sequence[str], quantiles: tuple[float, float] = BAND
) -> pd.DataFrame:
    """Median and a quantile band of ``value`` per group (e.g. per arm and year).

    Returns:
        Frame with the ``by`` columns, ``median``, ``low``, ``high`` and ``n``.
    """
    grouped = frame.groupby(list(by), sort=True)[value]
    out = pd.DataFrame(
        {
            "median": grouped.median(),
            "low": grouped.quantile(quantiles[0]),
            "high": grouped.quantile(quantiles[1]),
            "n": grouped.count(),
        }
    )
    return out.reset_index()


@dataclass(frozen=True)
class Interval:
    """A mean with its confidence interval."""

    mean: float
    low: float
    high: float
    n: int

    def format(
        self, scale: float = 1.0, digits: int = 2, unit: str = "", t: Translator | None = None
    ) -> str:
        """``mean [low, high]`` scaled (e.g. 100 for percent), with ``t``'s decimal sign
        (``0,12 [0,05; 0,19]`` in Dutch, where the comma is the decimal sign)."""
        f = f"{{:.{digits}f}}"
        if not np.isfinite(self.mean):
            return t._("n/a") if t is not None else "n/a"
        # round before formatting so that -0.00 prints as 0.00
        m, lo, hi = (
            f.format(round(v * scale, digits) + 0.0) for v in (self.mean, self.low, self.high)
        )
        if t is not None and get_decimal_symbol(t.locale) != ".":
            sign = get_decimal_symbol(t.locale)
            m, lo, hi = (x.replace(".", sign) for x in (m, lo, hi))
            return f"{m}{unit} [{lo}; {hi}]"
        return f"{m}{unit} [{lo}, {hi}]"


def mean_interval(values: Iterable[float], level: float = 0.95) -> Interval:
    """Mean and its ``level`` confidence interval (t distribution over replications)."""
    x = np.asarray([v for v in values if np.isfinite(v)], dtype=float)
    n = x.size
    if n == 0:
        return Interval(float("nan"), float("nan"), float("nan"), 0)
    mean = float(x.mean())
    if n == 1:
        return Interval(mean, float("nan"), float("nan"), 1)
    half = float(stats.t.ppf(0.5 + level / 2, n - 1) * x.std(ddof=1) / np.sqrt(n))
    return Interval(mean, mean - half, mean + half, n)


def outcome_table(
    end: pd.DataFrame,
    outcomes: dict[str, tuple[str, float, int]],
    arms: Sequence[str],
    treatment: str,
    baseline: str,
    t: Translator | None = None,
) -> pd.DataFrame:
    """End-state outcomes per arm with 95% intervals, and the paired effect.

    Args:
        end: One row per run (e.g. :func:`end_state`).
        outcomes: Column -> (label with unit, scale, digits).
        arms: Arms to show, in order.
        treatment: Arm whose paired difference from ``baseline`` is the effect.
        baseline: The reference arm.
        t: The report's language, for the numbers' decimal sign (English without it).

    Returns:
        One row per outcome: label, a column per arm, ``effect`` and ``better_share`` (share of
        seeds where the treatment is lower, i.e. better for shortage measures).
    """
    rows = []
    for col, (label, scale, digits) in outcomes.items():
        row = {"outcome": label}
        for arm in arms:
            row[arm] = mean_interval(end.loc[end["arm"] == arm, col]).format(scale, digits, t=t)
        diff = paired_differences(end, col, treatment, baseline)["difference"]
        row[f"effect ({treatment} - {baseline})"] = mean_interval(diff).format(scale, digits, t=t)
        row["seeds where lower"] = (
            t.pct((diff < 0).mean(), 0) if t is not None else f"{(diff < 0).mean():.0%}"
        )
        rows.append(row)
    return pd.DataFrame(rows)


def to_markdown(table: pd.DataFrame) -> str:
    """A GitHub-flavoured markdown table (no extra dependency)."""
    cols = [str(c) for c in table.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for row in table.itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if np.isfinite(value) else "n/a"
    return str(value).replace("|", "\\|")


def school_medians(schools: pd.DataFrame, arm: str) -> pd.DataFrame:
    """Per school site, the median end-state values of one arm over its replications.

    School sites are the same in every run of a scenario (their layout has its own seed), so
    medians per site summarise where shortage lands across replications.
    """
    frame = schools[schools["arm"] == arm]
    if frame.empty:
        raise ValueError(f"no school frames of arm {arm!r}")
    numeric = [
        c
        for c in frame.columns
        if c not in (*ID_COLUMNS, "school", "year")
        and pd.api.types.is_numeric_dtype(frame[c])
        and frame[c].dtype != bool
    ]
    out = frame.groupby("school", sort=False)[numeric].median()
    if "training_school" in frame:
        out["training_school"] = frame.groupby("school", sort=False)["training_school"].first()
    return out.reset_index()
