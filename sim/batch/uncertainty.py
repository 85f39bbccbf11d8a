"""Summaries of batches with parameter draws: intervals that include parameter uncertainty,
the split of the spread into seed noise and parameters, which assumptions move an effect, and
where it fails (scenario discovery).

The draws are read from the results folder (``draws.csv``, written when the batch started, see
:meth:`sim.batch.analysis.Results.draws`), so a report describes the values the runs used.
Designs with :class:`sim.batch.runner.Uncertainty` run replication ``r`` with draw
``r // seeds_per_draw`` in every arm, so a paired effect per replication carries both the seed
and the draw. The summaries here:

- **interval including parameter uncertainty**: the 2.5-97.5% range of the per-draw effect (its
  mean over the draw's seeds) over the draws, beside the 95% confidence interval of the mean;
- **seed versus parameters**: a one-way random-effects analysis of variance of the paired effect
  with draws as groups (seeds nested in draws): ``var(effect) = var_draws + var_seeds``, from
  the within-draw mean square and the between-draw mean square; it needs ``seeds_per_draw`` >= 2;
- **which assumptions move the effect**: SALib's RBD-FAST first-order index on the given Latin
  hypercube sample of draws (Sobol indices need Saltelli's own design; the delta method took
  minutes on this sample), beside Spearman's rank correlation, with a dummy factor (a seeded
  uniform column unrelated to the model) whose index shows the noise floor of the estimate;
- **where it fails**: PRIM from the EMA Workbench (optional extra ``ema``) on the draws, for the
  box of assumptions in which a stated outcome (e.g. an effect below a threshold) concentrates.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from babel.numbers import get_decimal_symbol
from scipy import stats

from sim.batch.analysis import paired_differences
from sim.i18n import N_, Translator
from sim.model.parameters import Parameters
from sim.model.priors import Prior

DUMMY = N_("dummy (noise floor)")
"""Name of the unrelated factor added to the sensitivity analysis."""


def paired_by_draw(
    frame: pd.DataFrame, value: str, treatment: str, baseline: str, draws: pd.DataFrame
) -> pd.DataFrame:
    """Paired differences per replication with each replication's draw and drawn values.

    Returns:
        :func:`sim.batch.analysis.paired_differences` columns plus ``draw``, ``layout_seed``
        and one column per drawn value.
    """
    diff = paired_differences(frame, value, treatment, baseline)
    return diff.merge(draws, on="replication", how="left", validate="one_to_one")


@dataclass(frozen=True)
class EffectUnderUncertainty:
    """A paired effect over parameter draws and seeds."""

    mean: float
    ci_low: float
    ci_high: float
    low: float
    high: float
    share_lower: float
    draws: int
    seeds_per_draw: float
    var_draws: float
    var_seeds: float

    @property
    def parameter_share(self) -> float:
        """Share of the spread of a single paired effect due to the parameter draws."""
        total = self.var_draws + self.var_seeds
        return self.var_draws / total if total > 0 else float("nan")


def per_draw_effect(diff: pd.DataFrame) -> pd.Series:
    """The mean paired difference of each draw over its seeds."""
    return diff.groupby("draw")["difference"].mean()


def summarise(diff: pd.DataFrame) -> EffectUnderUncertainty:
    """Interval, direction share and variance split of a paired effect (see the module doc)."""
    per = per_draw_effect(diff)
    x = per.to_numpy()
    n = x.size
    mean = float(x.mean())
    half = float(stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / np.sqrt(n)) if n > 1 else np.nan
    var_d, var_s, k = variance_split(diff)
    return EffectUnderUncertainty(
        mean=mean,
        ci_low=mean - half,
        ci_high=mean + half,
        low=float(np.quantile(x, 0.025)),
        high=float(np.quantile(x, 0.975)),
        share_lower=float((x < 0).mean()),
        draws=n,
        seeds_per_draw=k,
        var_draws=var_d,
        var_seeds=var_s,
    )


def variance_split(diff: pd.DataFrame) -> tuple[float, float, float]:
    """One-way random-effects ANOVA of the paired effect with draws as groups.

    Returns:
        (variance between draws, variance between seeds within a draw, mean seeds per draw);
        NaN variances when no draw has two seeds.
    """
    groups = [g.to_numpy() for _, g in diff.groupby("draw")["difference"]]
    sizes = np.array([g.size for g in groups])
    if sizes.size < 2 or (sizes >= 2).sum() == 0:
        return float("nan"), float("nan"), float(sizes.mean() if sizes.size else 0)
    n, a = sizes.sum(), sizes.size
    grand = np.concatenate(groups).mean()
    ssw = sum(((g - g.mean()) ** 2).sum() for g in groups)
    ssb = sum(g.size * (g.mean() - grand) ** 2 for g in groups)
    msw = ssw / (n - a)
    msb = ssb / (a - 1)
    n0 = (n - (sizes**2).sum() / n) / (a - 1)  # unbalanced groups: the effective group size
    return float(max(0.0, (msb - msw) / n0)), float(msw), float(sizes.mean())


def drawn_columns(diff: pd.DataFrame, draws: pd.DataFrame) -> list[str]:
    """The draw-table columns of drawn values that vary (profiles as ``name[i]``)."""
    skip = {"replication", "draw", "layout_seed"}
    cols = [c for c in draws.columns if c not in skip]
    return [c for c in cols if diff[c].nunique() > 1]


def sensitivity(
    diff: pd.DataFrame,
    draws: pd.DataFrame,
    top: int = 8,
    seed: int = 0,
    priors: Mapping[str, Prior | None] | None = None,
) -> pd.DataFrame:
    """Which drawn assumptions move the per-draw effect most.

    RBD-FAST first-order index (SALib) on the per-draw mean effect, Spearman's rank correlation,
    and the same for a dummy factor, sorted by the index. Returns the ``top`` rows plus the
    dummy's row; an empty frame when there are too few draws (fewer than three). ``priors``
    (e.g. :meth:`sim.batch.runner.Design.priors`, with a scenario's supported ranges) names the
    prior each was drawn from; without it the documented priors are shown.
    """
    from SALib.analyze import rbd_fast

    per = diff.groupby("draw").agg(
        {"difference": "mean", **{c: "first" for c in drawn_columns(diff, draws)}}
    )
    cols = [c for c in per.columns if c != "difference"]
    rng = np.random.default_rng(seed)
    X = per[cols].to_numpy(dtype=float)
    X = np.column_stack([X, rng.random(len(per))])
    names = [*cols, DUMMY]
    y = per["difference"].to_numpy()
    bounds = [
        [float(c.min()), float(c.max()) if c.max() > c.min() else float(c.min()) + 1] for c in X.T
    ]
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    harmonics = min(4, (len(y) - 1) // 2)  # RBD-FAST needs 2 M < N
    if harmonics < 1:
        return pd.DataFrame()
    with np.errstate(invalid="ignore", divide="ignore"):  # a constant effect: NaN indices
        res = rbd_fast.analyze(problem, X, y, M=harmonics, num_resamples=20, seed=seed)
    info = Parameters.info()
    rows = []
    for i, name in enumerate(names):
        rho = stats.spearmanr(X[:, i], y).statistic if np.ptp(X[:, i]) > 0 else np.nan
        base = name.split("[")[0]
        prior = (priors or {}).get(base) or (info[base].prior if base in info else None)
        rows.append(
            {
                N_("assumption"): name,
                N_("grade"): info[base].grade if base in info else "-",
                N_("prior"): prior.describe() if prior else "-",
                "S1": float(res["S1"][i]),
                "S1_conf": float(res["S1_conf"][i]),
                "spearman": float(rho),
            }
        )
    out = pd.DataFrame(rows).sort_values("S1", ascending=False, ignore_index=True)
    dummy = out[out["assumption"] == DUMMY]
    return pd.concat([out[out["assumption"] != DUMMY].head(top), dummy], ignore_index=True)


def _g4(v: float, t: Translator) -> str:
    """Four significant digits with ``t``'s decimal sign (0.1234 or 0,1234)."""
    return f"{v:.4g}".replace(".", get_decimal_symbol(t.locale))


def prim_box(
    diff: pd.DataFrame,
    draws: pd.DataFrame,
    of_interest: pd.Series,
    threshold: float = 0.6,
    max_dims: int = 3,
    candidates: int = 12,
    t: Translator | None = None,
) -> tuple[pd.DataFrame, dict[str, float]] | str:
    """PRIM box (EMA Workbench) of the draws where ``of_interest`` (indexed by draw) is true.

    Returns:
        (limits of the restricted dimensions with the prior range, coverage/density/mass), or
        a sentence saying why there is no box (EMA Workbench absent, too few cases), in the
        language of ``t`` (English without it).
    """
    t = t or Translator("en")
    try:
        import logging
        import warnings

        with warnings.catch_warnings():  # "ipyparallel not installed" on import
            warnings.simplefilter("ignore")
            from ema_workbench.analysis import prim
    except ImportError:
        return t._(
            "Scenario discovery skipped: the EMA Workbench is not installed (install the "
            "optional extra: `pip install -e '.[ema]'`)."
        )
    logging.getLogger("EMA").setLevel(logging.WARNING)
    per = diff.groupby("draw").agg({c: "first" for c in drawn_columns(diff, draws)})
    y = of_interest.reindex(per.index).fillna(False).to_numpy(dtype=bool)
    # PRIM peels over the assumptions most associated with the cases (|Spearman| with the
    # indicator): fewer dimensions overfit less on a few hundred draws, and peel faster
    assoc = per.apply(lambda c: abs(stats.spearmanr(c, y).statistic) if c.nunique() > 1 else 0)
    per = per[list(assoc.fillna(0).sort_values(ascending=False).index[:candidates])]
    if y.sum() < 3 or (~y).sum() < 3:
        return t._(
            "Scenario discovery skipped: {k} of {n} draws are cases of interest; PRIM needs at "
            "least three of each kind."
        ).format(k=int(y.sum()), n=y.size)
    with warnings.catch_warnings():  # the workbench warns about its own optional parts
        warnings.simplefilter("ignore")
        box = prim.Prim(per.reset_index(drop=True).astype(float), y).find_box()
    # a box a reader can use restricts few assumptions: among the boxes on the peeling
    # trajectory that restrict at most ``max_dims``, the one with the highest coverage at a
    # density >= threshold, else the densest (many restrictions on 100 draws overfit)
    traj = box.peeling_trajectory
    few = traj[traj["res_dim"] <= max_dims]
    if few.empty:
        few = traj
    dense = few[few["density"] >= threshold]
    chosen = (
        int(dense.sort_values(["coverage", "density"]).index[-1])
        if len(dense)
        else int(few.sort_values(["density", "coverage"]).index[-1])
    )
    box.select(chosen)
    lims = box.box_lims[chosen]
    full = per.agg(["min", "max"])
    rows = []
    for col in lims.columns:
        lo, hi = float(lims[col].iloc[0]), float(lims[col].iloc[1])
        if np.isclose(lo, full.loc["min", col]) and np.isclose(hi, full.loc["max", col]):
            continue
        rows.append(
            {
                N_("assumption"): col,
                N_("box"): f"{_g4(lo, t)} - {_g4(hi, t)}",
                N_(
                    "drawn range"
                ): f"{_g4(full.loc['min', col], t)} - {_g4(full.loc['max', col], t)}",
            }
        )
    stats_ = {
        "coverage": float(box.coverage),
        "density": float(box.density),
        "mass": float(box.mass),
        "base_rate": float(y.mean()),
    }
    return pd.DataFrame(rows), stats_


def rankings(
    per_draw: pd.DataFrame, item: str, value: str, higher_is_better: bool = True
) -> pd.DataFrame:
    """How stable a ranking is over parameter draws.

    Args:
        per_draw: One row per draw and item (e.g. lever), with ``draw``, ``item`` and ``value``.
        item: Column naming what is ranked.
        value: Column ranked within each draw.
        higher_is_better: Rank 1 is the largest value (e.g. shortage avoided).

    Returns:
        One row per item: its rank at the mean values (``rank_at_means``), the share of draws
        in which it ranks first, its median rank and its 10-90% range of ranks, sorted by the
        rank at the means.
    """
    ranks = per_draw.groupby("draw")[value].rank(ascending=not higher_is_better, method="min")
    frame = per_draw.assign(rank=ranks)
    means = frame.groupby(item)[value].mean()
    at_means = means.rank(ascending=not higher_is_better, method="min")
    g = frame.groupby(item)["rank"]
    out = pd.DataFrame(
        {
            "rank_at_means": at_means,
            "first_share": g.apply(lambda r: float((r == 1).mean())),
            "median_rank": g.median(),
            "rank_low": g.quantile(0.1),
            "rank_high": g.quantile(0.9),
            "draws": g.count(),
        }
    )
    return out.sort_values("rank_at_means").reset_index()


def beats(per_draw: pd.DataFrame, item: str, value: str, a: str, b: str) -> float:
    """Share of draws in which ``a`` has a larger ``value`` than ``b``."""
    wide = per_draw.pivot_table(index="draw", columns=item, values=value)
    if a not in wide or b not in wide:
        return float("nan")
    both = wide[[a, b]].dropna()
    return float((both[a] > both[b]).mean()) if len(both) else float("nan")


def percentile_interval(values: pd.Series, level: float = 0.95) -> tuple[float, float]:
    """The central ``level`` range of ``values`` (e.g. of an effect over draws)."""
    x = values.dropna().to_numpy()
    if x.size == 0:
        return float("nan"), float("nan")
    q = (1 - level) / 2
    return float(np.quantile(x, q)), float(np.quantile(x, 1 - q))
