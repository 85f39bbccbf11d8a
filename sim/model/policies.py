"""Policy levers as objects, and the policies built from them.

A :class:`Lever` switches one named mechanism of the model (its ``mechanism``) by changing the
:class:`Mechanisms` settings the model's rules read, and prices itself each year in staff fte and
euros from what the model counted that year. A :class:`Policy` is a set of levers; ``isolated``
(every board alone) has none, ``collaborative`` (an educational region) has the first nine.
No rule anywhere asks which policy is active: the rules read the settings only.

All lever sizes (effects and costs) are parameters in :mod:`sim.model.parameters`.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from sim.model.matching import BoardRecruitment, RegionalPool

if TYPE_CHECKING:
    from sim.model.model import RegionModel
    from sim.model.parameters import Parameters


class PolicyError(ValueError):
    """An unknown policy or lever name."""


@dataclass
class Mechanisms:
    """The switches and sizes of the mechanisms that levers act on; the rules read these.

    Built from the parameters with every lever off (the isolated region), then each active
    lever applies itself.
    """

    matching: object
    search: object = None
    poaching: bool = True
    shared_appointments: bool = False
    induction_for_all: bool = False
    joint_side_entrant_programme: bool = False
    side_entrant_extra_places: float = 0.0
    internship_pool: bool = False
    training_choice_rr: float = 1.0
    dual_qualification_rate: float = 0.0
    slow_finisher_graduation_rr: float = 1.0
    unqualified_cap_share: float = 0.0

    @classmethod
    def isolated(cls, p: Parameters) -> Mechanisms:
        """Settings with every lever off: every board recruits alone (``matching``); teachers
        who look for another school always search board by board (``search``)."""
        boards = BoardRecruitment(
            p.hiring_rounds,
            p.applications_per_round,
            p.match_fte_tolerance,
            p.first_degree_upper_year_weight,
        )
        return cls(
            matching=boards,
            search=boards,
            unqualified_cap_share=p.unqualified_cap_share,
        )


@dataclass(frozen=True)
class LeverCost:
    """A lever's cost in one year."""

    fte: float = 0.0
    eur: float = 0.0


class Lever:
    """One policy lever. Subclasses set ``name``, ``mechanism``, ``effect`` and implement
    :meth:`apply` and :meth:`yearly_cost`."""

    name: ClassVar[str]
    mechanism: ClassVar[str]
    effect: ClassVar[str]

    def apply(self, mech: Mechanisms, p: Parameters) -> None:
        """Switch the lever's mechanism on."""
        raise NotImplementedError

    def yearly_cost(self, model: RegionModel) -> LeverCost:
        """What the lever cost this year (from the model's counts of the year)."""
        raise NotImplementedError

    @staticmethod
    def _fte(model: RegionModel, fte: float, extra_eur: float = 0.0) -> LeverCost:
        return LeverCost(fte=fte, eur=fte * model.p.staff_cost_eur_per_fte + extra_eur)


class RegionalMatching(Lever):
    name = "regional_matching"
    mechanism = "labour market"
    effect = (
        "One regional vacancy pool for all boards places every job seeker at the fitting "
        "vacancy where the relative need is largest, instead of each board recruiting alone "
        "with the attractive ones asked first."
    )

    def apply(self, mech, p):
        mech.matching = RegionalPool(p.match_fte_tolerance)

    def yearly_cost(self, model):
        return self._fte(model, model.p.pool_coordination_fte)


class NoPoaching(Lever):
    name = "no_poaching"
    mechanism = "mobility between schools"
    effect = (
        "Boards do not hire each other's teachers away: a teacher who looks for another "
        "school is only released where their own school has surplus in their subject "
        "(moves within a board are the board's own, in the vacancies stage)."
    )

    def apply(self, mech, p):
        mech.poaching = False

    def yearly_cost(self, model):
        return self._fte(model, model.p.no_poaching_coordination_fte)


class SharedAppointments(Lever):
    name = "shared_appointments"
    mechanism = "vacancies"
    effect = (
        "A teacher with surplus hours at one school takes part of an appointment at a "
        "school of another board within reach that has a vacancy in the same subject group; "
        "each shared appointment loses some time to travel."
    )

    def apply(self, mech, p):
        mech.shared_appointments = True

    def yearly_cost(self, model):
        n = model.year_counts.get("shared_appointments", 0)
        return self._fte(
            model,
            n * model.p.shared_appointment_travel_fte,
            n * model.p.shared_appointment_admin_eur,
        )


class JointInduction(Lever):
    name = "joint_induction"
    mechanism = "exits (starter hazard)"
    effect = (
        "Every starter and side-entrant gets induction (mentor, lower starter exit "
        "hazard), not only those at boards that run their own."
    )

    def apply(self, mech, p):
        mech.induction_for_all = True

    def yearly_cost(self, model):
        n = model.year_counts.get("inducted_by_region", 0)
        p = model.p
        return self._fte(
            model, p.joint_induction_coordination_fte + n * p.induction_mentor_fte_per_starter
        )


class JointSideEntrantProgramme(Lever):
    name = "joint_side_entrant_programme"
    mechanism = "side-entrant placement and progress"
    effect = (
        "A regional side-entrant programme: extra mentor places shared by all schools, "
        "side-entrants placed at any school with a vacancy, and every side-entrant "
        "supported (lower dropout)."
    )

    def apply(self, mech, p):
        mech.joint_side_entrant_programme = True
        mech.side_entrant_extra_places = p.joint_side_entrant_extra_places_per_10_schools

    def yearly_cost(self, model):
        n = model.year_counts.get("side_entrants_in_programme", 0)
        return self._fte(model, 0.0, n * model.p.joint_side_entrant_cost_eur)


