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
import shlex
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import mesa
import numpy as np
import pandas as pd
import solara
import tomli_w
from mesa.visualization.utils import update_counter

from sim.i18n import LANGUAGES, N_, Translator
from sim.model.model import RegionModel
from sim.model.parameters import GROUPS, Parameters, ParamInfo
from sim.model.policies import LEVERS, PRESETS, Policy
from sim.model.scenarios import available_scenarios, load_scenario
from sim.plots.language import policy_label
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
    "region": N_("Region"),
    "pipeline": N_("Pipeline: training and side-entrants"),
    "labour_market": N_("Labour market"),
    "policy_levers": N_("Policy levers"),
}

DEFAULT_POLICY: str = inspect.signature(RegionModel).parameters["policy"].default
"""The policy the view starts with: the model's own default."""

FALLBACK_TWIN_POLICY = "collaborative"
"""What twin mode sets against ``isolated`` when the selected policy has no lever."""

EXPLANATION = N_("""\
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
""")


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


def _decimals(value: float) -> int:
    """Decimal places of a number as written (0.0953 has 4, 15.6 has 1, 1e-05 has 5)."""
    # ten significant digits: float noise (3 * 0.069 = 0.20700000000000002) is no precision
    exponent = Decimal(f"{float(value):.10g}").normalize().as_tuple().exponent
    return max(0, -int(exponent))


def _precise_step(span: float, *values: float) -> float:
    """A slider step no coarser than the precision of ``values`` (the scenario's value and the
    range's ends), so that a slider never moves a value it has not been asked to move.

    A slider snaps its value to ``min + k * step`` as soon as it is drawn; with a round step of
    about 1/100 of the range, 15.6 became 15.5 and 0.0953 became 0.095 on merely opening the
    section."""
    step = _nice_step(span)
    finest = max(_decimals(v) for v in values)
    return min(step, 10.0**-finest)


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
    return float(f"{lo:.10g}"), float(f"{hi:.10g}")


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
        step = 1 if info.integer else _precise_step(hi - lo, default, lo, hi)
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
    :class:`~sim.view.charts.LiveDashboard`); one painter belongs to one :class:`ViewModel` and
    one language.
    """

    def __init__(self, model: ViewModel, t: Translator | None = None) -> None:
        self.model = model
        self.t = t or Translator("en")
        self.maps = LiveMaps(institutes_frame(model.first), self.t)
        self.charts = LiveDashboard(until=model.end_year, t=self.t)

    def images(self) -> tuple[bytes, bytes]:
        """The maps and the chart panel of the model's current year, as PNG bytes."""
        model = self.model
        schools = {label: arm.school_frame() for label, arm in model.arms.items()}
        titles = {label: f"{short_label(label)}, {model.year}" for label in model.arms}
        series = {label: arm.series() for label, arm in model.arms.items()}
        maps = self.maps.png(schools, titles)
        self.school_overlay = school_overlay_svg(
            schools, self.maps.school_pixels(schools), self.maps.size, self.t
        )
        return maps, self.charts.png(series)


def short_label(label: str, width: int = 40) -> str:
    """A policy name cut to ``width`` characters for a map title (the status line has it all)."""
    return label if len(label) <= width else label[: width - 1] + "…"


def school_label(row: Any) -> str:
    """A school's name: its ``name`` when the region has real names, else its site label."""
    name = getattr(row, "name_", None) or getattr(row, "school", None)
    return str(name) if name not in (None, "") else f"#{row.Index}"


def board_label(board: Any, t: Translator) -> str:
    """A board's name, or "board 3" when boards are numbered only."""
    if isinstance(board, (int, np.integer)):
        return t._("board {n}").format(n=int(board) + 1)
    return str(board)


def school_details(row: Any, t: Translator) -> str:
    """One school as text: name, municipality, board, pupils and this year's shortage."""
    return t._(
        "{school} ({municipality}), {board}: {pupils} pupils, shortage {shortage} "
        "({fte} of {demand})"
    ).format(
        school=school_label(row),
        municipality=row.municipality,
        board=board_label(row.board, t),
        pupils=t.num(row.pupils),
        shortage=t.pct(row.shortage_rate),
        fte=t.fte(row.vacancy_fte + row.unqualified_fte, 1),
        demand=t.fte(row.demand_fte),
    )


