"""The region's layout: school sites from the scenario's schools table, or placed from its
municipalities when it has none.

The layout depends only on the scenario (its ``layout_seed``) and the region parameters, never on
the replication seed, so every run of a scenario shares one geography and paired comparisons
compare like with like.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.parameters import Parameters
from sim.model.scenarios import Scenario

KM_PER_DEG_LAT = 111.0
KM_PER_DEG_LON = 69.0  # at 52 degrees north (reference file)


@dataclass(frozen=True)
class SiteSpec:
    """One school site of the layout."""

    name: str
    municipality: str
    area: str
    board: int
    x_km: float
    y_km: float
    pupils: tuple[float, float, float]  # vmbo, havo, vwo
    training_school: bool
    own_induction: bool
    attractiveness_base: float
    partner_institute: str
    code: str = ""  # DUO location code (schools table), "" for a drawn site
    board_id: str = ""  # DUO board number (schools table), "" for a drawn site


@dataclass(frozen=True)
class Layout:
    """Sites and institute locations in km from the region's south-west corner."""

    sites: tuple[SiteSpec, ...]
    origin: tuple[float, float]  # lat, lon of (0, 0)

    def to_km(self, lat: float, lon: float) -> tuple[float, float]:
        """Convert latitude/longitude to the layout's km coordinates."""
        return ((lon - self.origin[1]) * KM_PER_DEG_LON, (lat - self.origin[0]) * KM_PER_DEG_LAT)


def _largest_remainder(weights: np.ndarray, total: int, minimum: int = 0) -> np.ndarray:
    """Split ``total`` over ``weights`` in whole numbers (each at least ``minimum`` if possible)."""
    base = np.full(weights.size, minimum if total >= minimum * weights.size else 0)
    rest = total - base.sum()
    share = weights / weights.sum() * rest
    out = base + np.floor(share).astype(int)
    left = total - out.sum()
    out[np.argsort(-(share - np.floor(share)))[:left]] += 1
    return out


def build_layout(scenario: Scenario, p: Parameters) -> Layout:
    """The sites of the scenario's schools table (:func:`table_layout`), or ``p.school_sites``
    sites drawn over its municipalities (:func:`drawn_layout`) when it has none."""
    if scenario.schools:
        return table_layout(scenario, p)
    return drawn_layout(scenario, p)


def _origin(lats: list[float], lons: list[float]) -> tuple[float, float]:
    return (min(lats) - 0.02, min(lons) - 0.03)


def _partner(
    rng: np.random.Generator, names: list[str], xy: np.ndarray, size: np.ndarray, x: float, y: float
) -> str:
    """A partner institute for internships: weight intake / (distance^2 + 25 km^2)."""
    if not names:
        return ""
    w = size / ((xy[:, 0] - x) ** 2 + (xy[:, 1] - y) ** 2 + 25.0)
    return names[int(rng.choice(len(names), p=w / w.sum()))]


def table_layout(scenario: Scenario, p: Parameters) -> Layout:
    """The sites of the scenario's schools table: their names, municipalities, boards (DUO
    board numbers, numbered 0.. in order of first appearance), coordinates and pupils by
    school type (pupils times the table's type shares).

    ``p.pupils_total`` scales every site's pupils in proportion (the table's own total is the
    scenario's default). ``p.school_sites`` below the table's rows keeps a subset drawn with the
    scenario's ``layout_seed`` (a small region for tests and quick looks; pupils still add up to
    ``pupils_total``); above them is an error. ``school_boards``, ``board_size_exponent`` and
    the type-mix parameters are not used: the table gives boards and mixes. Training-school
    and own-induction flags, attractiveness and the partner institute are drawn as for a drawn
    layout (DUO's files do not carry them).

    Raises:
        ParameterError: ``school_sites`` above the table's number of sites.
    """
    from sim.model.parameters import ParameterError

    rng = np.random.default_rng(scenario.layout_seed)
    rows = list(scenario.schools or ())
    if p.school_sites > len(rows):
        raise ParameterError(
            f"school_sites: value {p.school_sites} is not allowed with scenario "
            f"{scenario.name!r}, whose schools table ({scenario.schools_source}) has "
            f"{len(rows)} sites; allowed: 1 to {len(rows)} (fewer keeps a subset of its sites)"
        )
    if p.school_sites < len(rows):
        keep = np.sort(rng.choice(len(rows), size=p.school_sites, replace=False))
        rows = [rows[i] for i in keep]
    origin = _origin(
        [s.lat for s in rows] + [q.lat for q in scenario.programmes],
        [s.lon for s in rows] + [q.lon for q in scenario.programmes],
    )
    inst_names, inst_xy, inst_size = _institutes(scenario, origin)
    areas = {m.name: m.area for m in scenario.municipalities}
    scale = p.pupils_total / max(sum(s.pupils for s in rows), 1e-9)
    board_index: dict[str, int] = {}
    sites: list[SiteSpec] = []
    board_induction: dict[int, bool] = {}
    for s in rows:
        board = board_index.setdefault(s.board, len(board_index))
        x = (s.lon - origin[1]) * KM_PER_DEG_LON
        y = (s.lat - origin[0]) * KM_PER_DEG_LAT
        training = bool(rng.random() < p.training_school_share)
        induction = bool(rng.random() < p.own_induction_share)
        board_induction.setdefault(board, induction)  # the board's: its first site's draw
        sites.append(
            SiteSpec(
                name=s.name,
                municipality=s.municipality,
                area=s.area or areas.get(s.municipality, ""),
                board=board,
                x_km=float(x),
                y_km=float(y),
                pupils=tuple(float(s.pupils * scale * f) for f in s.shares),  # type: ignore[arg-type]
                training_school=training,
                own_induction=board_induction[board],
                attractiveness_base=float(rng.normal(0.0, p.attractiveness_site_sd)),
                partner_institute=_partner(rng, inst_names, inst_xy, inst_size, x, y),
                code=s.code,
                board_id=s.board,
            )
        )
    return Layout(sites=tuple(sites), origin=origin)


