"""Build a region scenario from DUO's files: a schools table and a scenario TOML beside it.

A region is a selection of municipalities (by name or CBS number) and/or region codes the
address file carries (RPA area, COROP area, onderwijsgebied). Its school sites are the selected
locations with pupils on 1 October:

- **coordinates**: the 4-digit postcode's mean address point (``data/pc4-latlon.json``, BAG via
  a public MIT-licensed table); locations sharing a postcode are spread on a circle of
  :data:`SPREAD_KM` around it in location-code order (deterministic); a postcode missing from
  the table takes the mean of the municipality's other sites;
- **school types**: ``ONDERWIJSSTRUCTUUR`` mapped by :data:`TYPE_MAP` (PRO, VBO, MAVO -> vmbo;
  HAVO -> havo; VWO -> vwo), each listed DUO type an equal share of the site's pupils [E]
  (DUO's address file names the types a location offers, not its pupils per type);
  ``BRUGJAAR`` (a location for the first, bridge years only) takes the types of the
  institution's other locations, or all three when it has none;
- **boards**: ``BEVOEGD GEZAG NUMMER``;
- **pupils**: ``AANTAL LEERLINGEN`` of the pupils file (a suppressed ``<5`` counts as 2.5, the
  midpoint of 1-4); pupils placed at adult education (VAVO) are taught there and not added.

The scenario's training programmes, pupil projection and parameters come from a template
scenario (default ``rijnmond``); the builder writes the selection's municipalities and the
schools table. :func:`build_region` returns the sites and notes; :func:`write_scenario`
writes the two files.
"""

from __future__ import annotations

import csv
import difflib
import json
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from sim.model.scenarios import SCHOOLS_COLUMNS, load_scenario
from sim.regions.duo import (
    REGION_COLUMNS,
    DuoFileError,
    Location,
    read_locations,
    read_pupils,
)

PC4_TABLE = Path(__file__).parent / "data" / "pc4-latlon.json"
"""4-digit postcode -> [lat, lon], mean of the postcode's BAG addresses (MIT, see LICENSE)."""

SPREAD_KM = 0.3
"""Radius of the circle on which locations sharing a postcode are placed (km); a postcode
area is about 1-3 km across, so sites stay inside it."""

TYPE_MAP: dict[str, str] = {
    "PRO": "vmbo",
    "VBO": "vmbo",
    "MAVO": "vmbo",
    "HAVO": "havo",
    "VWO": "vwo",
}
"""DUO school type -> the model's school type. PRO (praktijkonderwijs) and VBO/MAVO are taught
by second-degree teachers in every year, as vmbo is in the model; HAVO and VWO have
first-degree upper years."""

G4_CODES: frozenset[str] = frozenset({"0363", "0599", "0518", "0344"})
"""CBS numbers of the four big cities (Amsterdam, Rotterdam, 's-Gravenhage, Utrecht): their
sites follow the scenario's city pupil path."""

MUNICIPALITY_ALIASES: dict[str, str] = {"denhaag": "sgravenhage", "thehague": "sgravenhage"}
"""Common names of municipalities DUO writes otherwise (after :func:`_key`)."""

KM_PER_DEG_LAT = 111.0
KM_PER_DEG_LON = 69.0  # at 52 degrees north, as the core's layout


class RegionBuildError(ValueError):
    """A selection or input that cannot make a region: names what and what is allowed."""


@dataclass(frozen=True)
class Site:
    """One school site of a built region (a row of the schools table)."""

    code: str
    name: str
    board: str
    municipality_code: str
    municipality: str
    area: str
    postcode: str
    lat: float
    lon: float
    pupils: float
    pupils_suppressed: bool
    school_types: str
    shares: tuple[float, float, float]  # vmbo, havo, vwo


@dataclass
class Region:
    """A built region: its sites and what the build left out or assumed."""

    name: str
    sites: list[Site]
    municipalities: dict[str, str]  # CBS number -> name, in the selection
    notes: list[str] = field(default_factory=list)

    @property
    def pupils(self) -> float:
        """Pupils at the region's sites."""
        return sum(s.pupils for s in self.sites)

    @property
    def boards(self) -> list[str]:
        """The boards of the sites (DUO board numbers), sorted."""
        return sorted({s.board for s in self.sites}, key=int)


