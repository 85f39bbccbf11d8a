"""Merge the messages of the code into the gettext catalogs (``sim/locale/*/LC_MESSAGES``).

Run after adding or changing a text: ``.venv/bin/python scripts/update_catalogs.py``. New
messages arrive in the Dutch catalog untranslated; ``tests/test_i18n.py`` fails until each has
its translation. No compile step: the catalogs are read as ``.po`` files at run time.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.i18n import BABEL_LOCALES, DOMAIN, LOCALE_DIR
from sim.i18n_extract import extract


def main() -> int:
    template = extract()
    for lang, locale in BABEL_LOCALES.items():
        path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        with path.open("rb") as f:
            catalog = read_po(f, locale=locale)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as f:
            write_po(f, catalog, width=100, omit_header=False, ignore_obsolete=True)
        missing = sum(1 for m in catalog if m.id and not m.string)
        print(f"{path}: {len(catalog)} messages, {missing} without translation")
    return 0


if __name__ == "__main__":
    sys.exit(main())
