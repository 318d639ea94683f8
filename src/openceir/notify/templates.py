"""Message templates per language: `<lang>/<name>.txt` files rendered with Jinja2.

The first line of a template is `Subject: ...` (used by e-mail; SMS sends the body only);
the rest is the body. A folder in `[notify] templates_dir` is searched before the built-in
templates, and a language without the template falls back to English.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from openceir.errors import ConfigError
from openceir.settings import Settings

BUILTIN = Path(__file__).parent / "templates"
FALLBACK = "en"


@lru_cache(maxsize=8)
def _environment(extra: Path | None) -> jinja2.Environment:
    roots = [str(extra)] if extra else []
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([*roots, str(BUILTIN)]),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
    )


def split_subject(text: str) -> tuple[str, str]:
    """(subject, body) from a rendered template whose first line may be `Subject: ...`."""
    first, _, rest = text.partition("\n")
    if first.startswith("Subject:"):
        return first[len("Subject:") :].strip(), rest.strip()
    return "", text.strip()


def render(
    settings: Settings, template: str, language: str | None, context: Mapping[str, Any]
) -> tuple[str, str]:
    """Render `template` in `language` (or the default, or English): (subject, body)."""
    env = _environment(settings.notify.templates_dir)
    wanted = [language, settings.notify.language, FALLBACK]
    names = [f"{lang}/{template}.txt" for lang in dict.fromkeys(w for w in wanted if w)]
    try:
        tmpl = env.select_template(names)
    except jinja2.TemplatesNotFound:
        raise ConfigError(f"no message template {template!r} (looked for {names})") from None
    try:
        return split_subject(tmpl.render(**context))
    except jinja2.UndefinedError as exc:
        raise ConfigError(f"message template {tmpl.name}: {exc.message}") from None
