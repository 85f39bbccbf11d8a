"""Dutch and English text: gettext catalogs read with Babel, and numbers in the reader's format.

The catalogs are plain ``.po`` files under ``sim/locale/<lang>/LC_MESSAGES/messages.po``; they are
read when first needed (no compile step, so a fresh clone works). English is the source language:
its catalog is empty and every text falls back to the message itself.

Usage::

    t = Translator("nl")
    t._("shortage")                      # "tekort"
    t.fte(1490.4)                        # "1.490 fte"
    t.pct(0.025)                         # "2,5%"

Texts defined before a language is known (labels in module constants) are marked with :func:`N_`
so that extraction finds them, and translated where they are shown with ``t._(label)``.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent
from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
LANGUAGES: dict[str, str] = {"en": "English", "nl": "Nederlands"}
"""The languages offered, with their names in their own language."""
BABEL_LOCALES = {"en": "en_GB", "nl": "nl_NL"}
"""Number formats: British English (1,490; 2.5%) and Dutch (1.490; 2,5%)."""


def N_(message: str) -> str:  # noqa: N802
    """Mark a text for extraction without translating it yet (gettext's ``N_``)."""
    return message


class LanguageError(ValueError):
    """An unknown language code."""


def check_language(lang: str) -> str:
    """``lang`` when it is offered, else a :class:`LanguageError` naming what is."""
    if lang not in LANGUAGES:
        raise LanguageError(
            f"language {lang!r} is not available; allowed: {', '.join(sorted(LANGUAGES))}"
        )
    return lang


@cache
def _translations(lang: str) -> Translations:
    """The catalog of ``lang``, read from its ``.po`` file and compiled in memory."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as f:
        catalog = read_po(f, locale=BABEL_LOCALES[lang], domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog, use_fuzzy=False)
    buf.seek(0)
    return Translations(fp=buf, domain=DOMAIN)


class Translator:
    """Texts and numbers in one language.

    Args:
        lang: ``"en"`` or ``"nl"``.

    Raises:
        LanguageError: for any other code.
    """

    def __init__(self, lang: str = "en") -> None:
        self.lang = check_language(lang)
        self.locale = Locale.parse(BABEL_LOCALES[lang])
        self._catalog = _translations(lang)

    def _(self, message: str) -> str:
        """The message in this language (the message itself when the catalog lacks it)."""
        return self._catalog.gettext(message)

    def n_(self, singular: str, plural: str, n: int) -> str:
        """Singular or plural form for ``n``."""
        return self._catalog.ngettext(singular, plural, n)

    def num(self, value: float, decimals: int = 0) -> str:
        """A number with the language's grouping and decimal signs (1.490,5 or 1,490.5)."""
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        return format_decimal(value, format=pattern, locale=self.locale)

    def pct(self, share: float, decimals: int = 1) -> str:
        """A share (0-1) as a percentage: 2,5% in Dutch, 2.5% in English."""
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
        return format_percent(share, format=pattern, locale=self.locale)

    def signed_pct(self, share: float, decimals: int = 1) -> str:
        """A change as a signed percentage (+2,5%)."""
        text = self.pct(abs(share), decimals)
        return ("−" if share < 0 else "+") + text

    def fte(self, value: float, decimals: int = 0) -> str:
        """Full-time equivalents: 1.490 fte."""
        return f"{self.num(value, decimals)} fte"

    def eur(self, value: float) -> str:
        """An amount in euros, whole euros for small amounts and millions for large ones."""
        if abs(value) >= 1e6:
            return self._("EUR {amount} million").format(amount=self.num(value / 1e6, 2))
        return f"EUR {self.num(value)}"
