"""In-process tests of the browser view: render the page, press its buttons, check the model.

The page is rendered with ``solara.render`` inside ``solara.AppLayout`` (no browser); buttons and
inputs are driven through their widgets, as Mesa's own SolaraViz tests do.
"""

from __future__ import annotations

import dataclasses
import math

import ipyvuetify as v
import mesa
import numpy as np
import pandas as pd
import pytest
import solara

from sim.i18n import Translator
from sim.model.model import RegionModel
from sim.model.parameters import ParameterError, Parameters
from sim.model.policies import LEVERS, PRESETS
from sim.model.scenarios import load_scenario
from sim.view.components import (
    TUNED,
    ViewModel,
    ViewSession,
    controls,
    default_settings,
)
from sim.view.controller import RunController, button_labels


# ------------------------------------------------------------------ controls
def test_controls_take_defaults_ranges_and_labels_from_the_parameter_object():
    params = load_scenario("rijnmond").parameters()
    infos = Parameters.info()
    groups = controls(params)
    shown = [c for group in groups.values() for c in group]
    assert sorted(c.name for c in shown) == sorted(TUNED)
    for group, items in groups.items():
        for c in items:
            info = infos[c.name]
            assert c.group == group == info.group
            assert c.default == getattr(params, c.name)
            assert c.label == info.doc.rstrip(".")
            assert c.unit == info.unit
            if c.kind == "bool":
                assert info.boolean
                continue
            assert c.min <= c.default <= c.max
            if info.ge is not None:
                assert c.min >= info.ge
            if info.le is not None:
                assert c.max <= info.le
            if info.plausible is not None:
                assert (c.min, c.max) == (
                    min(info.plausible[0], c.default),
                    max(info.plausible[1], c.default),
                )
            assert (c.kind == "int") == info.integer


def test_scenario_overrides_are_the_defaults_of_the_controls():
    # rijnmond.toml sets initial_shortage_rate; the control must show the scenario's value
    scenario = load_scenario("rijnmond")
    assert "initial_shortage_rate" in scenario.parameter_overrides
    settings = default_settings("rijnmond")
    assert (
        settings.values["initial_shortage_rate"]
        == scenario.parameter_overrides["initial_shortage_rate"]
    )


def test_controls_refuse_list_parameters():
    with pytest.raises(ValueError, match="subject_demand_share"):
        controls(Parameters.build(), ("subject_demand_share",))


def test_every_slider_position_is_a_valid_parameter_value():
    # both ends of every slider, rounded as the control rounds them, must pass validation
    params = load_scenario("rijnmond").parameters()
    for group in controls(params).values():
        for c in group:
            ends = [True, False] if c.kind == "bool" else [c.min, c.max]
            for value in ends:
                params.with_overrides(**{c.name: c.clean(value)})


# ------------------------------------------------------------------ the page
def _render(lang: str = "en"):
    from sim.view.app import ViewPage

    sessions: list[ViewSession] = []
    _, rc = solara.render(
        solara.AppLayout(children=[ViewPage(on_session=sessions.append, lang=lang)]),
        handle_error=False,
    )
    assert len(sessions) == 1
    return rc, sessions[0]


@pytest.fixture
def page():
    """The rendered page and its session; closed after the test.

    Closing matters: outside a Solara server, Mesa's update counter is one global value, and a
    page left open would redraw on every later test's Step.
    """
    rc, session = _render()
    yield rc, session
    rc.close()


@pytest.fixture
def dutch_page():
    """The same page opened in Dutch (``--lang nl``)."""
    rc, session = _render("nl")
    yield rc, session
    rc.close()


def _click(rc, label: str) -> None:
    rc.find(v.Btn, children=[label]).assert_single()
    rc.find(v.Btn, children=[label]).widget.click()


def _control(rc, name: str):
    """The widgets of one parameter control (its column carries the class ``param-<name>``)."""
    # solara.Column(margin=0) puts "d-flex ma-0" before the classes it is given
    box = rc.find(v.Sheet, class_=f"d-flex ma-0 param-{name}")
    box.assert_single()
    return box


def _alerts(rc) -> str:
    return " ".join(str(w.children) for w in rc.find(v.Alert).widgets)


