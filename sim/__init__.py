"""Agent-based simulation of teacher supply in a Dutch secondary-education region."""

from sim.model import RegionModel
from sim.parameters import ParameterError, Parameters
from sim.policies import LEVERS, PRESETS, Policy, PolicyError
from sim.scenarios import ScenarioError, load_scenario

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
