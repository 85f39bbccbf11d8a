"""Shared fixtures: small regions that run in a fraction of a second."""

from __future__ import annotations

import pytest

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