def test_page_steps_and_reset_applies_a_changed_parameter(page):
    rc, session = page
    (arm,) = session.arms.values()
    start = arm.p.start_year
    assert arm.year == start

    _click(rc, "Step")
    assert arm.year == start + 1
    assert len(arm.series()) == 2

    # move the pupil-trend slider to its lowest position, then Reset
    slider = _control(rc, "pupil_trend_per_year").find(v.Slider)
    slider.assert_single()
    low = slider.widget.min
    slider.widget.v_model = low
    assert session.settings.value.values["pupil_trend_per_year"] == pytest.approx(low)
    assert arm.p.pupil_trend_per_year != pytest.approx(low)  # not applied before Reset

    _click(rc, "Reset")
    (new_arm,) = session.arms.values()
    assert new_arm is not arm
    assert new_arm.year == start
    assert new_arm.p.pupil_trend_per_year == pytest.approx(low)


def test_policy_switch_and_preset_take_effect_after_reset(page):
    rc, session = page
    (arm,) = session.arms.values()
    assert arm.policy.lever_names == ()

    switch = rc.find(v.Switch, label="joint induction")
    switch.assert_single()
    switch.widget.v_model = True
    assert session.settings.value.levers == ("joint_induction",)
    _click(rc, "Reset")
    (arm,) = session.arms.values()
    assert arm.policy.lever_names == ("joint_induction",)

    _click(rc, "collaborative")
    assert set(session.settings.value.levers) == set(PRESETS["collaborative"])
    on = {w.label for w in rc.find(v.Switch).widgets if w.v_model and w.label}
    assert {n.replace("_", " ") for n in PRESETS["collaborative"]} <= on
    _click(rc, "Reset")
    (arm,) = session.arms.values()
    assert set(arm.policy.lever_names) == set(PRESETS["collaborative"])


def test_twin_mode_runs_isolated_and_the_policy_in_lockstep_from_one_seed(page):
    rc, session = page
    session.settings.set(dataclasses.replace(session.settings.value, twin=True, seed=7))
    _click(rc, "Reset")
    assert list(session.arms) == ["isolated", "collaborative"]  # no lever selected
    _click(rc, "Step")
    _click(rc, "Step")
    iso, col = session.arms.values()
    assert iso.year == col.year == iso.p.start_year + 2
    # each arm is exactly the run the model gives for that policy and seed
    for policy, arm in session.arms.items():
        alone = RegionModel(scenario="rijnmond", policy=policy, rng=7)
        alone.run_for(2)
        pd.testing.assert_frame_equal(arm.series(), alone.series())
    assert iso.series()["shortage_rate"].iloc[-1] != col.series()["shortage_rate"].iloc[-1]


def test_twin_mode_sets_the_selected_levers_against_isolated(page):
    rc, session = page
    s = session.settings.value.with_levers(["outreach", "joint_induction"])
    session.settings.set(dataclasses.replace(s, twin=True))
    _click(rc, "Reset")
    assert list(session.arms) == ["isolated", "joint_induction+outreach"]
    assert session.arms["joint_induction+outreach"].policy.lever_names == (
        "joint_induction",
        "outreach",
    )


def test_invalid_settings_show_the_model_message_and_keep_the_last_run(page):
    rc, session = page
    _click(rc, "Step")
    (arm,) = session.arms.values()
    year = arm.year
    bad = -0.5  # outside the allowed range of pupil_trend_per_year
    with pytest.raises(ParameterError) as expected:
        RegionModel(pupil_trend_per_year=bad)
    session.settings.set(session.settings.value.with_value("pupil_trend_per_year", bad))

    _click(rc, "Reset")
    assert session.arms == {arm.policy.name: arm}  # the same run object goes on
    assert str(expected.value) in _alerts(rc)
    _click(rc, "Step")
    assert arm.year == year + 1

    # a valid Reset clears the message
    session.settings.set(session.settings.value.with_value("pupil_trend_per_year", 0.0))
    _click(rc, "Reset")
    assert str(expected.value) not in _alerts(rc)
    (new_arm,) = session.arms.values()
    assert new_arm is not arm


def test_negative_seed_is_refused_at_the_control(page):
    rc, session = page
    field = rc.find(v.TextField, label="Seed (same seed, same run)")
    field.assert_single()
    field.widget.v_model = "-3"
    field.widget.fire_event("keyup.enter", None)  # the input commits on Enter or focus-out
    assert session.settings.value.seed == default_settings().seed
    assert "-3 is not a seed" in _alerts(rc)
    field.widget.v_model = "12"
    field.widget.fire_event("keyup.enter", None)
    assert session.settings.value.seed == 12
    assert "is not a seed" not in _alerts(rc)