def drawn_layout(scenario: Scenario, p: Parameters) -> Layout:
    """Place ``p.school_sites`` sites over the municipalities by population.

    Sites are spread around the municipality centre (wider for larger towns), sized from the
    municipality's share of ``p.pupils_total``, given a school-type mix (vmbo share around
    ``p.share_vmbo_city`` in G4 municipalities, ``p.share_vmbo`` elsewhere), a board (neighbouring
    sites share boards, sizes skewed by ``p.board_size_exponent``), a training-school flag, the
    own-induction flag of its board, a fixed attractiveness (normal with sd
    ``p.attractiveness_site_sd``, 0 by default: schools then differ through their pupils and
    workload only) and a partner institute for internships (the nearer and larger, the likelier).
    """
    rng = np.random.default_rng(scenario.layout_seed)
    munis = scenario.municipalities
    lat0 = min([m.lat for m in munis] + [q.lat for q in scenario.programmes]) - 0.02
    lon0 = min([m.lon for m in munis] + [q.lon for q in scenario.programmes]) - 0.03
    layout_origin = (lat0, lon0)
    pop = np.array([m.population for m in munis], dtype=float)
    n_sites = _largest_remainder(pop, p.school_sites, minimum=1)
    pupils_muni = pop / pop.sum() * p.pupils_total

    inst_names, inst_xy, inst_size = _institutes(scenario, layout_origin)

    sites: list[SiteSpec] = []
    order = np.argsort(-pop, kind="stable")
    for mi in order:
        m = munis[mi]
        k = int(n_sites[mi])
        if k == 0:
            continue
        cx = (m.lon - lon0) * KM_PER_DEG_LON
        cy = (m.lat - lat0) * KM_PER_DEG_LAT
        spread = 1.0 + 3.0 * np.sqrt(m.population / 500_000)
        sizes = rng.dirichlet(np.full(k, 6.0)) * pupils_muni[mi]
        for j in range(k):
            x = float(cx + rng.normal(0, spread))
            y = float(cy + rng.normal(0, spread))
            # the pupil mix differs by place: G4 cities have more vmbo pupils (share_vmbo_city)
            mean_vmbo = p.share_vmbo_city if m.g4 else p.share_vmbo
            vmbo = min(max(float(rng.beta(2.0, 2.0) * 2 * mean_vmbo), 0.0), 1.0)
            vwo_share = min(max(float(rng.normal(p.share_vwo_of_havo_vwo, 0.15)), 0.0), 1.0)
            total = float(sizes[j])
            pupils = (
                total * vmbo,
                total * (1 - vmbo) * (1 - vwo_share),
                total * (1 - vmbo) * vwo_share,
            )
            d2 = (inst_xy[:, 0] - x) ** 2 + (inst_xy[:, 1] - y) ** 2 + 25.0
            w = inst_size / d2
            partner = (
                inst_names[int(rng.choice(len(inst_names), p=w / w.sum()))]
                if len(inst_names)
                else ""
            )
            sites.append(
                SiteSpec(
                    name=f"{m.name} {j + 1}",
                    municipality=m.name,
                    area=m.area,
                    board=0,
                    x_km=x,
                    y_km=y,
                    pupils=pupils,
                    training_school=bool(rng.random() < p.training_school_share),
                    own_induction=bool(rng.random() < p.own_induction_share),
                    attractiveness_base=float(rng.normal(0.0, p.attractiveness_site_sd)),
                    partner_institute=partner,
                )
            )
    boards = board_of_sites(len(sites), p.school_boards, p.board_size_exponent)
    # induction is the board's: every site runs the programme of its board (the draw of the
    # board's first site)
    board_induction = {}
    for s, b in zip(sites, boards, strict=True):
        board_induction.setdefault(int(b), s.own_induction)
    sites = [
        SiteSpec(**{**s.__dict__, "board": int(b), "own_induction": board_induction[int(b)]})
        for s, b in zip(sites, boards, strict=True)
    ]
    return Layout(sites=tuple(sites), origin=layout_origin)


def board_sizes(n_sites: int, n_boards: int, exponent: float) -> np.ndarray:
    """Sites per board, largest board first: in proportion to rank ** -exponent, each board at
    least one site while there are enough sites (largest remainder)."""
    n_boards = max(1, min(n_boards, n_sites)) if n_sites else 1
    rank = np.arange(1, n_boards + 1, dtype=float)
    return _largest_remainder(rank**-exponent, n_sites, minimum=1)


def board_of_sites(n_sites: int, n_boards: int, exponent: float) -> np.ndarray:
    """The board of each site: neighbouring sites (in layout order, the largest municipality
    first) share a board, the largest boards take the first sites."""
    sizes = board_sizes(n_sites, n_boards, exponent)
    return np.repeat(np.arange(sizes.size), sizes)[:n_sites]


def _institutes(scenario: Scenario, origin: tuple[float, float]):
    names: list[str] = []
    xy: list[tuple[float, float]] = []
    size: list[float] = []
    for prog in scenario.programmes:
        x = (prog.lon - origin[1]) * KM_PER_DEG_LON
        y = (prog.lat - origin[0]) * KM_PER_DEG_LAT
        if prog.institute in names:
            size[names.index(prog.institute)] += prog.outside_intake + 1.0
        else:
            names.append(prog.institute)
            xy.append((x, y))
            size.append(prog.outside_intake + 1.0)
    return names, np.array(xy, dtype=float).reshape(-1, 2), np.array(size, dtype=float)
