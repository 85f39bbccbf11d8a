"""Agent-based simulation of teacher supply in a Dutch secondary-education region."""

from sim.model.model import RegionModel
from sim.model.parameters import ParameterError, Parameters
from sim.model.policies import LEVERS, PRESETS, Policy, PolicyError
from sim.model.scenarios import ScenarioError, load_scenario

__all__ = [
    "LEVERS",
    "PRESETS",
    "ParameterError",
    "Parameters",
    "Policy",
    "PolicyError",
    "RegionModel",
    "ScenarioError",
    "load_scenario",
]