def test_play_stops_after_the_years_to_run(page):
    rc, session = page
    session.settings.set(dataclasses.replace(session.settings.value, years=2))
    _click(rc, "Reset")
    _click(rc, "Step")
    _click(rc, "Step")
    (arm,) = session.arms.values()
    assert arm.year == arm.p.start_year + 2
    step = rc.find(v.Btn, children=["Step"]).widget
    assert step.disabled


def test_view_model_keeps_no_state_between_sessions():
    a = ViewSession(solara.reactive(default_settings()))
    b = ViewSession(solara.reactive(default_settings()))
    ma, mb = ViewModel(a), ViewModel(b)
    ma.step()
    assert ma.year == mb.year + 1
    assert a.arms is not b.arms


def test_a_first_invalid_build_raises_the_model_error():
    # with no earlier run to fall back on, the model's own error surfaces unchanged
    s = default_settings().with_value("returner_rate", math.nan)
    with pytest.raises(ParameterError, match="returner_rate"):
        ViewModel(ViewSession(solara.reactive(s)))


def test_lever_switches_cover_every_lever(page):
    rc, _ = page
    labels = {w.label for w in rc.find(v.Switch).widgets}
    assert {n.replace("_", " ") for n in LEVERS} <= labels
    assert np.all([isinstance(x, str) for x in labels])


# ------------------------------------------------------------ python -m sim view
def test_view_command_serves_the_app_on_localhost_without_telemetry():
    from pathlib import Path

    from sim.cli import view_command

    argv, env = view_command(8123, "rijnmond")
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert argv[argv.index("--port") + 1] == "8123"
    assert (
        Path(argv[argv.index("run") + 1]) == Path(__file__).parents[1] / "sim" / "view" / "app.py"
    )
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    assert env["SIM_VIEW_SCENARIO"] == "rijnmond"


def test_view_command_refuses_an_unknown_scenario_before_serving(capsys):
    from sim.cli import main

    assert main(["view", "--scenario", "atlantis"]) == 2
    assert "unknown scenario 'atlantis'" in capsys.readouterr().err


# ----------------------------------------------------------- drawing by blitting
def _pixels(fig) -> np.ndarray:
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def _drawn_in_full(fig) -> np.ndarray:
    """The figure drawn from scratch with every artist, as the blitted image should look."""
    for artist in fig.findobj():
        artist.set_animated(False)
    fig.canvas.draw()
    return _pixels(fig)


def test_live_dashboard_blits_the_same_image_as_a_full_drawing():
    from sim.view.charts import LiveDashboard, dashboard_figure

    iso = RegionModel(policy="isolated", rng=3)
    col = RegionModel(policy="collaborative", rng=3)
    iso.run_for(6)
    col.run_for(6)
    live = LiveDashboard(until=iso.p.start_year + 10)
    live.png({"isolated": iso.series(), "collaborative": col.series()})
    first = _pixels(live.fig)
    # one year less: other lines, bars and titles, and nothing that outgrows the axes
    live.png({"isolated": iso.series().iloc[:-1], "collaborative": col.series().iloc[:-1]})
    assert live.full_draws == 1  # blitted onto the kept frame
    blitted = _pixels(live.fig)
    assert (blitted != first).any()
    assert (blitted == _drawn_in_full(live.fig)).all()
    # the legends are those of a fresh drawing of the same data
    fresh = dashboard_figure(
        {"isolated": iso.series().iloc[:-1], "collaborative": col.series().iloc[:-1]}
    )
    for ax, ref in zip(live.fig.axes, fresh.axes, strict=True):
        labels = [t.get_text() for t in ax.get_legend().get_texts()]
        assert labels == [t.get_text() for t in ref.get_legend().get_texts()]


def test_live_dashboard_draws_in_full_when_data_outgrow_the_axes():
    from sim.view.charts import LiveDashboard

    model = RegionModel(rng=3)
    model.step()
    live = LiveDashboard(until=model.p.start_year + 10)
    live.png({"isolated": model.series()})
    grown = model.series().copy()
    grown["hires_graduate"] *= 10
    live.png({"isolated": grown})
    assert live.full_draws == 2
    hires = live.fig.axes[1]
    assert hires.get_ylim()[1] > grown["hires_graduate"].max()


