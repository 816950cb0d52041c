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


def _other_parameters() -> str:
    """The request's query string without ``lang``: every other parameter, in the order given."""
    return urlencode([(name, value) for name, value in request.args.items(multi=True) if name != "lang"])


def _in_each_language(base: str, query: str) -> list[tuple[str, str]]:
    """(code, ``base`` with ``query`` and ``lang=code``) for each language: the six links differ only
    by their last parameter, so they are written from one query string, not built one by one."""
    start = f"{base}?{query}&lang=" if query else f"{base}?lang="
    return [(code, start + code) for code in LANGUAGES]


def chooser_links() -> list[tuple[str, str, str]]:
    """(code, the language's name in itself, this page in it) for each language."""
    return [(code, LANGUAGES[code], href) for code, href in _in_each_language(request.path, _other_parameters())]


def alternate_links() -> list[tuple[str, str]]:
    """(hreflang, absolute URL) of this page in each language and ``x-default``, on public pages read by GET.

    The path comes from the endpoint and its arguments alone, so that a query parameter named like one
    of them (``/programmes/spp?slug=x``) stays a query parameter instead of failing the page."""
    if request.method != "GET" or request.endpoint not in PUBLIC_ENDPOINTS or request.endpoint == "static":
        return []
    base, query = absolute_url(request.endpoint, **(request.view_args or {})), _other_parameters()
    return [*_in_each_language(base, query), ("x-default", f"{base}?{query}" if query else base)]


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
