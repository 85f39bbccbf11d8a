"""Reader of DUO's open-data files on secondary-school (VO) locations and their pupils.

DUO publishes (https://duo.nl/open_onderwijsdata/, "Voortgezet onderwijs"):

- ``02.-alle-vestigingen-vo.csv``: every VO location with its board (``BEVOEGD GEZAG NUMMER``),
  institution and location code, name, postcode, municipality, school types
  (``ONDERWIJSSTRUCTUUR``) and region codes (RPA area, COROP area, onderwijsgebied);
- ``03.-leerlingen-vo-per-vestiging-en-bestuur-(vavo-apart)-YYYY.csv``: pupils per location on
  1 October (``AANTAL LEERLINGEN``).

The files are read as DUO serves them, not a cleaned copy, and always by header name:

- separator ``;``; every field quoted, none, or some (the pupils file quotes all but the count);
- encoding detected: UTF-8 (with or without a byte-order mark) when the bytes decode strictly
  as UTF-8, otherwise cp1252 (what DUO serves), otherwise Latin-1;
- current and older headers: ``INSTELLINGSCODE``/``VESTIGINGSCODE`` and ``BRIN NUMMER``/
  ``VESTIGINGSNUMMER`` (see :data:`HEADER_ALIASES`);
- ``<5`` (counts of 1 to 4, suppressed since November 2023; staff files write ``*``): a
  :class:`Count` with ``suppressed=True``, never 0;
- a single space (or nothing) for an empty field;
- a location code of 6 characters (``21AB00``) or only its 2-digit suffix (``00``) with the
  institution code beside it (the pupils-by-school-type file): always returned as 6 characters.

Anything else (a missing column, a row with too many or too few fields, a count that is not a
count, a malformed code) raises :class:`DuoFileError` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

SEPARATOR = ";"

HEADER_ALIASES: dict[str, str] = {
    "BRIN NUMMER": "INSTELLINGSCODE",
    "BRINNUMMER": "INSTELLINGSCODE",
    "VESTIGINGSNUMMER": "VESTIGINGSCODE",
    "INSTELLINGSNAAM VESTIGING": "VESTIGINGSNAAM",
}
"""Older or file-specific header names and the current name they are read as."""

SUPPRESSED = ("<5", "*")
"""How DUO writes a suppressed small count (pupil files ``<5``: 1 to 4; staff files ``*``)."""

SCHOOL_TYPES_DUO: tuple[str, ...] = ("PRO", "VBO", "MAVO", "HAVO", "VWO", "BRUGJAAR")
"""The values of ``ONDERWIJSSTRUCTUUR`` (joined by ``/``)."""

INSTITUTION_CODE = re.compile(r"^[0-9]{2}[A-Z0-9]{2}$")
LOCATION_SUFFIX = re.compile(r"^[0-9]{2}$")
POSTCODE = re.compile(r"^([1-9][0-9]{3}) ?([A-Z]{2})?$")

LOCATION_COLUMNS: tuple[str, ...] = (
    "BEVOEGD GEZAG NUMMER",
    "INSTELLINGSCODE",
    "VESTIGINGSCODE",
    "VESTIGINGSNAAM",
    "POSTCODE",
    "GEMEENTENUMMER",
    "GEMEENTENAAM",
    "ONDERWIJSSTRUCTUUR",
)
"""Columns the locations (address) file must have; region-code columns are optional."""

REGION_COLUMNS: dict[str, tuple[str, str]] = {
    "rpa": ("RPA-GEBIED CODE", "RPA-GEBIED NAAM"),
    "corop": ("COROPGEBIED CODE", "COROPGEBIED NAAM"),
    "onderwijsgebied": ("ONDERWIJSGEBIED CODE", "ONDERWIJSGEBIED NAAM"),
}
"""Region codes an address file may carry: kind -> (code column, name column)."""

PUPIL_COLUMNS: tuple[str, ...] = (
    "INSTELLINGSCODE",
    "VESTIGINGSCODE",
    "AANTAL LEERLINGEN",
)
"""Columns the pupils file must have."""


class DuoFileError(ValueError):
    """A DUO file that cannot be read: names the file, the line and the column."""


@dataclass(frozen=True)
class Count:
    """A count from a DUO file: a number, or suppressed (DUO writes ``<5`` for 1 to 4).

    Attributes:
        value: The count; for a suppressed count the midpoint of what it can be (2.5 for 1-4).
        suppressed: True when DUO suppressed it.
        low: Smallest value it can be.
        high: Largest value it can be.
    """

    value: float
    suppressed: bool = False
    low: int = 0
    high: int = 0


@dataclass(frozen=True)
class DuoTable:
    """The rows of one DUO file, by current header name.

    Attributes:
        path: The file.
        encoding: The encoding it was read in.
        columns: Header names as read, after the aliases (in file order).
        rows: One dict per data row: current header name -> text (stripped; ``""`` when empty).
        lines: The file line of each row (1 is the header).
    """

    path: Path
    encoding: str
    columns: tuple[str, ...]
    rows: tuple[dict[str, str], ...]
    lines: tuple[int, ...]

    def where(self, i: int, column: str) -> str:
        """'file F, line L, column C' of row ``i``, for error messages."""
        return f"{self.path}, line {self.lines[i]}, column {column!r}"


def detect_encoding(data: bytes) -> str:
    """The encoding of a DUO file's bytes: ``utf-8-sig`` (with a byte-order mark), ``utf-8``
    when they decode strictly as UTF-8, else ``cp1252`` when they decode as that, else
    ``latin-1`` (which decodes any byte)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    for encoding in ("utf-8", "cp1252"):
        try:
            data.decode(encoding, errors="strict")
        except UnicodeDecodeError:
            continue
        return encoding
    return "latin-1"


