"""The language chooser's links and the ``hreflang`` alternates of public pages (DESIGN.md, "Languages").

Each link leads to the same page with ``?lang=xx`` and every other query parameter kept, so the chooser
works without JavaScript; public pages name their versions in each language, absolute from ``BASE_URL``.
"""

from collections.abc import Callable
from functools import wraps
from urllib.parse import urlencode

from flask import Flask, request
from flask_babel import force_locale

from portal.i18n import DEFAULT, LANGUAGES
from portal.links import absolute_url
from portal.views.access import PUBLIC_ENDPOINTS


def _query(language: str | None) -> list[tuple[str, str]]:
    """The request's query parameters, with ``lang`` set to ``language`` (or left out)."""
    pairs = [(name, value) for name, value in request.args.items(multi=True) if name != "lang"]
    return [*pairs, ("lang", language)] if language else pairs


def chooser_links() -> list[tuple[str, str, str]]:
    """(code, the language's name in itself, this page in it) for each language."""
    return [(code, name, f"{request.path}?{urlencode(_query(code))}") for code, name in LANGUAGES.items()]


def alternate_links() -> list[tuple[str, str]]:
    """(hreflang, absolute URL) of this page in each language and ``x-default``, on public pages read by GET."""
    if request.method != "GET" or request.endpoint not in PUBLIC_ENDPOINTS or request.endpoint == "static":
        return []
    values = dict(request.view_args or {})

    def url(language: str | None) -> str:
        query = {}
        for name, value in _query(language):
            query.setdefault(name, []).append(value)
        return absolute_url(request.endpoint, **values, **query)

    return [(code, url(code)) for code in LANGUAGES] + [("x-default", url(None))]


def in_english(view: Callable) -> Callable:
    """``view`` answering in English whatever the visitor's language: what machines harvest (OAI-PMH,
    DCAT) names vocabularies in one language, tagged ``@en``."""

    @wraps(view)
    def english_view(*args, **kwargs):
        with force_locale(DEFAULT):
            return view(*args, **kwargs)

    return english_view


def install(app: Flask) -> None:
    app.jinja_env.globals.update(chooser_links=chooser_links, alternate_links=alternate_links)
