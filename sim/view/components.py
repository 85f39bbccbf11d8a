"""Pieces of the browser view (``sim/view/app.py``).

- :func:`controls` turns the parameter object into grouped slider and switch descriptions:
  defaults, ranges and labels all come from :meth:`sim.model.parameters.Parameters.info` and the
  scenario's parameters, none is typed here.
- :class:`ViewModel` is the model SolaraViz drives. It holds no model logic: it builds one
  :class:`~sim.model.RegionModel` (or two with the same seed, in twin mode) from the settings of
  its :class:`ViewSession`, steps them in lockstep, and when the settings are invalid keeps the
  last valid run going and carries the model's own error message.
- The Solara components draw the settings panel, the status line, the maps and the charts.
"""

from __future__ import annotations

import html
import inspect
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import mesa
import solara
from mesa.visualization.utils import update_counter

from sim.model.model import RegionModel
from sim.model.parameters import GROUPS, Parameters, ParamInfo
from sim.model.policies import LEVERS, PRESETS, Policy
from sim.model.scenarios import load_scenario
from sim.plots.maps import institutes_frame
from sim.view.charts import LiveDashboard, LiveMaps

log = logging.getLogger(__name__)

TUNED: tuple[str, ...] = (
    # region
    "pupil_trend_per_year",
    "pupil_noise_sd",
    "pupils_per_teacher_fte",
    "initial_shortage_rate",
    "training_school_share",
    "own_induction_share",
    # pipeline
    "training_choice_rate",
    "outside_intake_scale",
    "student_dropout_first_year",
    "graduate_entry_interned_in_region",
    "graduate_entry_other",
    "side_entrant_applicants_per_100_teachers",
    "side_entrant_dropout_per_year",
    "mentor_places_training_school",
    # labour market
    "outside_labour_market_tightness",
    "returner_rate",
    "inmigration_ratio",
    "leave_region_rate",
    "mover_search_rate",
    "hiring_rounds",
    "applications_per_round",
    "match_fte_tolerance",
    "workload_exit_sensitivity",
    "attractiveness_workload_weight",
    "unqualified_cap_share",
    "stopgap_fill_share",
    "retirement_age",
    "feedbacks",
    # policy levers (their sizes; the switches themselves come from sim.model.policies.LEVERS)
    "induction_exit_rr",
    "outreach_choice_rr",
    "dual_qualification_rate",
    "slow_finisher_graduation_rr",
    "joint_side_entrant_extra_places_per_10_schools",
    "shared_appointment_max_km",
    "experiment_unqualified_cap_share",
)
"""The parameters a researcher tunes in the view; their group comes from the parameter object."""

GROUP_TITLES = {
    "region": "Region",
    "pipeline": "Pipeline: training and side-entrants",
    "labour_market": "Labour market",
    "policy_levers": "Policy levers",
}

DEFAULT_POLICY: str = inspect.signature(RegionModel).parameters["policy"].default
"""The policy the view starts with: the model's own default."""

FALLBACK_TWIN_POLICY = "collaborative"
"""What twin mode sets against ``isolated`` when the selected policy has no lever."""

EXPLANATION = """\
<p><b>What you are looking at.</b> Each step is one school year in the region's secondary
schools. Schools lose teachers (retirement, leaving education, moving away) and hire graduates,
side-entrants (career changers who qualify on the job), returners and teachers from elsewhere.
What cannot be filled is <b>shortage</b>: <i>open</i> vacancies, or <i>hidden</i> shortage where
lessons are taught by staff without the required qualification.</p>
<ul>
<li><b>Map</b>: every circle is a school site, sized by its pupils and coloured by its shortage
this year (pale yellow: none, dark red: a fifth of its lessons or more); triangles are
teacher-training institutes.</li>
<li><b>Charts</b>: shortage against demand, where new teachers come from, why teachers leave,
the training pipeline, and which subjects are short.</li>
<li><b>Twin mode</b> runs the same seed twice, <i>isolated</i> (every school board on its own)
next to the selected regional policy (collaborative when no lever is selected), so every
difference between the two maps comes from the policy, not from chance.</li>
</ul>
<p>Change settings in the sidebar, then press <b>Reset</b> to apply them; <b>Step</b> advances
one year, <b>&#9654;</b> plays until the last year.</p>
"""