def _key(name: str) -> str:
    """A municipality name without case, spaces, apostrophes or hyphens."""
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return MUNICIPALITY_ALIASES.get(key, key)


def _display_name(upper: str) -> str:
    """Title case for DUO's UPPERCASE municipality names ('S GRAVENHAGE' -> "'s-Gravenhage")."""
    if upper.upper() == "S GRAVENHAGE":
        return "'s-Gravenhage"
    words = re.split(r"(\s+|-)", upper.lower())
    small = {"aan", "den", "de", "en", "op", "het", "van", "a/d"}
    out = [w if (w in small and i > 0) else w.capitalize() for i, w in enumerate(words)]
    return "".join(out).replace("Ijssel", "IJssel")


def load_pc4(path: str | Path = PC4_TABLE) -> dict[str, tuple[float, float]]:
    """The postcode table: PC4 -> (lat, lon)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise RegionBuildError(f"postcode table {path}: cannot be read ({exc})") from None
    return {str(k): (float(v[0]), float(v[1])) for k, v in data.items()}


def select(
    locations: list[Location],
    municipalities: list[str] = (),
    regions: list[str] = (),
) -> list[Location]:
    """The locations in the selection: municipalities by name or CBS number, and/or region codes
    as ``KIND=CODE`` or ``KIND=NAME`` (kinds: rpa, corop, onderwijsgebied, as the file carries).

    Raises:
        RegionBuildError: an empty selection, an unknown municipality (with close names), a kind
            the file does not carry, or a code no location has.
    """
    if not municipalities and not regions:
        raise RegionBuildError(
            "no selection: give --municipalities (names or CBS numbers) and/or --region "
            f"KIND=CODE (kinds: {list(REGION_COLUMNS)})"
        )
    by_code = {loc.municipality_code: loc.municipality for loc in locations}
    by_key = {_key(name): code for code, name in by_code.items()}
    chosen: set[str] = set()
    for m in municipalities:
        text = m.strip()
        if text.isdigit() and text.zfill(4) in by_code:
            chosen.add(text.zfill(4))
        elif _key(text) in by_key:
            chosen.add(by_key[_key(text)])
        else:
            names = sorted(_display_name(n) for n in by_code.values())
            close = difflib.get_close_matches(text, names, n=3)
            hint = f" (did you mean {', '.join(map(repr, close))}?)" if close else ""
            raise RegionBuildError(
                f"municipality {m!r} has no VO location in the address file{hint}; a "
                "municipality without a secondary school must be left out; allowed: a name or "
                f"CBS number of {', '.join(names)}"
            )
    keep = [loc for loc in locations if loc.municipality_code in chosen]
    for spec in regions:
        kind, sep, value = spec.partition("=")
        kind = kind.strip().lower()
        if not sep or kind not in REGION_COLUMNS:
            raise RegionBuildError(
                f"region {spec!r} is not allowed; allowed: KIND=CODE or KIND=NAME with KIND one "
                f"of {list(REGION_COLUMNS)}"
            )
        carried = [loc for loc in locations if kind in loc.regions]
        if not carried:
            raise RegionBuildError(
                f"region {spec!r}: the address file has no {REGION_COLUMNS[kind][0]!r} column"
            )
        value = value.strip()
        hit = [
            loc
            for loc in carried
            if loc.regions[kind][0].lstrip("0") == value.lstrip("0")
            or _key(loc.regions[kind][1]) == _key(value)
        ]
        if not hit:
            options = sorted({f"{c} ({n})" for loc in carried for c, n in [loc.regions[kind]]})
            raise RegionBuildError(
                f"region {spec!r}: no location has that {kind} code or name; allowed: "
                f"{', '.join(options)}"
            )
        keep.extend(h for h in hit if h not in keep)
    return sorted(keep, key=lambda loc: loc.code)


def type_shares(types: tuple[str, ...]) -> tuple[float, float, float]:
    """Shares of a site's pupils in vmbo, havo and vwo from its DUO school types: each listed
    type an equal share, mapped by :data:`TYPE_MAP` (BRUGJAAR is resolved before)."""
    mapped = [TYPE_MAP[t] for t in types if t in TYPE_MAP]
    if not mapped:
        return (1 / 3, 1 / 3, 1 / 3)
    return tuple(mapped.count(k) / len(mapped) for k in ("vmbo", "havo", "vwo"))  # type: ignore[return-value]


def build_region(
    name: str,
    locations_path: str | Path,
    pupils_path: str | Path,
    municipalities: list[str] = (),
    regions: list[str] = (),
    pc4_path: str | Path = PC4_TABLE,
) -> Region:
    """Build a region's sites from DUO's address and pupils files (see the module docstring).

    Raises:
        DuoFileError: a file that cannot be read (file, line, column).
        RegionBuildError: a bad selection, or a selection without pupils.
    """
    locations = read_locations(locations_path)
    pupils = {p.code: p for p in read_pupils(pupils_path)}
    chosen = select(locations, list(municipalities), list(regions))
    codes = {loc.municipality_code for loc in chosen}
    pc4 = load_pc4(pc4_path)
    notes: list[str] = []
    address = {loc.code: loc for loc in locations}

    # pupils of a location the address file lacks (renamed or moved since): placed at the
    # institution's first location in the same municipality, if it has one
    extra: list[tuple[Location, float, bool]] = []
    for code, row in sorted(pupils.items()):
        if code in address or row.municipality_code not in codes:
            continue
        twin = [loc for loc in chosen if loc.institution == code[:4]]
        twin = [t for t in twin if t.municipality_code == row.municipality_code] or twin
        if twin:
            extra.append((twin[0], row.pupils.value, row.pupils.suppressed))
            notes.append(
                f"pupils of {code} ({row.name}, {row.pupils.value:g}) are not in the address "
                f"file: added to {twin[0].code} of the same institution"
            )
        else:
            notes.append(
                f"pupils of {code} ({row.name}, {row.pupils.value:g}) are not in the address file "
                "and its institution has no other location there: left out"
            )
    added: dict[str, tuple[float, bool]] = {}
    for loc, n, sup in extra:
        old = added.get(loc.code, (0.0, False))
        added[loc.code] = (old[0] + n, old[1] or sup)

    institution_types: dict[str, set[str]] = {}
    for loc in locations:
        institution_types.setdefault(loc.institution, set()).update(
            t for t in loc.school_types if t != "BRUGJAAR"
        )

    rows: list[tuple[Location, float, bool, tuple[str, ...]]] = []
    no_pupils = []
    for loc in chosen:
        n = pupils[loc.code].pupils.value if loc.code in pupils else 0.0
        sup = pupils[loc.code].pupils.suppressed if loc.code in pupils else False
        if loc.code in added:
            n, sup = n + added[loc.code][0], sup or added[loc.code][1]
        if n <= 0:
            no_pupils.append(loc.code)
            continue
        types = tuple(t for t in loc.school_types if t != "BRUGJAAR")
        if "BRUGJAAR" in loc.school_types and not types:
            types = tuple(sorted(institution_types.get(loc.institution, set()))) or (
                "VBO",
                "HAVO",
                "VWO",
            )
        rows.append((loc, n, sup, types))
    if no_pupils:
        notes.append(
            f"{len(no_pupils)} selected location(s) have no pupils in the pupils file (opened "
            f"after 1 October, closed, or counted at another location): {', '.join(no_pupils)}"
        )
    if not rows:
        raise RegionBuildError(
            f"region {name!r}: no selected location has pupils in {pupils_path}; check that the "
            "pupils file covers the selected municipalities"
        )

    # coordinates: the postcode's point; locations sharing a postcode on a circle around it
    by_pc4: dict[str, list[int]] = {}
    for i, (loc, *_rest) in enumerate(rows):
        by_pc4.setdefault(loc.postcode[:4], []).append(i)
    coords: dict[int, tuple[float, float]] = {}
    missing = []
    for pc, members in by_pc4.items():
        if pc not in pc4:
            missing.extend(members)
            continue
        lat, lon = pc4[pc]
        k = len(members)
        for j, i in enumerate(sorted(members, key=lambda i: rows[i][0].code)):
            if k == 1:
                coords[i] = (lat, lon)
            else:
                angle = 2 * math.pi * j / k
                coords[i] = (
                    lat + SPREAD_KM * math.sin(angle) / KM_PER_DEG_LAT,
                    lon + SPREAD_KM * math.cos(angle) / KM_PER_DEG_LON,
                )
    for i in missing:
        loc = rows[i][0]
        near = [coords[j] for j in coords if rows[j][0].municipality_code == loc.municipality_code]
        if not near:
            raise RegionBuildError(
                f"{locations_path}, line {loc.line}, column 'POSTCODE': postcode {loc.postcode!r} "
                f"is not in the postcode table {pc4_path} and no other site of municipality "
                f"{loc.municipality!r} has coordinates"
            )
        coords[i] = (sum(c[0] for c in near) / len(near), sum(c[1] for c in near) / len(near))
        notes.append(
            f"postcode {loc.postcode} of {loc.code} is not in the postcode table: placed at the "
            "mean of its municipality's other sites"
        )

    names = {}
    for p in pupils.values():
        if p.municipality_code and p.municipality:
            names[p.municipality_code] = p.municipality
    sites = []
    for i, (loc, n, sup, types) in enumerate(rows):
        muni = names.get(loc.municipality_code) or _display_name(loc.municipality)
        area = next(
            (
                loc.regions[k][1]
                for k in ("rpa", "corop", "onderwijsgebied")
                if k in loc.regions and loc.regions[k][1]
            ),
            "",
        )
        sites.append(
            Site(
                code=loc.code,
                name=loc.name,
                board=loc.board,
                municipality_code=loc.municipality_code,
                municipality=muni,
                area=area,
                postcode=loc.postcode,
                lat=coords[i][0],
                lon=coords[i][1],
                pupils=n,
                pupils_suppressed=sup,
                school_types="/".join(loc.school_types),
                shares=type_shares(types),
            )
        )
    munis = {s.municipality_code: s.municipality for s in sites}
    return Region(name=name, sites=sites, municipalities=munis, notes=notes)


def write_schools_table(region: Region, path: str | Path) -> Path:
    """Write the region's schools table (CSV, one row per site, in location-code order)."""
    path = Path(path)
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(SCHOOLS_COLUMNS)
        for s in region.sites:
            out.writerow(
                [
                    s.code,
                    s.name,
                    s.board,
                    s.municipality_code,
                    s.municipality,
                    s.area,
                    s.postcode,
                    f"{s.lat:.5f}",
                    f"{s.lon:.5f}",
                    f"{s.pupils:g}",
                    "true" if s.pupils_suppressed else "false",
                    s.school_types,
                    *(f"{v:.4f}" for v in s.shares),
                ]
            )
    return path


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} to TOML")