def school_overlay_svg(
    schools: Mapping[str, pd.DataFrame],
    pixels: list[np.ndarray],
    size: tuple[int, int],
    t: Translator,
) -> str:
    """An SVG the size of the map image with one invisible circle per school site, each with a
    ``<title>`` (the browser shows it on hover) naming the school and its shortage."""
    w, h = size
    parts = [
        f'<svg class="school-overlay" viewBox="0 0 {w} {h}" preserveAspectRatio="none" '
        'xmlns="http://www.w3.org/2000/svg">'
    ]
    for (arm, frame), px in zip(schools.items(), pixels, strict=True):
        for row, (x, y, r) in zip(
            frame.rename(columns={"name": "name_"}).itertuples(), px, strict=True
        ):
            text = html.escape(f"{school_details(row, t)} [{arm}]")
            parts.append(
                f'<circle class="school-site" cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}">'
                f"<title>{text}</title></circle>"
            )
    parts.append("</svg>")
    return "".join(parts)


def status_lines(model: ViewModel, t: Translator | None = None) -> list[str]:
    """One plain line per arm: policy, shortage split in open and hidden, against demand."""
    t = t or Translator("en")
    lines = []
    for label, arm in model.arms.items():
        last = arm.series().iloc[-1]
        n = len(arm.policy.lever_names)
        lines.append(
            t._(
                "{policy} ({levers}): shortage {shortage} of demand (open {open}, "
                "hidden {hidden}), {fte} of {demand} fte"
            ).format(
                policy=policy_label(label, t),
                levers=t.n_("{n} lever", "{n} levers", n).format(n=n),
                shortage=t.pct(last.shortage_rate),
                open=t.pct(last.open_shortage_rate),
                hidden=t.pct(last.hidden_shortage_rate),
                fte=t.num(last.vacancy_fte + last.unqualified_fte),
                demand=t.num(last.demand_fte),
            )
        )
    return lines


@dataclass(frozen=True)
class ArmCosts:
    """What one arm's levers cost, this year and since the start, and the shortage avoided
    against the first arm (twin mode) in fte this year and in fte-years since the start."""

    arm: str
    year_eur: float
    year_fte: float
    total_eur: float
    total_fte: float
    avoided_fte: float | None
    avoided_fte_years: float | None
    by_lever: dict[str, tuple[float, float]]


def arm_costs(model: ViewModel) -> list[ArmCosts]:
    """Lever costs per arm from the model's reporters (``lever_cost_eur``, ``lever_cost_fte``,
    ``cost_<lever>_eur``), next to the shortage they avoid against the first arm."""
    base = model.first.series()
    base_gap = base["vacancy_fte"] + base["unqualified_fte"]
    out = []
    for label, arm in model.arms.items():
        s = arm.series()
        gap = s["vacancy_fte"] + s["unqualified_fte"]
        # the first row is the starting census: no lever has acted or cost anything yet
        flows = s.iloc[1:]
        avoided = avoided_years = None
        if len(model.arms) > 1 and arm is not model.first:
            diff = (base_gap - gap).iloc[1:]
            avoided = float(base_gap.iloc[-1] - gap.iloc[-1])
            avoided_years = float(diff.sum())
        by_lever = {
            name: (float(s[f"cost_{name}_eur"].iloc[-1]), float(flows[f"cost_{name}_eur"].sum()))
            for name in arm.policy.lever_names
        }
        out.append(
            ArmCosts(
                label,
                float(s["lever_cost_eur"].iloc[-1]) if len(s) > 1 else 0.0,
                float(s["lever_cost_fte"].iloc[-1]) if len(s) > 1 else 0.0,
                float(flows["lever_cost_eur"].sum()),
                float(flows["lever_cost_fte"].sum()),
                avoided,
                avoided_years,
                by_lever,
            )
        )
    return out