# --------------------------------------------------------------------- controls
@dataclass(frozen=True)
class Control:
    """One input of the settings panel, described from a parameter."""

    name: str
    group: str
    label: str
    unit: str
    help: str
    kind: str  # "float", "int" or "bool"
    default: Any
    min: float = 0.0
    max: float = 1.0
    step: float = 1.0

    def clean(self, value: Any) -> Any:
        """The slider's value as the parameter's type, rounded to the slider step."""
        if self.kind == "bool":
            return bool(value)
        if self.kind == "int":
            return round(value)
        decimals = max(0, -math.floor(math.log10(self.step)))
        return round(float(value), decimals + 1)


def _nice_step(span: float) -> float:
    """A round slider step giving about 100 positions over ``span``."""
    raw = span / 100
    exp = math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * 10**exp >= raw:
            return m * 10.0**exp
    return 10.0 ** (exp + 1)


def _range(info: ParamInfo, default: float) -> tuple[float, float]:
    """The slider range: the plausible range when the parameter has one (widened to hold the
    default), otherwise the allowed range clipped to a reach around the default."""
    if info.plausible is not None:
        lo, hi = info.plausible
        return min(lo, default), max(hi, default)
    reach = max(2 * abs(default), 4 if info.integer else 0.1)
    lo = default - reach if info.ge is None else max(info.ge, default - reach)
    hi = default + reach if info.le is None else min(info.le, default + reach)
    return lo, hi


def controls(params: Parameters, names: tuple[str, ...] = TUNED) -> dict[str, list[Control]]:
    """Controls for ``names``, grouped by parameter group in the order of ``GROUPS``.

    Args:
        params: The parameter object whose values are the defaults (e.g. a scenario's).
        names: Scalar parameters to show.

    Raises:
        ValueError: if a name is not a scalar parameter.
    """
    infos = Parameters.info()
    out: dict[str, list[Control]] = {g: [] for g in GROUPS}
    for name in names:
        info = infos[name]
        if info.sequence:
            raise ValueError(f"{name!r} is a list parameter; the view shows scalar ones only")
        default = getattr(params, name)
        label = info.doc.rstrip(".")
        help_text = f"{name} — source: {info.source}"
        if info.boolean:
            out[info.group].append(
                Control(name, info.group, label, info.unit, help_text, "bool", default)
            )
            continue
        lo, hi = _range(info, default)
        step = 1 if info.integer else _nice_step(hi - lo)
        out[info.group].append(
            Control(
                name,
                info.group,
                label,
                info.unit,
                help_text,
                "int" if info.integer else "float",
                default,
                lo,
                hi,
                step,
            )
        )
    return out


# --------------------------------------------------------------------- settings
@dataclass(frozen=True)
class ViewSettings:
    """What the settings panel holds: the run (seed, twin mode, years), parameter values and
    the switched-on levers."""

    scenario: str
    values: Mapping[str, Any]
    levers: tuple[str, ...]
    seed: int = Parameters.model_fields["default_seed"].default
    twin: bool = False
    years: int = Parameters.model_fields["horizon_years"].default

    @property
    def policy(self) -> str:
        """The selected policy: a preset name when the levers match one, else the lever list."""
        for name, levers in PRESETS.items():
            if set(levers) == set(self.levers):
                return name
        return "+".join(n for n in LEVERS if n in self.levers)

    def with_value(self, name: str, value: Any) -> ViewSettings:
        """A copy with one parameter changed."""
        return replace(self, values={**self.values, name: value})

    def with_levers(self, levers: tuple[str, ...] | list[str]) -> ViewSettings:
        """A copy with these levers switched on (kept in the order of ``LEVERS``)."""
        return replace(self, levers=tuple(n for n in LEVERS if n in levers))


