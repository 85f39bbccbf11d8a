"""A view panel on the interaction: where staff live against where they work, and the moves
between boards in the last year (the first arm of the run)."""

from __future__ import annotations

import solara

from sim.i18n import Translator
from sim.model.flows import commute_frame, moves_matrix
from sim.plots.flows import flows_figure
from sim.plots.language import EN
from sim.view.charts import png_bytes


def flows_png(model, t: Translator = EN) -> bytes:
    """The panel's picture for a :class:`~sim.view.components.ViewModel`'s first arm."""
    region = model.first
    fig = flows_figure(
        commute_frame(region), region.school_frame(), moves_matrix(region), year=region.year, t=t
    )
    return png_bytes(fig)


@solara.component
def FlowsPanel(model, counter: int = 0, lang: str = "en") -> None:  # noqa: N802
    """Homes against schools and the moves matrix, redrawn when the model steps (``counter``);
    drawn only while switched on, so a run nobody looks at this way does not pay for it."""
    t = solara.use_memo(lambda: Translator(lang), [lang])
    show = solara.use_reactive(False)
    solara.Checkbox(label=t._("Show where teachers live and where they move"), value=show)
    png = solara.use_memo(
        lambda: flows_png(model, t) if show.value else None, [model, counter, show.value, lang]
    )
    if png is not None:
        solara.Image(png, width="100%")