def costs_html(model: ViewModel, t: Translator) -> str:
    """The cost table of the main area: one row per arm, one per lever under it."""
    head = [
        t._("arm / lever"),
        t._("cost {year}").format(year=model.year),
        t._("staff {year}").format(year=model.year),
        t._("cost since {year}").format(year=model.start_year),
        t._("staff since {year} (fte-years)").format(year=model.start_year),
        t._("shortage avoided {year}").format(year=model.year),
        t._("shortage avoided since {year} (fte-years)").format(year=model.start_year),
    ]
    rows = []
    for c in arm_costs(model):
        avoided = "–" if c.avoided_fte is None else t.fte(c.avoided_fte, 1)
        avoided_years = "–" if c.avoided_fte_years is None else t.num(c.avoided_fte_years, 1)
        rows.append(
            f"<tr class='cost-arm'><th>{html.escape(c.arm)}</th><td>{t.eur(c.year_eur)}</td>"
            f"<td>{t.fte(c.year_fte, 1)}</td><td>{t.eur(c.total_eur)}</td>"
            f"<td>{t.num(c.total_fte, 1)}</td><td>{avoided}</td><td>{avoided_years}</td></tr>"
        )
        for name, (year_eur, total_eur) in c.by_lever.items():
            rows.append(
                f"<tr class='cost-lever'><td>&nbsp;&nbsp;{html.escape(t._(lever_title(name)))}"
                f"</td><td>{t.eur(year_eur)}</td><td></td><td>{t.eur(total_eur)}</td>"
                "<td></td><td></td><td></td></tr>"
            )
    note = t._(
        "Lever costs are staff time priced at the staff cost per fte plus the levers' own "
        "costs, as the model counts them each year. Shortage avoided is the twin arm's "
        "shortage (open + hidden) below that of the isolated arm with the same seed; "
        "without twin mode there is nothing to compare with."
    )
    header = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return (
        f"<table class='cost-table'><thead><tr>{header}</tr></thead><tbody>{''.join(rows)}"
        f"</tbody></table><div class='cost-note'>{html.escape(note)}</div>"
    )


def lever_title(name: str) -> str:
    """A lever's name as words ("joint induction")."""
    return name.replace("_", " ")


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


# --------------------------------------------------------------------- take-away
def series_csv(model: ViewModel) -> bytes:
    """The yearly series of every arm as CSV, one row per arm and year."""
    frames = [arm.series().reset_index().assign(arm=label) for label, arm in model.arms.items()]
    table = pd.concat(frames, ignore_index=True)
    table = table[["arm", *[c for c in table.columns if c != "arm"]]]
    return table.to_csv(index=False).encode("utf-8")


def schools_csv(model: ViewModel) -> bytes:
    """Every school site of every arm in the current year as CSV."""
    frames = [
        arm.school_frame().assign(arm=label, year=model.year) for label, arm in model.arms.items()
    ]
    table = pd.concat(frames, ignore_index=True)
    first = ["arm", "year"]
    return (
        table[first + [c for c in table.columns if c not in first]]
        .to_csv(index=False)
        .encode("utf-8")
    )


def scenario_file_name(settings: ViewSettings) -> str:
    """The file name of the scenario that carries these settings."""
    return f"{Path(settings.scenario).stem}-view.toml"


def scenario_toml(settings: ViewSettings) -> str:
    """A scenario file: the base scenario with the view's changed parameters in its
    ``[parameters]`` table, runnable by every study with ``--scenario FILE``."""
    spec = load_scenario(settings.scenario)
    data = tomllib.loads(Path(spec.source).read_text(encoding="utf-8"))
    base = spec.parameters()
    changed = {
        name: value for name, value in settings.values.items() if value != getattr(base, name)
    }
    data.setdefault("parameters", {}).update(changed)
    data["scenario"]["name"] = f"{data['scenario']['name']}-view"
    data["scenario"]["description"] = (
        f"{data['scenario']['description']} Tuned in the browser view: "
        + (", ".join(f"{k} = {v}" for k, v in changed.items()) or "no parameter changed")
        + "."
    )
    head = (
        f"# Written by the browser view from scenario {spec.name!r}; changed parameters: "
        f"{', '.join(changed) or 'none'}.\n"
    )
    return head + tomli_w.dumps(data)