def default_settings(scenario: str = "rijnmond") -> ViewSettings:
    """The settings a new session starts from: the scenario's parameters, the default policy."""
    params = load_scenario(scenario).parameters()
    values = {c.name: c.default for group in controls(params).values() for c in group}
    return ViewSettings(
        scenario,
        values,
        Policy.parse(DEFAULT_POLICY).lever_names,
        seed=params.default_seed,
        years=params.horizon_years,
    )


@dataclass
class ViewSession:
    """State of one browser session that outlives the model rebuilds of Reset.

    Attributes:
        settings: The settings panel's current values (a Solara reactive value, or any object
            with a ``value`` attribute).
        arms: The models of the run that is going, by arm label.
        applied: The settings that run was built from.
    """

    settings: Any
    arms: dict[str, RegionModel] = field(default_factory=dict)
    applied: ViewSettings | None = None


def build_arms(settings: ViewSettings) -> dict[str, RegionModel]:
    """The run's models, by label: the selected policy, or in twin mode ``isolated`` and the
    selected policy (``collaborative`` when none is selected), all from the same seed.

    Raises:
        ParameterError, PolicyError, ScenarioError: the model's own message on invalid input.
    """
    policies = [settings.policy]
    if settings.twin:
        other = settings.policy if settings.levers else FALLBACK_TWIN_POLICY
        policies = ["isolated", other]
    return {
        p: RegionModel(scenario=settings.scenario, policy=p, rng=settings.seed, **settings.values)
        for p in policies
    }


class ViewModel(mesa.Model):
    """The model behind the browser view: one run, or twin runs stepped in lockstep.

    SolaraViz builds it again on Reset as ``ViewModel(session=...)``. It reads the settings from
    ``session``; when they are invalid it keeps the session's last valid run going and sets
    :attr:`error` to the model's message.

    Args:
        session: The browser session's state.
    """

    def __init__(self, session: ViewSession) -> None:
        settings = session.settings.value
        error = None
        try:
            arms = build_arms(settings)
        except ValueError as exc:  # ParameterError, PolicyError, ScenarioError
            if not session.arms:
                raise
            error = f"These settings were not applied: {exc}. The last valid run goes on."
        except Exception as exc:  # a bug in the model must not end the browser session
            if not session.arms:
                raise
            log.exception("building the model failed")
            error = (
                f"The model failed to build ({type(exc).__name__}: {exc}); "
                "the last valid run goes on."
            )
        else:
            session.arms = arms
            session.applied = settings
        applied = session.applied
        super().__init__(rng=applied.seed)
        self.error: str | None = error
        self.session = session
        self.arms: dict[str, RegionModel] = session.arms
        self.settings: ViewSettings = applied
        self.start_year = self.first.p.start_year
        self.end_year = self.start_year + applied.years
        self.running = self.year < self.end_year

    @property
    def first(self) -> RegionModel:
        """The first arm (``isolated`` in twin mode)."""
        return next(iter(self.arms.values()))

    @property
    def year(self) -> int:
        """Calendar year of the arms' last census."""
        return self.first.year

    def step(self) -> None:
        """Advance every arm one school year."""
        try:
            for arm in self.arms.values():
                arm.step()
        except Exception as exc:  # shown on the page; the session stays usable
            log.exception("step failed")
            self.error = f"The model stopped in {self.year + 1}: {type(exc).__name__}: {exc}"
            self.running = False
            return
        self.running = self.year < self.end_year


# ------------------------------------------------------------------- rendering
class ViewPainter:
    """Draws a model's maps and charts, year after year, as PNG images.

    Keeps the figures between years so that each year redraws only what changed (see
    :class:`~sim.view.charts.LiveDashboard`); one painter belongs to one :class:`ViewModel`.
    """

    def __init__(self, model: ViewModel) -> None:
        self.model = model
        self.maps = LiveMaps(institutes_frame(model.first))
        self.charts = LiveDashboard(until=model.end_year)

    def images(self) -> tuple[bytes, bytes]:
        """The maps and the chart panel of the model's current year, as PNG bytes."""
        model = self.model
        schools = {label: arm.school_frame() for label, arm in model.arms.items()}
        titles = {label: f"{label}, {model.year}" for label in model.arms}
        series = {label: arm.series() for label, arm in model.arms.items()}
        return self.maps.png(schools, titles), self.charts.png(series)