def _header_name(raw: str) -> str:
    name = " ".join(raw.replace("\ufeff", "").strip().strip('"').upper().split())
    return HEADER_ALIASES.get(name, name)


def read_table(path: str | Path, required: tuple[str, ...] = ()) -> DuoTable:
    """Read a ``;``-separated DUO file by header name.

    Args:
        path: The file.
        required: Current header names that must be present (older aliases count).

    Raises:
        DuoFileError: unreadable file, another separator, a missing or repeated column, or a
            row with another number of fields than the header; naming file, line and column.
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DuoFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=SEPARATOR, quotechar='"')
    try:
        header = next(reader)
    except StopIteration:
        raise DuoFileError(f"{path}, line 1: the file is empty; expected a header row") from None
    if len(header) == 1 and ("," in header[0] or "\t" in header[0]):
        raise DuoFileError(
            f"{path}, line 1: the header has no ';' separator (found {header[0][:60]!r}); DUO's "
            "files are ';'-separated: pass the file as downloaded, not re-saved with ',' or tabs"
        )
    columns = tuple(_header_name(h) for h in header)
    seen: set[str] = set()
    for name in columns:
        if name in seen and name:
            raise DuoFileError(f"{path}, line 1, column {name!r}: the column appears twice")
        seen.add(name)
    missing = [c for c in required if c not in seen]
    if missing:
        old = {v: k for k, v in HEADER_ALIASES.items()}
        names = ", ".join(f"{c!r}" + (f" (or {old[c]!r})" if c in old else "") for c in missing)
        raise DuoFileError(
            f"{path}, line 1: missing column(s) {names}; the file has {list(columns)}"
        )
    rows: list[dict[str, str]] = []
    lines: list[int] = []
    try:
        for fields in reader:
            if not fields or all(not f.strip() for f in fields):
                continue  # blank line (e.g. a trailing newline pair)
            if len(fields) != len(columns):
                raise DuoFileError(
                    f"{path}, line {reader.line_num}: {len(fields)} fields where the header has "
                    f"{len(columns)}; fields must be separated by ';' (a ';' inside a name needs "
                    "quotes)"
                )
            rows.append({c: f.strip() for c, f in zip(columns, fields, strict=True)})
            lines.append(reader.line_num)
    except csv.Error as exc:
        raise DuoFileError(f"{path}, line {reader.line_num}: {exc}") from None
    return DuoTable(path, encoding, columns, tuple(rows), tuple(lines))


def parse_count(text: str, where: str) -> Count | None:
    """A count field: a whole number, a suppressed count (``<5``: 1-4; ``*``), or empty (None).

    Raises:
        DuoFileError: anything else, naming ``where`` (file, line, column).
    """
    text = text.strip()
    if not text:
        return None
    if text in SUPPRESSED:
        return Count(value=2.5, suppressed=True, low=1, high=4)
    digits = text.replace(".", "") if re.fullmatch(r"\d{1,3}(\.\d{3})+", text) else text
    if not digits.isdigit():
        raise DuoFileError(
            f"{where}: value {text!r} is not a count; allowed: a whole number >= 0, '<5' "
            "(suppressed 1-4) or an empty field"
        )
    n = int(digits)
    return Count(value=float(n), low=n, high=n)


def location_code(institution: str, location: str, where: str) -> str:
    """The 6-character location code (``21AB00``) from the institution code and a location
    code of 6 characters or only its 2-digit suffix.

    Raises:
        DuoFileError: a code of another shape, or a 6-character code of another institution.
    """
    inst = institution.strip().upper()
    loc = location.strip().upper()
    if not INSTITUTION_CODE.match(inst):
        raise DuoFileError(
            f"{where}: institution code {institution!r} is not allowed; allowed: 4 characters, "
            "2 digits then 2 letters or digits (e.g. '21AB')"
        )
    if LOCATION_SUFFIX.match(loc):
        return inst + loc
    if len(loc) == 6 and LOCATION_SUFFIX.match(loc[4:]):
        if loc[:4] != inst:
            raise DuoFileError(
                f"{where}: location code {location!r} does not belong to institution {inst!r}"
            )
        return loc
    raise DuoFileError(
        f"{where}: location code {location!r} is not allowed; allowed: 6 characters (e.g. "
        "'21AB00') or the 2-digit suffix ('00')"
    )


@dataclass(frozen=True)
class Location:
    """One VO location of DUO's address file."""

    code: str
    institution: str
    board: str
    name: str
    postcode: str
    municipality_code: str
    municipality: str
    school_types: tuple[str, ...]
    regions: dict[str, tuple[str, str]]  # kind -> (code, name), kinds the file carries
    line: int


