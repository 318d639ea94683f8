"""Every string the portal shows is translated into French and Arabic, and the catalogs load
from the `.po` sources (a fresh clone needs no build step)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from openceir.web.portal import i18n

WEB = Path(i18n.__file__).resolve().parent.parent
METHODS = [("portal/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}


def _source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        WEB,
        METHODS,
        keywords=KEYWORDS,
        options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("code", ["fr", "ar"])
def test_every_portal_string_has_a_translation(code: str) -> None:
    wanted = _source_messages()
    assert len(wanted) > 40
    path = i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        catalog = read_po(handle)
    done = {
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in catalog
        if m.id and m.string and all(m.string if isinstance(m.string, tuple) else [m.string])
    }
    missing = sorted(wanted - done)
    assert not missing, f"{path.name} ({code}) lacks: {missing}"


def test_catalogs_load_and_translate() -> None:
    catalogs = i18n.load_catalogs()
    assert catalogs["fr"].gettext("Sign in") == "Se connecter"
    assert catalogs["ar"].gettext("Sign in") == "تسجيل الدخول"
    assert catalogs["ar"].ngettext("%(num)d entry found.", "%(num)d entries found.", 2)
    assert catalogs["en"].gettext("Sign in") == "Sign in"


def test_language_choice_cookie_then_browser_then_english() -> None:
    assert i18n.pick("ar", "fr").code == "ar"
    assert i18n.pick(None, "fr-CA,fr;q=0.8").code == "fr"
    assert i18n.pick("xx", "de-DE").code == "en"
    assert i18n.pick(None, None).direction == "ltr"
    assert i18n.LANGUAGES["ar"].direction == "rtl"
