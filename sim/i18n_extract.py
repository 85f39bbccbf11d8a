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
