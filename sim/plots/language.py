"""The language of a chart: its texts through a :class:`~sim.i18n.Translator`, its numbers in the
language's format.

Every chart function takes the report's (or the view's) translator ``t``, looks its own texts up
with ``t._(...)`` and, before the figure is drawn, calls :func:`localise_ticks` so that numeric
tick labels carry the language's decimal sign (``2,5`` in Dutch). In English nothing is changed:
the charts look exactly as matplotlib draws them.
"""

from __future__ import annotations

from babel.numbers import get_decimal_symbol
from matplotlib.axis import Axis
from matplotlib.figure import Figure
from matplotlib.ticker import Formatter, PercentFormatter, ScalarFormatter

from sim.i18n import N_, Translator

EN = Translator("en")
"""The default translator of the chart functions (English, the source language)."""

POLICY_NAMES: dict[str, str] = {
    "isolated": N_("isolated"),
    "collaborative": N_("collaborative"),
}
"""The preset policies' names, translated where a chart names an arm."""


def policy_label(name: str, t: Translator = EN) -> str:
    """A preset policy's name in the language of ``t``; any other arm name (a lever, a lever
    combination, a future) as it is, because it names a setting of the code."""
    key = name.strip()
    return t._(POLICY_NAMES[key]) if key in POLICY_NAMES else name


def decimals(value: float, digits: int, t: Translator = EN) -> str:
    """``value`` with ``digits`` decimals and the language's decimal sign, ungrouped like
    matplotlib's own numbers (``1234,50`` in Dutch, ``1234.50`` in English)."""
    return f"{value:.{digits}f}".replace(".", get_decimal_symbol(t.locale))


class LocalDecimal(Formatter):
    """A numeric tick formatter's labels with another decimal sign.

    Wraps the axis's own formatter (matplotlib's default or a percent formatter), so that the
    choice of ticks, decimals and offset stays matplotlib's and only the sign changes.

    Args:
        inner: The formatter whose labels are shown.
        sign: The decimal sign (``","`` in Dutch).
    """

    def __init__(self, inner: Formatter, sign: str) -> None:
        self.inner = inner
        self.sign = sign

    def _local(self, text: str) -> str:
        return text.replace(".", self.sign)

    def set_axis(self, axis: Axis | None) -> None:
        """Attach to ``axis`` (and the wrapped formatter with it)."""
        super().set_axis(axis)
        self.inner.set_axis(axis)

    def set_locs(self, locs) -> None:
        """The tick locations, which decide decimals and offset."""
        self.inner.set_locs(locs)

    def __call__(self, x: float, pos: int | None = None) -> str:
        return self._local(self.inner(x, pos))

    def format_ticks(self, values) -> list[str]:
        """Labels of all ticks at once (the wrapped formatter sees them together)."""
        return [self._local(s) for s in self.inner.format_ticks(values)]

    def get_offset(self) -> str:
        """The offset or scale text shown at the end of the axis."""
        return self._local(self.inner.get_offset())

    def format_data(self, value: float) -> str:
        """A full-precision label of one value."""
        return self._local(self.inner.format_data(value))

    def format_data_short(self, value: float) -> str:
        """A short label of one value (shown when hovering)."""
        return self._local(self.inner.format_data_short(value))


def localise_ticks(fig: Figure, t: Translator = EN) -> Figure:
    """Give every numeric tick label of ``fig`` (colour bars included) the decimal sign of
    ``t``'s language; text labels (categories, names) are left alone. Call it once the axes are
    drawn on, just before the figure is saved; in English it changes nothing.

    Returns:
        ``fig``, for chaining.
    """
    sign = get_decimal_symbol(t.locale)
    if sign == ".":
        return fig
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            fmt = axis.get_major_formatter()
            if isinstance(fmt, ScalarFormatter | PercentFormatter):
                axis.set_major_formatter(LocalDecimal(fmt, sign))
    return fig