INHABITANTS_PER_PUPIL = 18.0
"""Inhabitants per VO pupil [D]: about 17.9 million inhabitants (CBS, 2023) over about 1.0 million
VO pupils (the reference's national pupil count). DUO's files carry no population, and where
people live (homes and commuting) is drawn by municipal population; a built scenario estimates
each municipality's population as its pupils times this ratio and says so in a comment, for the
user to replace with CBS's figure."""

CALIBRATED = re.compile(r"^# >>> calibrated.*?^# <<< calibrated\n", re.M | re.S)


def municipality_entries(region: Region) -> str:
    """The ``[[municipalities]]`` tables of a region: name, area, the pupil-weighted centre of
    its sites, an estimated population (:data:`INHABITANTS_PER_PUPIL`) and the G4 flag."""
    blocks = []
    for code, name in sorted(region.municipalities.items(), key=lambda kv: kv[1]):
        sites = [s for s in region.sites if s.municipality_code == code]
        w = sum(s.pupils for s in sites)
        lat = sum(s.lat * s.pupils for s in sites) / w
        lon = sum(s.lon * s.pupils for s in sites) / w
        lines = [
            "[[municipalities]]",
            f"name = {_toml_value(name)}",
            f"area = {_toml_value(sites[0].area)}",
            f"lat = {lat:.4f}",
            f"lon = {lon:.4f}",
            f"population = {round(w * INHABITANTS_PER_PUPIL)}  # estimate: pupils x "
            f"{INHABITANTS_PER_PUPIL:g} [D]; replace with CBS's figure",
        ]
        if code in G4_CODES:
            lines.append("g4 = true")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def write_scenario(
    region: Region,
    out_dir: str | Path,
    template: str | Path = "rijnmond",
    command: str = "",
) -> tuple[Path, Path]:
    """Write ``<name>.toml`` and ``<name>-schools.csv`` into ``out_dir``.

    The scenario takes the template's parameters (its ``# >>> calibrated`` block verbatim, the
    rest as values), pupil projection, programmes (their outside intakes scaled by the ratio of
    the region's pupils to the template's) and notes; the region's own figures
    (``pupils_total``, ``school_sites``, ``school_boards``) come from the schools table when the
    scenario loads, so the template's are dropped.

    Returns:
        The paths of the TOML file and the schools table.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    template_path = load_scenario(template).source
    text = Path(template_path).read_text(encoding="utf-8")
    data = tomllib.loads(text)
    block = CALIBRATED.search(text)
    calibrated_keys: set[str] = set()
    if block:
        calibrated_keys = set(tomllib.loads(block.group(0)))
    table = write_schools_table(region, out_dir / f"{region.name}-schools.csv")
    dropped = {"pupils_total", "school_sites", "school_boards", "board_size_exponent"}
    params = {
        k: v
        for k, v in data.get("parameters", {}).items()
        if k not in dropped and k not in calibrated_keys
    }
    lines = [
        f"# {region.name}: built from DUO's open data by `python -m sim region build`.",
        f"# Command: {command}" if command else "# Command: see README, 'Your region'.",
        "# Schools (sites, boards, pupils, school types, coordinates): the table "
        f"{table.name} beside this file [S] (DUO), see sim/regions/build.py for the mapping.",
        f"# Parameters, pupil projection and training programmes: copied from the template "
        f"scenario {Path(template_path).name}; replace them with your region's where you know them.",
        "",
        "[scenario]",
        f"name = {_toml_value(region.name)}",
        "description = "
        + _toml_value(
            f"{region.name}: {len(region.sites)} school sites of {len(region.boards)} boards, "
            f"{region.pupils:,.0f} pupils (DUO), {len(region.municipalities)} municipalities."
        ),
        f"layout_seed = {int(data['scenario'].get('layout_seed', 2023))}",
        f"schools = {_toml_value(table.name)}",
        "",
        "[parameters]",
    ]
    lines += [f"{k} = {_toml_value(v)}" for k, v in params.items()]
    if block:
        lines.append(block.group(0).rstrip("\n"))
    lines.append("")
    projection = data.get("pupil_projection")
    if projection:
        lines.append("[pupil_projection]")
        if "notes" in projection:
            lines.append(f"notes = {_toml_value(projection['notes'])}")
        for path_name, path in projection.items():
            if path_name == "notes":
                continue
            lines.append(f"\n[pupil_projection.{path_name}]")
            lines += [f"{k} = {_toml_value(v)}" for k, v in path.items()]
        lines.append("")
    if data.get("notes"):
        lines.append("[notes]")
        lines += [f"{k} = {_toml_value(v)}" for k, v in data["notes"].items()]
        lines.append("")
    lines.append(municipality_entries(region))
    # the template's programmes serve the template's region: their outside intakes are scaled
    # by the ratio of pupils (school_leaver_share is a share of the region's own school leavers)
    factor = region.pupils / load_scenario(template).parameters().pupils_total
    lines.append(
        f"# Training programmes of the template {Path(template_path).name}, outside_intake times "
        f"{factor:.3f} (this region's pupils over the template's) [E]: replace them with the "
        "programmes that train for your region."
    )
    for prog in data.get("programmes", []):
        lines.append("[[programmes]]")
        for k, v in prog.items():
            if k == "outside_intake":
                v = round(float(v) * factor, 1)
            lines.append(f"{k} = {_toml_value(v)}")
        lines.append("")
    toml_path = out_dir / f"{region.name}.toml"
    toml_path.write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")
    return toml_path, table


__all__ = [
    "DuoFileError",
    "Region",
    "RegionBuildError",
    "Site",
    "build_region",
    "load_pc4",
    "select",
    "type_shares",
    "write_scenario",
    "write_schools_table",
]
