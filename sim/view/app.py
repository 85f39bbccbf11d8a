"""The browser view: tune parameters and watch the region, or both policies side by side.

Serve it with ``python -m sim view`` or
``solara run sim/view/app.py --host 127.0.0.1 --port 8765 --production``. Each browser session gets
its own model (built inside :func:`Page`). The page holds no model logic: it shows the
:class:`~sim.view.components.ViewModel`, which runs :class:`~sim.model.RegionModel`.

The scenario is ``rijnmond`` unless the environment variable ``SIM_VIEW_SCENARIO`` names another
(``python -m sim view --scenario NAME`` sets it); the language is English unless
``SIM_VIEW_LANG`` says ``nl`` (``--lang nl``). The page has a switch for both.
"""

from __future__ import annotations

import os
from collections.abc import Callable

import solara
from mesa.visualization.utils import update_counter

from sim.i18n import Translator, check_language
from sim.model.scenarios import load_scenario
from sim.view.components import (
    CSS,
    LanguageSwitch,
    RunInfo,
    RunView,
    SettingsPanel,
    ViewModel,
    ViewSession,
    default_settings,
)
from sim.view.controller import RunController
from sim.view.flows import FlowsPanel

SCENARIO_ENV = "SIM_VIEW_SCENARIO"
LANG_ENV = "SIM_VIEW_LANG"
SessionHook = Callable[[ViewSession], None]


@solara.component
def ViewPage(  # noqa: N802
    scenario: str = "rijnmond", on_session: SessionHook | None = None, lang: str = "en"
) -> None:
    """The whole page for one browser session.

    The page's own controller (:func:`~sim.view.controller.RunController`: Reset, play and
    pause, Step) drives the model the way Mesa's ``ModelController`` does, with its labels in
    the page's language. The page does not use SolaraViz's whole layout, whose "render interval"
    made one Step jump several years and whose information card counted steps ("Time: 5.0")
    instead of years.

    Args:
        scenario: Scenario whose parameters are the defaults of the controls.
        on_session: Called once with the session's state (tests use it to reach the model).
        lang: Language the page opens in (``en`` or ``nl``).
    """
    settings = solara.use_reactive(solara.use_memo(lambda: default_settings(scenario), []))
    session = solara.use_memo(lambda: ViewSession(settings), [])
    model = solara.use_reactive(solara.use_memo(lambda: ViewModel(session), []))
    language = solara.use_reactive(check_language(lang))
    play_interval = solara.use_reactive(100)
    t = Translator(language.value)
    region_name = load_scenario(model.value.settings.scenario).name.replace("-", " ").title()
    solara.use_effect(lambda: on_session(session) if on_session else None, [])
    solara.Style(CSS)
    with solara.AppBar():
        solara.AppBarTitle(
            t._("Teacher supply in {region}: isolated or collaborative").format(region=region_name)
        )
        LanguageSwitch(language)
    with solara.Sidebar(), solara.Column():
        with solara.Card(t._("Controls")):
            solara.SliderInt(
                label=t._("Play interval (ms)"),
                value=play_interval,
                min=1,
                max=500,
                step=10,
            )
            # the settings reach the model through the session: Reset builds
            # ViewModel(session), one year per Step
            RunController(
                model,
                rebuild=lambda: ViewModel(session),
                play_interval=play_interval,
                lang=language.value,
            )
        RunInfo(model.value, language.value)
        SettingsPanel(settings, language.value)
    RunView(
        model.value,
        pending=settings.value != session.applied,
        lang=language.value,
        current=settings.value,
    )
    FlowsPanel(model.value, update_counter.get(), lang=language.value)


@solara.component
def Page() -> None:  # noqa: N802
    """Entry point of ``solara run``."""
    ViewPage(scenario=os.environ.get(SCENARIO_ENV, "rijnmond"), lang=os.environ.get(LANG_ENV, "en"))