def study_commands(settings: ViewSettings, path: str | None = None) -> list[str]:
    """The commands that run these settings: one run of the selected policy, and the
    comparison study (isolated against collaborative) on the same scenario."""
    scenario = path or scenario_file_name(settings)
    policy = settings.policy or "isolated"
    return [
        shlex.join(
            [
                "python",
                "-m",
                "sim",
                "run",
                "--scenario",
                scenario,
                "--policy",
                policy,
                "--rng",
                str(settings.seed),
                "--years",
                str(settings.years),
            ]
        ),
        shlex.join(
            [
                "python",
                "experiments/compare_policies.py",
                "--scenario",
                scenario,
                "--horizon",
                str(settings.years),
            ]
        ),
    ]


# ------------------------------------------------------------------- components
CSS = """
/* SolaraViz's "Model Parameters" card, left empty: the settings panel replaces it */
.v-card:has(> .v-card__text > .v-sheet:empty) { display: none; }
/* the sidebar keeps its width: long texts wrap instead of pushing it over the main area */
.v-navigation-drawer { width: 400px !important; max-width: 400px !important; }
.v-navigation-drawer .v-navigation-drawer__content { overflow-x: hidden; }
.v-navigation-drawer * { overflow-wrap: anywhere; min-width: 0; }
.v-navigation-drawer .v-input__slot label, .v-navigation-drawer .v-label { white-space: normal; }
.lever-effect { font-size: 0.75rem; color: #555; line-height: 1.2; margin: -4px 0 6px 44px; }
.map-box { position: relative; }
.map-box .school-overlay { position: absolute; left: 0; top: 0; width: 100%; height: 100%; }
.school-site { fill: transparent; stroke: transparent; cursor: pointer; pointer-events: all; }
.school-site:hover { stroke: #1f4e99; stroke-width: 3; }
.cost-table { border-collapse: collapse; font-size: 0.85rem; margin: 4px 0; }
.costs { overflow-x: auto; max-width: 100%; }
.cost-table th, .cost-table td { padding: 2px 8px; text-align: right; border-bottom: 1px solid #ddd;
  white-space: nowrap; }
.cost-table thead th { white-space: normal; }
.cost-table th:first-child, .cost-table td:first-child { text-align: left; white-space: normal;
  overflow-wrap: anywhere; max-width: 260px; }
.cost-lever td { color: #555; font-size: 0.8rem; }
.cost-note { font-size: 0.75rem; color: #555; max-width: 900px; }
.view-title { font-size: 1.3rem; margin: 6px 0 2px 0; }
"""


@solara.component
def RunView(  # noqa: N802
    model: ViewModel,
    pending: bool = False,
    lang: str = "en",
    current: ViewSettings | None = None,
) -> None:
    """The main area: status, costs, error, maps, charts and the downloads.

    Args:
        model: The run shown.
        pending: Whether the settings panel holds changes not applied yet.
        lang: Language of the texts.
        current: The settings panel's values, which "use these settings in a study" writes
            (the run's own settings when not given).
    """
    t = solara.use_memo(lambda: Translator(lang), [lang])
    counter = update_counter.get()
    painter = solara.use_memo(lambda: ViewPainter(model, t), [model, lang])
    maps_png, charts_png = solara.use_memo(painter.images, [model, counter, lang])
    # plain HTML, not solara.Markdown: Markdown asks the CDN for mermaid.js, which is not cached
    title = t._("Year {year} · seed {seed} · {mode} · runs to {end}").format(
        year=model.year,
        seed=model.settings.seed,
        mode=t._("twin mode") if model.settings.twin else t._("single run"),
        end=model.end_year,
    )
    with solara.Column(style={"padding": "0 12px", "width": "100%"}, gap="6px"):
        solara.HTML(tag="h3", unsafe_innerHTML=html.escape(title), classes=["view-title"])
        if not model.running and not model.error:
            with solara.Column(classes=["run-finished"]):
                solara.Success(
                    t._("Run finished: {end} reached. Press Reset to start again.").format(
                        end=model.end_year
                    ),
                    dense=True,
                )
        for line in status_lines(model, t):
            solara.HTML(tag="div", unsafe_innerHTML=html.escape(line), classes=["arm-status"])
        if model.settings.twin and not model.settings.levers:
            with solara.Column(classes=["twin-fallback"]):
                solara.Warning(
                    t._(
                        "Twin mode with no lever switched on: the policy selected is isolated, "
                        "so isolated is compared with collaborative (nine levers). Switch "
                        "levers on to compare another policy."
                    ),
                    dense=True,
                )
        changed = solara.use_memo(lambda: changed_values(model.settings), [model])
        if changed:
            solara.HTML(
                tag="div",
                unsafe_innerHTML=html.escape(
                    t._("Changed from the scenario:") + " " + "; ".join(changed)
                ),
                classes=["changed-values"],
            )
        if model.error:
            solara.Error(model.error)
        if pending:
            solara.Info(t._("Settings changed: press Reset to apply them."), dense=True)
        with solara.Details(t._("Costs of the levers"), expand=True):
            solara.HTML(tag="div", unsafe_innerHTML=costs_html(model, t), classes=["costs"])
        explanation = t._(EXPLANATION)
        if model.settings.twin:
            MapWithSchools(maps_png, painter.school_overlay)
            with solara.Details(t._("What you are looking at"), expand=False):
                solara.HTML(tag="div", unsafe_innerHTML=explanation)
        else:
            with solara.Columns([5, 4]):
                MapWithSchools(maps_png, painter.school_overlay)
                solara.HTML(tag="div", unsafe_innerHTML=explanation)
        SchoolFinder(model, t)
        solara.Image(charts_png, width="100%")
        Downloads(model, maps_png, charts_png, t, current or model.settings, counter)