def test_live_maps_blit_the_same_image_as_a_full_drawing():
    from sim.plots.maps import institutes_frame
    from sim.view.charts import LiveMaps

    model = RegionModel(rng=3)
    live = LiveMaps(institutes_frame(model))
    live.png({"isolated": model.school_frame()}, {"isolated": "isolated, start"})
    first = _pixels(live.fig)
    model.run_for(3)
    live.png({"isolated": model.school_frame()}, {"isolated": "isolated, later"})
    blitted = _pixels(live.fig)
    assert (blitted != first).any()
    assert (blitted == _drawn_in_full(live.fig)).all()


# ------------------------------------------------------------ issue 14, in-process
@pytest.mark.parametrize("scenario", ["rijnmond", "zuid-holland", "netherlands"])
def test_every_scenario_value_lies_on_its_sliders_grid(scenario):
    """A slider snaps its value to min + k * step when drawn: the scenario's value must be a
    grid point, or opening a section changes the run (15.6 became 15.5 with a step of 0.5)."""
    params = load_scenario(scenario).parameters()
    for group in controls(params).values():
        for c in group:
            if c.kind != "float":
                continue
            k = (c.default - c.min) / c.step
            assert abs(k - round(k)) < 1e-6, (c.name, c.default, c.min, c.step)
            assert c.min <= c.default <= c.max
            assert c.clean(c.default) == c.default, c.name


def test_twin_arms_differ_in_more_than_dashes_and_are_named_in_a_legend():
    from matplotlib.colors import to_rgba

    from sim.view.charts import LEGEND_FONTSIZE, dashboard_figure

    iso = RegionModel(policy="isolated", rng=3)
    col = RegionModel(policy="collaborative", rng=3)
    iso.run_for(2)
    col.run_for(2)
    fig = dashboard_figure({"isolated": iso.series(), "collaborative": col.series()})
    shortage = fig.axes[0]
    same_colour = [ln for ln in shortage.lines if ln.get_color() == "#b2182b"]
    assert len(same_colour) == 2
    first, second = same_colour
    assert first.get_linestyle() != second.get_linestyle()
    assert first.get_marker() != second.get_marker()
    assert second.get_linewidth() >= 1.5 * first.get_linewidth()
    assert to_rgba(first.get_markerfacecolor()) != to_rgba(second.get_markerfacecolor())
    names = [t.get_text() for leg in fig.legends for t in leg.get_texts()]
    assert names == ["policy isolated", "policy collaborative"]
    for ax in fig.axes:
        if ax.get_legend() is not None:
            assert all(t.get_fontsize() >= LEGEND_FONTSIZE for t in ax.get_legend().get_texts())


def test_costs_follow_the_lever_reporters_and_the_shortage_avoided():
    from sim.view.components import arm_costs

    settings = dataclasses.replace(default_settings(), twin=True)
    session = ViewSession(type("Value", (), {"value": settings})())
    model = ViewModel(session)
    for _ in range(3):
        model.step()
    iso, col = arm_costs(model)
    s = model.arms["collaborative"].series()
    b = model.arms["isolated"].series()
    assert iso.total_eur == 0 and iso.avoided_fte is None
    assert col.year_eur == pytest.approx(s["lever_cost_eur"].iloc[-1])
    assert col.total_fte == pytest.approx(s["lever_cost_fte"].iloc[1:].sum())
    gap = lambda x: x["vacancy_fte"] + x["unqualified_fte"]  # noqa: E731
    assert col.avoided_fte == pytest.approx(gap(b).iloc[-1] - gap(s).iloc[-1])
    assert col.avoided_fte_years == pytest.approx((gap(b) - gap(s)).iloc[1:].sum())
    assert sum(t for _, t in col.by_lever.values()) == pytest.approx(col.total_eur)


def test_scenario_file_of_the_view_runs_with_the_changed_values(tmp_path):
    from sim.view.components import scenario_toml, study_commands

    settings = default_settings().with_value("pupil_trend_per_year", -0.01)
    path = tmp_path / "tuned.toml"
    path.write_text(scenario_toml(settings), encoding="utf-8")
    spec = load_scenario(path)
    assert spec.parameters().pupil_trend_per_year == -0.01
    base = load_scenario("rijnmond").parameters()
    assert spec.parameters().model_copy(update={"pupil_trend_per_year": 0.0}) == base
    assert study_commands(settings, str(path))[0].endswith(
        f"--scenario {path} --policy isolated --rng 1 --years 17"
    )


