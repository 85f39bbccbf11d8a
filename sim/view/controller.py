"""The run's buttons (Reset, play and pause, Step) in the page's language.

Mesa's :func:`~mesa.visualization.solara_viz.ModelController` writes its labels in English and
takes no language, so the page has its own controller. It drives the model the same way: Step
calls ``model.step()`` once and bumps Mesa's ``update_counter`` (which the maps and charts
follow), the play button steps on a background task every ``play_interval`` milliseconds until
paused or until the model stops running, and Reset replaces the model with a fresh one.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import mesa
import solara
import solara.lab
from mesa.visualization.utils import force_update

from sim.i18n import N_, Translator

log = logging.getLogger(__name__)

BUTTONS: dict[str, str] = {
    "reset": N_("Reset"),
    "step": N_("Step"),
    "play": N_("Play"),
    "pause": N_("Pause"),
}
"""The buttons' names in English; :func:`button_labels` looks them up in the catalog."""

PLAY_SYMBOL = "▶"
PAUSE_SYMBOL = "❚❚"
"""The play button shows a symbol, as Mesa's does; its name is the tooltip."""


def button_labels(t: Translator) -> dict[str, str]:
    """The buttons' names in the language of ``t``, by button."""
    return {key: t._(name) for key, name in BUTTONS.items()}


@solara.component
def RunController(  # noqa: N802
    model: solara.Reactive,
    rebuild: Callable[[], mesa.Model],
    play_interval: solara.Reactive[int],
    lang: str = "en",
) -> None:
    """Reset, play and pause, and Step for ``model``, labelled in ``lang``.

    Args:
        model: The page's model (a Solara reactive value holding a :class:`mesa.Model`).
        rebuild: Builds the model that Reset puts in its place.
        play_interval: Milliseconds between two steps while playing.
        lang: Language of the labels (``en`` or ``nl``).
    """
    t = Translator(lang)
    labels = button_labels(t)
    playing = solara.use_reactive(False)
    running = solara.use_reactive(True)
    error = solara.use_reactive(None)

    def advance(target: mesa.Model) -> None:
        target.step()
        if model.value is target:  # not replaced by Reset meanwhile
            running.value = target.running
        force_update()

    def do_step() -> None:
        advance(model.value)

    def play() -> None:
        target = model.value
        try:
            while running.value and playing.value:
                time.sleep(play_interval.value / 1000)
                # paused or reset while asleep: no step, and never one of a fresh model
                if not playing.value or model.value is not target:
                    break
                advance(target)
        except Exception as exc:  # shown on the page; the session stays usable
            log.exception("playing the model failed")
            error.value = t._("Error in step: {error}").format(error=exc)

    solara.lab.use_task(play, dependencies=[playing.value, running.value], prefer_threaded=True)

    def do_reset() -> None:
        error.set(None)
        playing.value = False
        running.value = True
        model.value = rebuild()

    def do_play_pause() -> None:
        playing.value = not playing.value

    with solara.Row(justify="space-between", classes=["run-controller"]):
        solara.Button(label=labels["reset"], color="primary", on_click=do_reset)
        solara.Button(
            label=PAUSE_SYMBOL if playing.value else PLAY_SYMBOL,
            color="primary",
            on_click=do_play_pause,
            disabled=not running.value,
            attributes={"title": labels["pause" if playing.value else "play"]},
        )
        solara.Button(
            label=labels["step"],
            color="primary",
            on_click=do_step,
            disabled=playing.value or not running.value,
        )
    if error.value:
        solara.Error(label=error.value)