@solara.component
def MapWithSchools(png: bytes, overlay: str) -> None:  # noqa: N802
    """The map image with hover targets over its school sites."""
    with solara.Column(classes=["map-box"], gap="0px"):
        solara.Image(png, width="100%")
        solara.HTML(tag="div", unsafe_innerHTML=overlay, style={"display": "contents"})


@solara.component
def SchoolFinder(model: ViewModel, t: Translator) -> None:  # noqa: N802
    """Pick a school by name to see its municipality, board, pupils and shortage."""
    frame = model.first.school_frame().rename(columns={"name": "name_"})
    rows = list(frame.itertuples())
    names = [school_label(r) for r in rows]
    chosen = solara.use_reactive(None)
    with solara.Row(style={"align-items": "center"}, classes=["school-finder"]):
        solara.Select(
            t._("Find a school"), values=names, value=chosen, style={"max-width": "320px"}
        )
        if chosen.value in names:
            i = names.index(chosen.value)
            for label, arm in model.arms.items():
                row = list(arm.school_frame().rename(columns={"name": "name_"}).itertuples())[i]
                solara.Text(f"{label}: {school_details(row, t)}", classes=["school-details"])


@solara.component
def Downloads(  # noqa: N802
    model: ViewModel,
    maps_png: bytes,
    charts_png: bytes,
    t: Translator,
    s: ViewSettings,
    counter: int = 0,
) -> None:
    """Take-away: the series and the school table as CSV, the charts as PNG, and the settings
    ``s`` as a scenario file with the commands that run them in a study."""
    # the files as bytes made once per year shown (small: a few kB), not as callables: a
    # callable is run in a thread that a re-render of the page would cancel mid-download
    series, schools = solara.use_memo(
        lambda: (series_csv(model), schools_csv(model)), [model, counter]
    )
    toml = solara.use_memo(lambda: scenario_toml(s).encode("utf-8"), [s])
    run = model.settings
    stem = f"{Path(run.scenario).stem}-seed{run.seed}-{model.year}"
    with solara.Card(t._("Take away"), classes=["downloads"]):
        with solara.Row(style={"flex-wrap": "wrap"}):
            solara.FileDownload(
                series,
                filename=f"{stem}-series.csv",
                label=t._("Yearly series (CSV)"),
            )
            solara.FileDownload(
                schools,
                filename=f"{stem}-schools.csv",
                label=t._("School table (CSV)"),
            )
            solara.FileDownload(
                charts_png, filename=f"{stem}-charts.png", label=t._("Charts (PNG)")
            )
            solara.FileDownload(maps_png, filename=f"{stem}-map.png", label=t._("Map (PNG)"))
            solara.FileDownload(
                toml,
                filename=scenario_file_name(s),
                label=t._("Use these settings in a study (scenario TOML)"),
            )
        changes = changed_values(s)
        solara.Text(
            t._("Parameters the scenario file changes: {changes}").format(
                changes="; ".join(changes) if changes else t._("none")
            ),
            style={"font-size": "0.85rem"},
            classes=["study-changes"],
        )
        solara.Text(
            t._("Save the scenario file, then run these settings (from the project folder):"),
            style={"font-size": "0.85rem"},
        )
        solara.HTML(
            tag="pre",
            unsafe_innerHTML=html.escape("\n".join(study_commands(s))),
            classes=["study-commands"],
            style={"white-space": "pre-wrap", "font-size": "0.8rem"},
        )