# ------------------------------------------------------------------- the run's buttons
def test_button_labels_follow_the_language():
    assert button_labels(Translator("nl")) == {
        "reset": "Herstart",
        "step": "Stap",
        "play": "Afspelen",
        "pause": "Pauzeren",
    }
    assert button_labels(Translator("en")) == {
        "reset": "Reset",
        "step": "Step",
        "play": "Play",
        "pause": "Pause",
    }


def _buttons(rc) -> list[str]:
    return [
        w.children[0]
        for w in rc.find(v.Btn).widgets
        if w.children and isinstance(w.children[0], str)
    ]


def test_dutch_page_steps_plays_and_resets_with_dutch_buttons(dutch_page):
    rc, session = dutch_page
    labels = _buttons(rc)
    assert {"Herstart", "Stap", "▶"} <= set(labels)
    assert not {"Reset", "Step"} & set(labels)
    play = rc.find(v.Btn, children=["▶"])
    play.assert_single()
    assert play.widget.attributes == {"title": "Afspelen"}
    (arm,) = session.arms.values()
    start = arm.year
    _click(rc, "Stap")
    assert arm.year == start + 1
    # play turns the button into pause (named in Dutch) and Step off, until paused
    _click(rc, "▶")
    pause = rc.find(v.Btn, children=["❚❚"])
    pause.assert_single()
    assert pause.widget.attributes == {"title": "Pauzeren"}
    assert rc.find(v.Btn, children=["Stap"]).widget.disabled
    _click(rc, "❚❚")
    rc.find(v.Btn, children=["▶"]).assert_single()
    assert not rc.find(v.Btn, children=["Stap"]).widget.disabled
    _click(rc, "Herstart")
    (fresh,) = session.arms.values()
    assert fresh is not arm
    assert fresh.year == start


class _TwoSteps(mesa.Model):
    """A model that stops after two steps."""

    def __init__(self) -> None:
        super().__init__(rng=1)
        self.done = 0  # not ``steps``: Mesa counts those itself
        self.running = True

    def step(self) -> None:
        self.done += 1
        self.running = self.done < 2


def test_controller_follows_the_language_and_stops_with_the_model():
    lang = solara.reactive("en")
    model = solara.reactive(_TwoSteps())
    interval = solara.reactive(1)

    @solara.component
    def Harness():  # noqa: N802
        RunController(model, rebuild=_TwoSteps, play_interval=interval, lang=lang.value)

    _, rc = solara.render(Harness(), handle_error=False)
    try:
        assert _buttons(rc) == ["Reset", "▶", "Step"]
        lang.set("nl")
        assert _buttons(rc) == ["Herstart", "▶", "Stap"]
        first = model.value
        _click(rc, "Stap")
        _click(rc, "Stap")
        assert first.done == 2
        assert rc.find(v.Btn, children=["Stap"]).widget.disabled
        assert rc.find(v.Btn, children=["▶"]).widget.disabled
        _click(rc, "Herstart")
        assert model.value is not first and model.value.done == 0
        assert not rc.find(v.Btn, children=["Stap"]).widget.disabled
    finally:
        rc.close()


def test_status_lines_name_the_presets_in_the_page_language():
    from sim.view.components import status_lines

    settings = dataclasses.replace(default_settings(), twin=True)
    model = ViewModel(ViewSession(type("Value", (), {"value": settings})()))
    nl = status_lines(model, Translator("nl"))
    en = status_lines(model, Translator("en"))
    assert nl[0].startswith("ieder voor zich (0 maatregelen): tekort ")
    assert nl[1].startswith("samenwerking (9 maatregelen): tekort ")
    assert en[0].startswith("isolated (0 levers): shortage ")


def test_dutch_texts_name_the_dutch_buttons():
    t = Translator("nl")
    for text in (
        "Settings changed: press Reset to apply them.",
        "Run finished: {end} reached. Press Reset to start again.",
    ):
        assert "Herstart" in t._(text) and "Reset" not in t._(text)
    assert t._("Hires by source") == "Aanstellingen naar herkomst"