class InternshipPool(Lever):
    name = "internship_pool"
    mechanism = "internship placement"
    effect = (
        "Internship places of all training schools form one regional pool open to every "
        "programme, so fewer students intern outside the region and more graduates stay."
    )

    def apply(self, mech, p):
        mech.internship_pool = True

    def yearly_cost(self, model):
        return self._fte(model, model.p.internship_pool_coordination_fte)


class Outreach(Lever):
    name = "outreach"
    mechanism = "training intake"
    effect = (
        "Outreach to upper-secondary pupils and guest teachers raise the share of exam "
        "pupils who choose teacher training."
    )

    def apply(self, mech, p):
        mech.training_choice_rr = p.outreach_choice_rr

    def yearly_cost(self, model):
        return self._fte(model, model.p.outreach_fte_per_school * len(model.schools))


class DualQualification(Lever):
    name = "dual_qualification"
    mechanism = "qualification of staff"
    effect = (
        "Teachers take a second-subject qualification in the subject group with the "
        "largest regional shortage; while on the course they study part of their time."
    )

    def apply(self, mech, p):
        mech.dual_qualification_rate = p.dual_qualification_rate

    def yearly_cost(self, model):
        n = model.year_counts.get("on_dual_course", 0)
        p = model.p
        return self._fte(
            model, n * p.dual_qualification_study_fte, n * p.dual_qualification_cost_eur
        )


class SlowFinisherHelp(Lever):
    name = "slow_finisher_help"
    mechanism = "student graduation"
    effect = "Coaching for students past their nominal duration raises their graduation rate."

    def apply(self, mech, p):
        mech.slow_finisher_graduation_rr = p.slow_finisher_graduation_rr

    def yearly_cost(self, model):
        n = model.year_counts.get("slow_finishers_helped", 0)
        return self._fte(model, 0.0, n * model.p.slow_finisher_cost_eur)


class QualificationExperiment(Lever):
    name = "qualification_experiment"
    mechanism = "stop-gaps"
    effect = (
        "Room to experiment with qualifications: a higher cap on teaching by staff "
        "without the required qualification. Open shortage turns into hidden shortage."
    )

    def apply(self, mech, p):
        mech.unqualified_cap_share = max(
            p.unqualified_cap_share, p.experiment_unqualified_cap_share
        )

    def yearly_cost(self, model):
        return LeverCost()


LEVERS: dict[str, type[Lever]] = {
    cls.name: cls
    for cls in (
        RegionalMatching,
        NoPoaching,
        SharedAppointments,
        JointInduction,
        JointSideEntrantProgramme,
        InternshipPool,
        Outreach,
        DualQualification,
        SlowFinisherHelp,
        QualificationExperiment,
    )
}
"""Every lever, by name, in the order of the issue list."""

PRESETS: dict[str, tuple[str, ...]] = {
    "isolated": (),
    "collaborative": tuple(n for n in LEVERS if n != "qualification_experiment"),
}
"""Named policies: the levers each switches on."""


@dataclass(frozen=True)
class Policy:
    """A named set of levers."""

    name: str
    levers: tuple[Lever, ...] = field(default_factory=tuple)

    @property
    def lever_names(self) -> tuple[str, ...]:
        return tuple(lv.name for lv in self.levers)

    def mechanisms(self, p: Parameters) -> Mechanisms:
        """The mechanism settings with this policy's levers applied."""
        mech = Mechanisms.isolated(p)
        for lever in self.levers:
            lever.apply(mech, p)
        return mech

    @classmethod
    def parse(cls, spec: str | list[str] | tuple[str, ...] | Policy) -> Policy:
        """Build a policy from a preset name, a list of lever names, or an expression such as
        ``"isolated+joint_induction"`` or ``"collaborative-no_poaching"``.

        Raises:
            PolicyError: naming the unknown preset or lever and listing what is allowed.
        """
        if isinstance(spec, Policy):
            return spec
        if isinstance(spec, list | tuple):
            names = [_lever_name(s) for s in spec]
            return cls("+".join(names) or "isolated", tuple(LEVERS[n]() for n in names))
        if not isinstance(spec, str):
            raise PolicyError(f"policy must be a name or a list of lever names, got {spec!r}")
        text = spec.strip()
        tokens = [t for t in _split(text)]
        base, rest = tokens[0], tokens[1:]
        if base[1] not in PRESETS:
            if base[1] in LEVERS:
                names = [base[1]]
            else:
                raise PolicyError(_unknown("policy", base[1], list(PRESETS) + list(LEVERS)))
        else:
            names = list(PRESETS[base[1]])
        for sign, name in rest:
            name = _lever_name(name)
            if sign == "+" and name not in names:
                names.append(name)
            elif sign == "-" and name in names:
                names.remove(name)
        ordered = [n for n in LEVERS if n in names]
        return cls(text, tuple(LEVERS[n]() for n in ordered))


def _split(text: str) -> list[tuple[str, str]]:
    out, sign, cur = [], "+", ""
    for ch in text:
        if ch in "+-" and cur:
            out.append((sign, cur.strip()))
            sign, cur = ch, ""
        else:
            cur += ch
    out.append((sign, cur.strip()))
    return out


def _lever_name(name: str) -> str:
    if name not in LEVERS:
        raise PolicyError(_unknown("lever", name, list(LEVERS)))
    return name


def _unknown(kind: str, name: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(name, allowed, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown {kind} {name!r}{hint}; allowed: {', '.join(allowed)}"
