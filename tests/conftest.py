"""Shared fixtures: small regions that run in a fraction of a second."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from sim.model.model import RegionModel

SMALL = {"pupils_total": 15_000, "school_sites": 16, "school_boards": 4}
"""Overrides that shrink the default region to about 1,200 teachers."""


def run_model(policy: str = "isolated", years: int = 6, rng: int = 1, **overrides) -> RegionModel:
    """Build and run a model of the small region."""
    model = RegionModel(policy=policy, rng=rng, **{**SMALL, **overrides})
    model.run_for(years)
    return model


@pytest.fixture(scope="session")
def small_run() -> RegionModel:
    """The small region under isolated policy after six years."""
    return run_model()


# Hypothesis profiles. "ci" (the default) keeps the property tests of whole model runs to about a
# minute; "long" explores many more parameter sets on demand:
#   pytest tests/test_properties.py --hypothesis-profile=long
# (or HYPOTHESIS_PROFILE=long). Tests that set max_examples themselves keep their own count.
# "ci" draws the same examples on every run (derandomize), so CI fails only on a change of the
# code; "long" draws new ones each time.
settings.register_profile(
    "ci", max_examples=150, deadline=None, print_blob=True, derandomize=True, database=None
)
settings.register_profile("long", max_examples=2000, deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