def _municipality_code(text: str, where: str) -> str:
    digits = text.strip()
    if not digits.isdigit() or len(digits) > 4:
        raise DuoFileError(
            f"{where}: municipality number {text!r} is not allowed; allowed: up to 4 digits "
            "(CBS code, e.g. '0599')"
        )
    return digits.zfill(4)


def read_locations(path: str | Path) -> list[Location]:
    """Read DUO's address file of VO locations (``02.-alle-vestigingen-vo.csv``).

    Raises:
        DuoFileError: see :func:`read_table`; also an unknown school type, a malformed
            postcode, code or municipality number, or a location listed twice.
    """
    table = read_table(path, LOCATION_COLUMNS)
    kinds = {k: cols for k, cols in REGION_COLUMNS.items() if cols[0] in table.columns}
    out: list[Location] = []
    seen: dict[str, int] = {}
    for i, row in enumerate(table.rows):
        code = location_code(
            row["INSTELLINGSCODE"], row["VESTIGINGSCODE"], table.where(i, "VESTIGINGSCODE")
        )
        if code in seen:
            raise DuoFileError(
                f"{table.where(i, 'VESTIGINGSCODE')}: location {code} is listed twice (first on "
                f"line {seen[code]})"
            )
        seen[code] = table.lines[i]
        board = row["BEVOEGD GEZAG NUMMER"]
        if not board.isdigit():
            raise DuoFileError(
                f"{table.where(i, 'BEVOEGD GEZAG NUMMER')}: board number {board!r} is not "
                "allowed; allowed: digits (DUO's board number, e.g. '41434')"
            )
        postcode = row["POSTCODE"].upper()
        if not POSTCODE.match(postcode):
            raise DuoFileError(
                f"{table.where(i, 'POSTCODE')}: postcode {row['POSTCODE']!r} is not allowed; "
                "allowed: 4 digits, optionally a space and 2 letters (e.g. '3011 AB')"
            )
        structure = row["ONDERWIJSSTRUCTUUR"].upper()
        types = tuple(t.strip() for t in structure.split("/") if t.strip())
        bad = [t for t in types if t not in SCHOOL_TYPES_DUO]
        if bad or not types:
            raise DuoFileError(
                f"{table.where(i, 'ONDERWIJSSTRUCTUUR')}: value {row['ONDERWIJSSTRUCTUUR']!r} is "
                f"not allowed; allowed: a '/'-joined list of {list(SCHOOL_TYPES_DUO)}"
            )
        regions = {
            k: (row[c].strip(), row[n].strip() if n in row else "") for k, (c, n) in kinds.items()
        }
        out.append(
            Location(
                code=code,
                institution=code[:4],
                board=board,
                name=row["VESTIGINGSNAAM"],
                postcode=postcode,
                municipality_code=_municipality_code(
                    row["GEMEENTENUMMER"], table.where(i, "GEMEENTENUMMER")
                ),
                municipality=row["GEMEENTENAAM"],
                school_types=types,
                regions=regions,
                line=table.lines[i],
            )
        )
    return out


