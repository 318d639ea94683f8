"""Translations: gettext catalogs (Babel) in English, French and Arabic, read at start-up.

The `.po` files under `openceir/web/locale/<lang>/LC_MESSAGES/messages.po` are the source and
are compiled in memory when the app starts, so a fresh clone installed with `pip install -e`
needs no build step. The language is the `lang` cookie (set by the switch), else the best
match of `Accept-Language`, else English. Arabic is written right to left.
"""

from __future__ import annotations

import gettext
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DEFAULT = "en"
COOKIE = "lang"


@dataclass(frozen=True)
class Language:
    """A language the portal speaks: code, its own name, writing direction."""

    code: str
    name: str
    direction: str


LANGUAGES = {
    "en": Language("en", "English", "ltr"),
    "fr": Language("fr", "Français", "ltr"),
    "ar": Language("ar", "العربية", "rtl"),
}


def load_catalogs(directory: Path = LOCALE_DIR) -> dict[str, gettext.NullTranslations]:
    """One translations object per language, compiled from its `.po` file."""
    catalogs: dict[str, gettext.NullTranslations] = {DEFAULT: gettext.NullTranslations()}
    for code in LANGUAGES:
        po = directory / code / "LC_MESSAGES" / "messages.po"
        if code == DEFAULT or not po.is_file():
            continue
        with po.open("rb") as handle:
            catalog = read_po(handle, locale=Locale.parse(code))
        buffer = BytesIO()
        write_mo(buffer, catalog)
        buffer.seek(0)
        catalogs[code] = Translations(buffer)
    return catalogs


def pick(cookie: str | None, accept_language: str | None) -> Language:
    """The language for a request: the remembered choice, else the browser's, else English."""
    if cookie in LANGUAGES:
        return LANGUAGES[cookie]
    wanted = []
    for part in (accept_language or "")[:200].split(","):
        tag = part.split(";")[0].strip().replace("-", "_")
        if tag:
            wanted.append(tag)
    found = negotiate_locale(wanted, list(LANGUAGES), sep="_") if wanted else None
    return LANGUAGES.get(found or DEFAULT, LANGUAGES[DEFAULT])


__all__ = ["COOKIE", "DEFAULT", "LANGUAGES", "LOCALE_DIR", "Language", "load_catalogs", "pick"]
