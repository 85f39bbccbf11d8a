"""Parameter draws in batch designs: priors collapsed to their point value reproduce the
fixed-parameter run; the same design gives the same draws and results on every backend; the
draws are shared by the arms of a replication, nested with seeds, stored with each run and
each failure record, and kept on resume."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from sim.batch.runner import (
    Arm,
    Backend,
    Design,
    DesignError,
    RunSpec,
    Uncertainty,
    run_batch,
    run_one,
)
from sim.batch.storage import RunStore
from sim.model.parameters import Parameters

SMALL = {"pupils_total": 3000, "school_sites": 6, "school_boards": 3}
ARMS = (Arm("isolated", "isolated"), Arm("collaborative", "collaborative"))


def design(uncertainty: Uncertainty | None, replications: int = 4, **kw) -> Design:
    return Design("draws", ARMS, replications, 3, overrides=SMALL, uncertainty=uncertainty, **kw)


def read(batch):
    store = RunStore(batch.folder)
    return store.read("series"), store.read("schools")


def test_priors_collapsed_to_their_point_reproduce_the_fixed_run(tmp_path):
    fixed = run_batch(design(None), tmp_path / "fixed", Backend("inprocess"), progress=False)
    collapsed = design(Uncertainty(width=0.0, vary_layout=False))
    assert len(collapsed.drawn_names()) > 40  # every prior was drawn, onto its point
    point = collapsed.point_parameters()
    for values in collapsed.parameter_draws():
        assert all(values[n] == getattr(point, n) for n in values)
    batch = run_batch(collapsed, tmp_path / "collapsed", Backend("inprocess"), progress=False)
    for a, b in zip(read(fixed), read(batch), strict=True):
        pd.testing.assert_frame_equal(a, b)
    # and the draws do change the results when the priors are not collapsed
    wide = run_batch(design(Uncertainty()), tmp_path / "wide", Backend("inprocess"), progress=False)
    assert not read(wide)[0]["shortage_rate"].equals(read(fixed)[0]["shortage_rate"])


def test_draws_are_shared_by_arms_nested_with_seeds_and_inside_the_priors():
    d = design(Uncertainty(seeds_per_draw=2), replications=6)
    specs = d.run_specs()
    assert d.n_draws == 3
    by_rep: dict[int, set] = {}
    for s in specs:
        by_rep.setdefault(s.replication, set()).add((s.draw, s.layout_seed, s.drawn, s.seed))
    assert all(len(v) == 1 for v in by_rep.values())  # both arms: same draw and seed
    draws = [next(iter(by_rep[r]))[0] for r in range(6)]
    assert draws == [0, 0, 1, 1, 2, 2]
    layouts = {next(iter(by_rep[r]))[1] for r in range(6)}
    assert len(layouts) == 3  # the geography varies with the draw
    seeds = {next(iter(by_rep[r]))[3] for r in range(6)}
    assert len(seeds) == 6  # seeds still differ per replication
    info = Parameters.info()
    for values in d.parameter_draws():
        assert "pupils_total" not in values  # set by the design: not drawn
        for name, v in values.items():
            prior = info[name].prior
            if prior.shape == "dirichlet":
                assert abs(sum(v) - 1) < 1e-9 and all(0 <= x <= 1 for x in v)
            else:
                assert prior.low <= v <= prior.high, name
                assert isinstance(v, int) == info[name].integer


def test_latin_hypercube_puts_one_draw_in_each_stratum_of_a_uniform_prior():
    d = Design("lhs", ARMS, 20, 3, uncertainty=Uncertainty(names=("mover_search_rate",)))
    prior = Parameters.info()["mover_search_rate"].prior
    values = np.array([v["mover_search_rate"] for v in d.parameter_draws()])
    strata = np.floor((values - prior.low) / (prior.high - prior.low) * 20).astype(int)
    assert sorted(strata) == list(range(20))
    sobol = Design(
        "s", ARMS, 8, 3, uncertainty=Uncertainty(names=("mover_search_rate",), sampler="sobol")
    )
    assert len({v["mover_search_rate"] for v in sobol.parameter_draws()}) == 8
    # the same design draws the same values; another base seed other values
    assert d.parameter_draws() == d.parameter_draws()
    other = Design("lhs", ARMS, 20, 3, base_seed=7, uncertainty=d.uncertainty)
    assert other.parameter_draws() != d.parameter_draws()


def test_an_arm_override_wins_over_the_draw():
    arms = (Arm("low", "isolated", {"pupil_trend_per_year": -0.01}), Arm("mid", "isolated"))
    d = Design("o", arms, 3, 2, overrides=SMALL, uncertainty=Uncertainty())
    assert "pupil_trend_per_year" not in d.drawn_names()
    names = Design("o", ARMS, 3, 2, overrides=SMALL, uncertainty=Uncertainty()).drawn_names()
    assert "pupil_trend_per_year" in names


@pytest.mark.parametrize(
    ("u", "named"),
    [
        (Uncertainty(names=("mover_serch_rate",)), "mover_serch_rate"),
        (Uncertainty(names=("feedbacks",)), "no prior"),
        (Uncertainty(sampler="random"), "sampler"),
        (Uncertainty(seeds_per_draw=0), "seeds_per_draw"),
        (Uncertainty(width=1.5), "width"),
    ],
)
def test_bad_uncertainty_fails_before_any_run(tmp_path, u, named):
    with pytest.raises(DesignError, match=named):
        run_batch(design(u), tmp_path, Backend("inprocess"))
    assert list(tmp_path.iterdir()) == []


@pytest.fixture(scope="module")
def drawn_reference(tmp_path_factory):
    root = tmp_path_factory.mktemp("drawn")
    batch = run_batch(
        design(Uncertainty(seeds_per_draw=2)), root, Backend("inprocess"), progress=False
    )
    return batch, read(batch)


@pytest.mark.parametrize(
    "backend",
    [Backend("processes", workers=2), Backend("dask", workers=2)],
    ids=["processes", "dask"],
)
def test_same_draws_and_results_on_every_backend(tmp_path, drawn_reference, backend):
    ref_batch, ref = drawn_reference
    batch = run_batch(design(Uncertainty(seeds_per_draw=2)), tmp_path, backend, progress=False)
    assert batch.finished == 8 and not batch.failed
    for a, b in zip(read(batch), ref, strict=True):
        pd.testing.assert_frame_equal(a, b)
    assert (batch.folder / "draws.csv").read_text() == (ref_batch.folder / "draws.csv").read_text()


def test_drawn_values_are_stored_with_each_run(drawn_reference):
    batch, _ = drawn_reference
    import pyarrow.parquet as pq

    path = RunStore(batch.folder).path("series", 5)
    spec = json.loads(pq.read_schema(path).metadata[b"sim.run_spec"])
    expected = next(s for s in batch.design.run_specs() if s.run_id == 5)
    assert spec["draw"] == expected.draw == 1 and spec["layout_seed"] == expected.layout_seed
    assert spec["drawn"]["mover_search_rate"] == dict(expected.drawn)["mover_search_rate"]
    table = pd.read_csv(batch.folder / "draws.csv")
    assert list(table["draw"]) == [0, 0, 1, 1]
    assert table.loc[2, "mover_search_rate"] == pytest.approx(spec["drawn"]["mover_search_rate"])
    manifest = json.loads((batch.folder / "manifest.json").read_text())
    assert manifest["design"]["uncertainty"]["seeds_per_draw"] == 2


def fail_draw_one(spec: RunSpec):
    if spec.draw == 1 and spec.arm == "collaborative":
        raise ArithmeticError("draw one fails in the test")
    return run_one(spec)


def test_failure_records_name_the_draw_and_resume_gives_identical_results(
    tmp_path, drawn_reference
):
    d = design(Uncertainty(seeds_per_draw=2))
    first = run_batch(d, tmp_path, Backend("inprocess"), progress=False, run_function=fail_draw_one)
    assert len(first.failed) == 2
    assert {f["spec"]["draw"] for f in first.failed} == {1}
    assert all("drawn" in f["spec"] for f in first.failed)
    again = run_batch(d, tmp_path, Backend("inprocess"), progress=False)
    assert (again.ran, again.finished, again.failed) == (2, 8, [])
    for a, b in zip(read(again), drawn_reference[1], strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_designs_without_uncertainty_keep_their_hash_and_specs():
    d = design(None)
    assert "uncertainty" not in d.to_dict()
    assert "draw" not in d.run_specs()[0].to_dict()
    u = design(Uncertainty(seeds_per_draw=2))
    assert Design.from_dict(json.loads(json.dumps(u.to_dict()))).digest() == u.digest()
    assert u.digest() != d.digest() and "draws" in u.default_name()