@dataclass(frozen=True)
class LocationPupils:
    """Pupils of one location on 1 October (DUO's pupils file)."""

    code: str
    pupils: Count
    municipality_code: str
    municipality: str
    name: str
    line: int


def read_pupils(path: str | Path) -> list[LocationPupils]:
    """Read DUO's pupils per location (``03.-leerlingen-vo-per-vestiging-en-bestuur-...csv``).

    Rows of one location are summed (a suppressed count adds its midpoint and marks the sum
    suppressed). An empty count is an error: DUO writes 0 or ``<5``.

    Raises:
        DuoFileError: see :func:`read_table`; also a count that is not a count.
    """
    table = read_table(path, PUPIL_COLUMNS)
    by_code: dict[str, LocationPupils] = {}
    for i, row in enumerate(table.rows):
        code = location_code(
            row["INSTELLINGSCODE"], row["VESTIGINGSCODE"], table.where(i, "VESTIGINGSCODE")
        )
        where = table.where(i, "AANTAL LEERLINGEN")
        count = parse_count(row["AANTAL LEERLINGEN"], where)
        if count is None:
            raise DuoFileError(f"{where}: the count is empty; allowed: a whole number >= 0 or '<5'")
        muni = row.get("GEMEENTENUMMER", "")
        entry = LocationPupils(
            code=code,
            pupils=count,
            municipality_code=(
                _municipality_code(muni, table.where(i, "GEMEENTENUMMER")) if muni else ""
            ),
            municipality=row.get("GEMEENTENAAM", ""),
            name=row.get("VESTIGINGSNAAM", ""),
            line=table.lines[i],
        )
        if code in by_code:
            old = by_code[code]
            entry = LocationPupils(
                code=code,
                pupils=Count(
                    value=old.pupils.value + count.value,
                    suppressed=old.pupils.suppressed or count.suppressed,
                    low=old.pupils.low + count.low,
                    high=old.pupils.high + count.high,
                ),
                municipality_code=old.municipality_code,
                municipality=old.municipality,
                name=old.name,
                line=old.line,
            )
        by_code[code] = entry
    return list(by_code.values())
