"""Priors of uncertain parameters: a shape over a range, mapped from uniform quantiles.

A prior belongs to a parameter (``param(..., plausible=(low, high), prior=...)``) and says how
likely each value in its range is. Batch designs draw quantiles in the unit cube (Latin
hypercube or Sobol points, :mod:`scipy.stats.qmc`) and map them through :meth:`Prior.ppf`, the
inverse cumulative distribution of the prior, so one sampler serves every shape. Shapes that
centre on a value (``triangular``, ``truncnorm``) take the parameter's *point value* — the
value a fixed-parameter run uses (the scenario's, e.g. a calibrated one) — as their mode or mean.

``width`` shrinks every range towards the point value (1: the prior as documented; 0: collapsed
onto the point, so a draw reproduces the fixed-parameter run exactly).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import stats

SHAPES: tuple[str, ...] = ("uniform", "loguniform", "triangular", "truncnorm", "dirichlet")
"""Prior shapes: flat over the range; flat in the logarithm (for ratios and rates spanning a
factor of several); a triangle peaking at the point value; a normal around the point value
(sd a quarter of the range) cut at the range; and, for share profiles that must add up to 1,
a Dirichlet around the point profile with a given concentration."""

GRADES: dict[str, str] = {
    "S": "seen in a source",
    "D": "derived from seen numbers, or fitted to them by the calibration",
    "E": "estimated or assumed: no source gives the value",
}
"""Evidence grades, as in the reference file's tags."""


class PriorError(ValueError):
    """A prior that cannot be used: names the parameter and what is wrong."""


@dataclass(frozen=True)
class Prior:
    """The prior of one parameter.

    Attributes:
        name: Parameter name.
        shape: One of :data:`SHAPES`.
        low: Lower end of the range (unused by ``dirichlet``).
        high: Upper end of the range (unused by ``dirichlet``).
        integer: Values are whole numbers (drawn uniformly over ``low..high``).
        concentration: Dirichlet concentration (larger: closer to the point profile).
        supported: The range is a scenario's supported range (measured by the calibration,
            :meth:`with_range`) rather than the documented plausible range; it may then be a
            single point (``low == high``), which every draw takes.
    """

    name: str
    shape: str
    low: float = 0.0
    high: float = 0.0
    integer: bool = False
    concentration: float = 0.0
    supported: bool = False

    def __post_init__(self) -> None:
        if self.shape not in SHAPES:
            raise PriorError(f"{self.name}: prior shape {self.shape!r}; allowed: {SHAPES}")
        if self.shape == "dirichlet":
            if not self.concentration > 0:
                raise PriorError(f"{self.name}: a dirichlet prior needs concentration > 0")
            return
        if not (self.low < self.high or (self.supported and self.low == self.high)):
            raise PriorError(f"{self.name}: prior range {self.low}..{self.high} is not increasing")
        if self.shape == "loguniform" and self.low <= 0:
            raise PriorError(f"{self.name}: a loguniform prior needs a range above 0")

    def with_range(self, low: float, high: float) -> Prior:
        """The same shape over a scenario's supported range ``low..high`` (``low == high``
        allowed: every draw is that value).

        Raises:
            PriorError: for a dirichlet prior (a profile has no range), or a range that is not
                in order.
        """
        if self.shape == "dirichlet":
            raise PriorError(f"{self.name}: a dirichlet prior has no range to replace")
        return replace(self, low=float(low), high=float(high), supported=True)

    def describe(self) -> str:
        """Short text, e.g. ``triangular 0.6-1 (mode: point value)``."""
        if self.shape == "dirichlet":
            return f"dirichlet around the point profile (concentration {self.concentration:g})"
        rng = f"{self.low:g}-{self.high:g}"
        if self.supported:
            rng += " (the scenario's supported range)"
        extra = {
            "triangular": " (mode: point value)",
            "truncnorm": " (mean: point value, sd a quarter of the range)",
        }.get(self.shape, "")
        return f"{self.shape} {rng}{extra}"

    def ppf(self, u: np.ndarray, point: Any, width: float = 1.0) -> list[Any]:
        """Map uniform quantiles to parameter values.

        Args:
            u: Quantiles in [0, 1): shape (n,) for a scalar, (n, k) for a k-share profile.
            point: The point value the fixed-parameter run uses (mode, mean, or profile).
            width: 1 for the prior as documented; 0 collapses it onto ``point``.

        Returns:
            ``n`` values of the parameter's type (int, float, or a tuple of floats).
        """
        u = np.asarray(u, dtype=float)
        if self.shape == "dirichlet":
            return self._dirichlet(u, point, width)
        if width == 0 or self.low == self.high:
            return [point] * len(u)
        lo, hi = self._range(point, width)
        if self.integer:
            lo_i, hi_i = int(np.ceil(lo - 1e-9)), int(np.floor(hi + 1e-9))
            if lo_i >= hi_i:
                return [int(point)] * len(u)
            # ppf(0) of a discrete law is one below its support: start just above 0
            q = np.clip(u, 1e-12, 1.0)
            return [int(v) for v in stats.randint(lo_i, hi_i + 1).ppf(q)]
        mode = float(np.clip(point, lo, hi))
        if self.shape == "uniform":
            values = stats.uniform(lo, hi - lo).ppf(u)
        elif self.shape == "loguniform":
            values = stats.loguniform(lo, hi).ppf(u)
        elif self.shape == "triangular":
            values = stats.triang((mode - lo) / (hi - lo), loc=lo, scale=hi - lo).ppf(u)
        else:  # truncnorm
            sd = (hi - lo) / 4
            a, b = (lo - mode) / sd, (hi - mode) / sd
            values = stats.truncnorm(a, b, loc=mode, scale=sd).ppf(u)
        return [float(v) for v in np.clip(values, lo, hi)]

    def _range(self, point: Any, width: float) -> tuple[float, float]:
        """The range shrunk towards the point value by ``width`` (the point kept inside)."""
        lo, hi = float(self.low), float(self.high)
        if width == 1:
            return lo, hi
        p = float(np.clip(point, lo, hi))
        if self.shape == "loguniform":
            return float(p * (lo / p) ** width), float(p * (hi / p) ** width)
        return p - (p - lo) * width, p + (hi - p) * width

    def _dirichlet(self, u: np.ndarray, point: Any, width: float) -> list[Any]:
        """A Dirichlet draw from k uniform quantiles: gamma quantiles, normalised."""
        p = np.asarray(point, dtype=float)
        u = u.reshape(len(u), p.size)
        if width == 0:
            return [tuple(float(v) for v in p)] * len(u)
        alpha = np.maximum(p, 1e-9) * self.concentration / width**2
        g = stats.gamma(alpha).ppf(np.clip(u, 1e-12, 1 - 1e-12))
        shares = g / g.sum(axis=1, keepdims=True)
        return [tuple(float(round(v, 12)) for v in row) for row in shares]


def dims_of(prior: Prior, point: Any) -> int:
    """Unit-cube dimensions a draw of ``prior`` at ``point`` uses."""
    return len(point) if prior.shape == "dirichlet" else 1