def status_lines(model: ViewModel) -> list[str]:
    """One plain line per arm: policy, shortage split in open and hidden, against demand."""
    lines = []
    for label, arm in model.arms.items():
        last = arm.series().iloc[-1]
        n = len(arm.policy.lever_names)
        levers = f"{n} lever{'s' if n != 1 else ''}"
        lines.append(
            f"{label} ({levers}): shortage {last.shortage_rate:.1%} of demand "
            f"(open {last.open_shortage_rate:.1%}, hidden {last.hidden_shortage_rate:.1%}), "
            f"{last.vacancy_fte + last.unqualified_fte:,.0f} of {last.demand_fte:,.0f} fte"
        )
    return lines


def changed_values(settings: ViewSettings) -> list[str]:
    """The parameters whose values differ from the scenario's, as ``name = value (was x)``."""
    base = load_scenario(settings.scenario).parameters()
    return [
        f"{name} = {_fmt(value)} (scenario: {_fmt(getattr(base, name))})"
        for name, value in settings.values.items()
        if value != getattr(base, name)
    ]


def _fmt(value: Any) -> str:
    return ("on" if value else "off") if isinstance(value, bool) else f"{value:.4g}"


@solara.component
def RunView(model: ViewModel, pending: bool = False) -> None:  # noqa: N802
    """The main area: explanation, status, error, maps and charts."""
    counter = update_counter.get()
    painter = solara.use_memo(lambda: ViewPainter(model), [model])
    maps_png, charts_png = solara.use_memo(painter.images, [model, counter])
    # plain HTML, not solara.Markdown: Markdown asks the CDN for mermaid.js, which is not cached
    title = (
        f"Year {model.year} · seed {model.settings.seed} · "
        f"{'twin mode' if model.settings.twin else 'single run'} · runs to {model.end_year}"
    )
    with solara.Column(style={"padding": "0 12px", "width": "100%"}, gap="6px"):
        solara.HTML(tag="h3", unsafe_innerHTML=html.escape(title), classes=["view-title"])
        for line in status_lines(model):
            solara.HTML(tag="div", unsafe_innerHTML=html.escape(line), classes=["arm-status"])
        changed = solara.use_memo(lambda: changed_values(model.settings), [model])
        if changed:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=html.escape("Changed from the scenario: " + "; ".join(changed)),
                classes=["changed-values"],
            )
        if model.error:
            solara.Error(model.error)
        if pending:
            solara.Info("Settings changed: press Reset to apply them.", dense=True)
        if model.settings.twin:
            solara.Image(maps_png, width="100%")
            with solara.Details("What you are looking at", expand=False):
                solara.HTML(tag="div", unsafe_innerHTML=EXPLANATION)
        else:
            with solara.Columns([5, 4]):
                solara.Image(maps_png, width="100%")
                solara.HTML(tag="div", unsafe_innerHTML=EXPLANATION)
        solara.Image(charts_png, width="100%")


@solara.component
def ControlInput(control: Control, value: Any, on_value: Callable[[Any], None]) -> None:  # noqa: N802
    """A labelled slider or switch for one parameter (CSS class ``param-<name>``)."""
    shown = _fmt(value)
    unit = "" if control.unit in ("1", "switch") else f" {control.unit}"
    with solara.Column(gap="0px", classes=[f"param-{control.name}"]):
        with solara.Tooltip(control.help):
            solara.Text(
                f"{control.label}: {shown}{unit}",
                style={"font-size": "0.8rem", "line-height": "1.15"},
            )
        if control.kind == "bool":
            solara.Switch(
                label=control.name.replace("_", " "),
                value=bool(value),
                on_value=lambda v: on_value(control.clean(v)),
            )
        elif control.kind == "int":
            solara.SliderInt(
                "",
                value=int(value),
                min=int(control.min),
                max=int(control.max),
                step=1,
                on_value=lambda v: on_value(control.clean(v)),
            )
        else:
            solara.SliderFloat(
                "",
                value=float(value),
                min=control.min,
                max=control.max,
                step=control.step,
                on_value=lambda v: on_value(control.clean(v)),
            )


