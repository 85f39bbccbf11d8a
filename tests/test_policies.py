import dataclasses

import pytest

from sim.model.matching import BoardRecruitment, RegionalPool
from sim.model.parameters import Parameters
from sim.model.policies import LEVERS, PRESETS, Mechanisms, Policy, PolicyError

P = Parameters.build()


def test_presets():
    assert Policy.parse("isolated").levers == ()
    collab = Policy.parse("collaborative")
    assert len(collab.levers) == 9
    assert "qualification_experiment" not in collab.lever_names
    assert set(PRESETS["collaborative"]) <= set(LEVERS)


@pytest.mark.parametrize(
    ("spec", "names"),
    [
        ("isolated+joint_induction", ("joint_induction",)),
        (
            "collaborative-no_poaching-outreach",
            tuple(n for n in PRESETS["collaborative"] if n not in ("no_poaching", "outreach")),
        ),
        (["outreach", "regional_matching"], ("regional_matching", "outreach")),
        ("shared_appointments", ("shared_appointments",)),
    ],
)
def test_expressions(spec, names):
    got = Policy.parse(spec).lever_names
    assert set(got) == set(names)


@pytest.mark.parametrize("spec", ["colaborative", "isolated+induction", ["outreach", "nope"], 3])
def test_unknown_names_are_refused(spec):
    with pytest.raises(PolicyError) as err:
        Policy.parse(spec)
    assert "allowed" in str(err.value) or "policy must be" in str(err.value)


def test_typo_gets_a_suggestion():
    with pytest.raises(PolicyError, match="did you mean 'collaborative'"):
        Policy.parse("colaborative")


def test_each_lever_switches_only_its_own_mechanism():
    base = Mechanisms.isolated(P)
    assert isinstance(base.matching, BoardRecruitment)
    changed_by = {}
    for name, cls in LEVERS.items():
        mech = Policy.parse([name]).mechanisms(P)
        diff = [
            f.name
            for f in dataclasses.fields(Mechanisms)
            if f.name not in ("matching", "search")
            and getattr(mech, f.name) != getattr(base, f.name)
        ]
        # teachers looking for another school search board by board under every policy
        assert isinstance(mech.search, BoardRecruitment)
        if not isinstance(mech.matching, BoardRecruitment):
            diff.append("matching")
        assert diff, f"{name} changes nothing"
        changed_by[name] = diff
        assert cls.effect and cls.mechanism
    assert changed_by["regional_matching"] == ["matching"]
    assert isinstance(Policy.parse(["regional_matching"]).mechanisms(P).matching, RegionalPool)
    assert changed_by["no_poaching"] == ["poaching"]
    assert changed_by["qualification_experiment"] == ["unqualified_cap_share"]
    # no two levers share a mechanism setting
    flat = [f for fields in changed_by.values() for f in fields if f != "side_entrant_extra_places"]
    assert len(flat) == len(set(flat))