@solara.component
def ControlInput(  # noqa: N802
    control: Control, value: Any, on_value: Callable[[Any], None], t: Translator | None = None
) -> None:
    """A labelled slider or switch for one parameter (CSS class ``param-<name>``)."""
    t = t or Translator("en")
    shown = _fmt(value)
    unit = "" if control.unit in ("1", "switch") else f" {control.unit}"
    with solara.Column(gap="0px", classes=[f"param-{control.name}"]):
        with solara.Tooltip(control.help):
            solara.Text(
                f"{t._(control.label)}: {shown}{unit}",
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
def PolicyInputs(settings: solara.Reactive, t: Translator | None = None) -> None:  # noqa: N802
    """The preset selector and one switch per lever, each with its effect written under it."""
    t = t or Translator("en")
    s: ViewSettings = settings.value
    current = s.policy if s.policy in PRESETS else None
    solara.Text(
        t._("Policy: {policy}").format(policy=policy_label(s.policy or "isolated", t)),
        style={"font-weight": "bold"},
        classes=["policy-name"],
    )
    with solara.Row():
        for name, levers in PRESETS.items():
            solara.Button(
                policy_label(name, t),
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

        solara.Switch(
            label=t._(lever_title(name)),
            value=on,
            on_value=toggle,
            style={"margin-top": "0", "height": "28px"},
        )
        # the explanation under the switch, not in a tooltip on its knob
        solara.Text(f"{t._(lever.mechanism)}: {t._(lever.effect)}", classes=["lever-effect"])


@solara.component
def RunInputs(settings: solara.Reactive, t: Translator | None = None) -> None:  # noqa: N802
    """Scenario, seed, twin mode and the number of years to run."""
    t = t or Translator("en")
    s: ViewSettings = settings.value
    bad_seed = solara.use_reactive("")

    def set_seed(value: int | None) -> None:
        if value is None or value < 0:  # the model would refuse it; say so at the control
            bad_seed.set(
                t._("{value} is not a seed: use a whole number of 0 or more").format(value=value)
            )
            return
        bad_seed.set("")
        settings.set(replace(settings.value, seed=int(value)))

    ScenarioChooser(settings, t)
    solara.InputInt(t._("Seed (same seed, same run)"), value=s.seed, on_value=set_seed, dense=True)
    if bad_seed.value:
        solara.Error(bad_seed.value, dense=True)
    solara.Switch(
        label=t._("Twin mode: isolated next to the policy"),
        value=s.twin,
        on_value=lambda v: settings.set(replace(settings.value, twin=bool(v))),
    )
    if s.twin and not s.levers:
        solara.Text(
            t._("No lever is on: twin mode compares isolated with collaborative."),
            style={"font-size": "0.8rem", "color": "#b26a00"},
            classes=["twin-fallback-note"],
        )
    solara.Text(
        t._("Years to run: {years} (to {end})").format(
            years=s.years, end=s.years + load_start_year(s.scenario)
        ),
        style={"font-size": "0.8rem"},
    )
    with solara.Column(classes=["years-to-run"], gap="0px"):
        solara.SliderInt(
            "",
            value=s.years,
            min=1,
            max=40,
            on_value=lambda v: settings.set(replace(settings.value, years=int(v))),
        )


@solara.component
def ScenarioChooser(settings: solara.Reactive, t: Translator) -> None:  # noqa: N802
    """A shipped scenario, or a scenario file of the user's (a path or an upload). Choosing
    one resets every parameter to that scenario's values."""
    s: ViewSettings = settings.value
    shipped = available_scenarios()
    problem = solara.use_reactive("")
    path = solara.use_reactive("" if s.scenario in shipped else s.scenario)
    upload_dir = solara.use_memo(_upload_dir, [])

    def choose(name: str) -> None:
        try:
            new = default_settings(name)
        except ValueError as exc:  # ScenarioError, ParameterError: the loader's own message
            problem.set(str(exc))
            return
        problem.set("")
        settings.set(replace(new, levers=settings.value.levers, twin=settings.value.twin))

    def on_file(info: dict) -> None:
        target = upload_dir / Path(info["name"]).name
        if target.suffix != ".toml":
            problem.set(t._("{name}: a scenario file ends in .toml").format(name=info["name"]))
            return
        target.write_bytes(info["data"])
        path.set(str(target))
        choose(str(target))

    solara.Select(
        t._("Scenario"),
        values=shipped,
        value=s.scenario if s.scenario in shipped else None,
        on_value=lambda v: v and choose(v),
    )
    solara.InputText(
        t._("or a scenario file (.toml path)"),
        value=path,
        on_value=lambda v: v and choose(v),
        continuous_update=False,
    )
    solara.FileDrop(label=t._("or drop a scenario file here"), on_file=on_file, lazy=False)
    if problem.value:
        solara.Error(problem.value, dense=True)


def _upload_dir() -> Path:
    """A private temporary folder for uploaded scenario files (not the current directory)."""
    import tempfile

    return Path(tempfile.mkdtemp(prefix="sim-view-"))


def load_start_year(scenario: str) -> int:
    """The scenario's first census year."""
    return load_scenario(scenario).parameters().start_year


@solara.component
def SettingsPanel(settings: solara.Reactive, lang: str = "en") -> None:  # noqa: N802
    """The run settings and the grouped parameter controls; they apply on Reset."""
    t = solara.use_memo(lambda: Translator(lang), [lang])
    s: ViewSettings = settings.value
    groups = solara.use_memo(lambda: controls(load_scenario(s.scenario).parameters()), [s.scenario])
    with solara.Card(
        t._("Settings"),
        subtitle=t._(
            "Press Reset to apply changes. Hover a label for the parameter's name and source."
        ),
    ):
        RunInputs(settings, t)
        for group in GROUPS:
            with (
                solara.Details(t._(GROUP_TITLES[group]), expand=group == "policy_levers"),
                solara.Column(gap="2px"),
            ):
                if group == "policy_levers":
                    PolicyInputs(settings, t)
                    solara.Text(
                        t._("Lever sizes (they act when their lever is on)"),
                        style={"font-weight": "bold", "margin-top": "10px"},
                    )
                for control in groups[group]:
                    ControlInput(
                        control,
                        s.values[control.name],
                        lambda v, name=control.name: settings.set(
                            settings.value.with_value(name, v)
                        ),
                        t,
                    )


@solara.component
def RunInfo(model: ViewModel, lang: str) -> None:  # noqa: N802
    """The sidebar's information card: the year (not Mesa's step count) and whether the run
    has finished."""
    update_counter.get()
    t = Translator(lang)
    with solara.Card(t._("Information"), classes=["run-info"]):
        solara.HTML(
            tag="div",
            unsafe_innerHTML=html.escape(t._("Year {year}").format(year=model.year)),
            classes=["info-year"],
            style={"font-size": "1.1rem", "font-weight": "bold"},
        )
        if not model.running:
            text, css = t._("Run finished"), "info-finished"
        else:
            text = t._("{left} of {years} years to go").format(
                left=model.end_year - model.year, years=model.settings.years
            )
            css = "info-left"
        solara.HTML(tag="div", unsafe_innerHTML=html.escape(text), classes=[css])


@solara.component
def LanguageSwitch(lang: solara.Reactive) -> None:  # noqa: N802
    """English or Dutch for every text of the page."""
    solara.ToggleButtonsSingle(
        value=lang, values=list(LANGUAGES), classes=["language-switch"], dense=True
    )