@solara.component
def PolicyInputs(settings: solara.Reactive) -> None:  # noqa: N802
    """The preset selector and one switch per lever."""
    s: ViewSettings = settings.value
    current = s.policy if s.policy in PRESETS else None
    solara.Text(f"Policy: {s.policy}", style={"font-weight": "bold"})
    with solara.Row():
        for name, levers in PRESETS.items():
            solara.Button(
                name,
                small=True,
                outlined=current != name,
                color="primary",
                on_click=lambda levers=levers: settings.set(s.with_levers(levers)),
            )
    for name, lever in LEVERS.items():
        on = name in s.levers

        def toggle(v: bool, name: str = name) -> None:
            levers = (
                set(settings.value.levers) | {name} if v else set(settings.value.levers) - {name}
            )
            settings.set(settings.value.with_levers(sorted(levers)))

        with solara.Tooltip(f"{lever.mechanism}: {lever.effect}"):
            solara.Switch(
                label=name.replace("_", " "),
                value=on,
                on_value=toggle,
                style={"margin-top": "0", "height": "28px"},
            )


@solara.component
def RunInputs(settings: solara.Reactive) -> None:  # noqa: N802
    """Seed, twin mode and the number of years to run."""
    s: ViewSettings = settings.value
    bad_seed = solara.use_reactive("")

    def set_seed(value: int | None) -> None:
        if value is None or value < 0:  # the model would refuse it; say so at the control
            bad_seed.set(f"{value} is not a seed: use a whole number of 0 or more")
            return
        bad_seed.set("")
        settings.set(replace(settings.value, seed=int(value)))

    solara.InputInt("Seed (same seed, same run)", value=s.seed, on_value=set_seed, dense=True)
    if bad_seed.value:
        solara.Error(bad_seed.value, dense=True)
    solara.Switch(
        label="Twin mode: isolated next to the policy",
        value=s.twin,
        on_value=lambda v: settings.set(replace(settings.value, twin=bool(v))),
    )
    solara.Text(
        f"Years to run: {s.years} (to {s.years + load_start_year(s.scenario)})",
        style={"font-size": "0.8rem"},
    )
    solara.SliderInt(
        "",
        value=s.years,
        min=1,
        max=40,
        on_value=lambda v: settings.set(replace(settings.value, years=int(v))),
    )


def load_start_year(scenario: str) -> int:
    """The scenario's first census year."""
    return load_scenario(scenario).parameters().start_year


@solara.component
def SettingsPanel(settings: solara.Reactive) -> None:  # noqa: N802
    """The run settings and the grouped parameter controls; they apply on Reset."""
    s: ViewSettings = settings.value
    groups = solara.use_memo(lambda: controls(load_scenario(s.scenario).parameters()), [s.scenario])
    with solara.Card(
        "Settings",
        subtitle="Press Reset to apply changes. Hover a label for the parameter's name and source.",
    ):
        RunInputs(settings)
        for group in GROUPS:
            with (
                solara.Details(GROUP_TITLES[group], expand=group == "policy_levers"),
                solara.Column(gap="2px"),
            ):
                if group == "policy_levers":
                    PolicyInputs(settings)
                    solara.Text(
                        "Lever sizes (they act when their lever is on)",
                        style={"font-weight": "bold", "margin-top": "10px"},
                    )
                for control in groups[group]:
                    ControlInput(
                        control,
                        s.values[control.name],
                        lambda v, name=control.name: settings.set(
                            settings.value.with_value(name, v)
                        ),
                    )


@solara.component
def SettingsSidebar(settings: solara.Reactive) -> None:  # noqa: N802
    """The settings panel, placed in the sidebar under SolaraViz's controls."""
    # Solara orders sidebar content by how deep in the component tree it is declared; one
    # level deeper than SolaraViz's own sidebar puts the settings under Reset, Play and Step
    _SidebarContent(settings)


@solara.component
def _SidebarContent(settings: solara.Reactive) -> None:  # noqa: N802
    with solara.Sidebar():
        SettingsPanel(settings)
