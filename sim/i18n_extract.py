"""The messages that need a translation: extracted from the code with Babel, plus the labels
the view takes from the parameter object and the levers (their docs and effects).

``python scripts/update_catalogs.py`` merges them into the catalogs; ``tests/test_i18n.py``
fails when one has no Dutch translation.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("sim", "experiments")
KEYWORDS = {"_": None, "N_": None, "n_": (1, 2), "heading": None, "Report": None}
"""``t._("...")``, ``N_("...")`` (marked for later), ``t.n_(singular, plural, n)``, and the
literal titles and headings of the study reports (``Report("...")``, ``rep.heading("...")``),
which :class:`sim.batch.report.Report` translates itself."""


def dynamic_messages() -> dict[str, str]:
    """Labels the view shows that are not literals in the view's code, by where they come from."""
    from sim.model.parameters import Parameters
    from sim.model.policies import LEVERS
    from sim.view.components import TUNED, lever_title

    infos = Parameters.info()
    out = {infos[name].doc.rstrip("."): f"parameter {name}" for name in TUNED}
    from sim.plots.plotting import HIRE_SOURCES

    out.update({label: f"hire source {col}" for col, label in HIRE_SOURCES.items()})
    for name, lever in LEVERS.items():
        out[lever_title(name)] = f"lever {name}"
        out[lever.mechanism] = f"lever {name} mechanism"
        out[lever.effect] = f"lever {name} effect"
    return out


def extract(root: Path = ROOT) -> Catalog:
    """A template catalog of every message that needs a translation."""
    catalog = Catalog(project="teacher-supply-sim", charset="utf-8")
    for folder in SOURCES:
        for filename, lineno, message, comments, _ctx in extract_from_dir(
            root / folder,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=("TRANSLATORS:",),
        ):
            catalog.add(message, None, [(f"{folder}/{filename}", lineno)], auto_comments=comments)
    for message, where in dynamic_messages().items():
        catalog.add(message, None, [(where, 0)])
    return catalog


def untranslated(lang: str = "nl", template: Catalog | None = None) -> list[str]:
    """Messages of ``template`` (default: :func:`extract`) that the ``lang`` catalog does not
    translate, or translates with other ``{placeholders}`` than the message has."""
    import re

    from babel.messages.pofile import read_po

    from sim.i18n import BABEL_LOCALES, DOMAIN, LOCALE_DIR

    template = template if template is not None else extract()
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=BABEL_LOCALES[lang])
    fields = re.compile(r"\{(\w*)\}")
    problems = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        strings = found.string if found is not None else None
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = strings if isinstance(strings, tuple) else (strings,)
        if found is None or found.fuzzy or not all(strings):
            problems.append(f"no translation: {ids[0]!r}")
        elif any(set(fields.findall(s)) != set(fields.findall(ids[-1])) for s in strings):
            problems.append(f"placeholders differ: {ids[0]!r}")
    return problems
