"""The browser view: tune parameters and watch the region, or both policies side by side.

Serve it with ``python -m sim view`` or
``solara run sim/view/app.py --host 127.0.0.1 --port 8765 --production``. Each browser session gets
its own model (built inside :func:`Page`). The page holds no model logic: it shows the
:class:`~sim.view.components.ViewModel`, which runs :class:`~sim.model.RegionModel`.

The scenario is ``rijnmond`` unless the environment variable ``SIM_VIEW_SCENARIO`` names another
(``python -m sim view --scenario NAME`` sets it).
"""

from __future__ import annotations

import os
from collections.abc import Callable

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from sim.model.scenarios import load_scenario
from sim.view.components import (
    RunView,
    SettingsSidebar,
    ViewModel,
    ViewSession,
    default_settings,
)
from sim.view.flows import FlowsPanel

SCENARIO_ENV = "SIM_VIEW_SCENARIO"
SessionHook = Callable[[ViewSession], None]

EMPTY_CARD_CSS = ".v-card:has(> .v-card__text > .v-sheet:empty) { display: none; }"
"""Hides SolaraViz's "Model Parameters" card, left empty: the settings panel replaces it."""


@solara.component
def ViewPage(scenario: str = "rijnmond", on_session: SessionHook | None = None) -> None:  # noqa: N802
    """The whole page for one browser session.

    Args:
        scenario: Scenario whose parameters are the defaults of the controls.
        on_session: Called once with the session's state (tests use it to reach the model).
    """
    settings = solara.use_reactive(solara.use_memo(lambda: default_settings(scenario), []))
    session = solara.use_memo(lambda: ViewSession(settings), [])
    model = solara.use_reactive(solara.use_memo(lambda: ViewModel(session), []))
    region_name = load_scenario(settings.value.scenario).name.replace("-", " ").title()
    solara.use_effect(lambda: on_session(session) if on_session else None, [])
    # the settings reach the model through the session: SolaraViz's own inputs are flat and
    # cannot group parameters, and Reset passes the fixed "session" entry to ViewModel
    solara.Style(EMPTY_CARD_CSS)
    SolaraViz(
        model,
        components=[],
        model_params={"session": session},
        name=f"Teacher supply in {region_name}: isolated or collaborative",
    )
    SettingsSidebar(settings)
    RunView(model.value, pending=settings.value != session.applied)
    FlowsPanel(model.value, update_counter.get())


@solara.component
def Page() -> None:  # noqa: N802
    """Entry point of ``solara run``."""
    ViewPage(scenario=os.environ.get(SCENARIO_ENV, "rijnmond"))
