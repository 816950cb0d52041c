"""The interface language: the six UN languages, chosen per request (DESIGN.md, "Languages").

``?lang=xx`` wins and is remembered in a cookie; otherwise that cookie; otherwise the best match of
the browser's ``Accept-Language`` (quality values honoured); otherwise English. An unknown value is
ignored, never an error. Strings are marked with Flask-Babel's ``gettext`` (``_``) in Python and
``{{ _("...") }}`` in templates; catalogues live in ``portal/translations/``.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale, dates, numbers, support
from flask import Flask, Response, current_app, has_request_context, request
from flask.globals import _cv_app
from flask_babel import get_locale, get_translations
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from portal.extensions import babel

# Each language named in itself, in the order of the chooser.
LANGUAGES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ar": "العربية",
    "zh": "中文",
    "ru": "Русский",
}
DEFAULT = "en"
RIGHT_TO_LEFT = frozenset({"ar"})
COOKIE = "lang"
# Dates and numbers follow each language's CLDR conventions; the portal's English is British ("9 May 2025").
FORMATTING_LOCALES = {"en": "en_GB"}
COOKIE_MAX_AGE = 365 * 24 * 60 * 60


def _asked() -> str | None:
    """The language named by ``?lang=``, when it is one of ours."""
    value = request.args.get("lang", "").strip().lower()
    return value if value in LANGUAGES else None


def select_locale() -> str:
    """The language of this request (English outside a request: command-line jobs, mails they send)."""
    if not has_request_context():
        return DEFAULT
    if (asked := _asked()) is not None:
        return asked
    remembered = request.cookies.get(COOKIE, "")
    if remembered in LANGUAGES:
        return remembered
    return _best_match(request.headers.get("Accept-Language", ""))


@lru_cache(maxsize=1024)
def _best_match(accepted: str) -> str:
    """Our language that an ``Accept-Language`` header prefers: browsers send a few dozen distinct
    headers, parsed once each instead of on every request."""
    return parse_accept_header(accepted, LanguageAccept).best_match(LANGUAGES) or DEFAULT


@dataclass(frozen=True, slots=True)
class _Chosen:
    """The language Flask-Babel chose for this context, with its catalogue."""

    locale: Locale | None  # the very object Flask-Babel holds: ``force_locale`` and ``refresh`` replace it
    language: str
    translations: support.NullTranslations


def _chosen() -> _Chosen:
    """Flask-Babel's locale and translations, looked up once per app context and locale.

    Flask-Babel's own ``get_locale`` and ``get_translations`` walk its context several times per call
    (about 15 µs): a page with a hundred strings and labels spent a millisecond and more on them. The
    choice is kept beside Flask-Babel's own (``g._flask_babel``, Flask-Babel 4) and used while that
    still holds the same locale object, so ``force_locale`` (mails, English machine pages) and
    ``refresh`` are obeyed as before. ``g`` is read through Flask's context variable, not its proxy
    (which costs a microsecond per use).
    """
    context = _cv_app.get(None)
    if context is None:
        return _Chosen(None, DEFAULT, get_translations())
    state = getattr(context.g, "_flask_babel", None)
    locale = getattr(state, "babel_locale", None)
    kept = getattr(state, "portal_chosen", None)
    if kept is None or locale is None or kept.locale is not locale:
        locale = get_locale()  # selects the language when nothing has yet, and creates ``g._flask_babel``
        kept = _Chosen(locale, str(locale or DEFAULT), get_translations())
        context.g._flask_babel.portal_chosen = kept
    return kept


def current_language() -> str:
    return _chosen().language


def translations() -> support.NullTranslations:
    """The catalogue of this request's language (what templates' ``_`` and ``ngettext`` read)."""
    return _chosen().translations


def text_direction() -> str:
    return "rtl" if current_language() in RIGHT_TO_LEFT else "ltr"


def formatting_locale() -> str:
    language = current_language()
    return FORMATTING_LOCALES.get(language, language)


def _moment(value) -> date | datetime | None:
    """A date, a datetime, or an ISO 8601 text from the search index (naive: UTC)."""
    if isinstance(value, str):
        return datetime.fromisoformat(value) if value else None
    return value


def format_date(value) -> str:
    """A day as the interface language writes it: "9 May 2025", "9 mai 2025", "2025年5月9日"."""
    moment = _moment(value)
    if not moment:
        return ""
    return _formatted_day(moment.date() if isinstance(moment, datetime) else moment, formatting_locale())


@lru_cache(maxsize=8192)
def _formatted_day(day: date, locale: str) -> str:
    return dates.format_skeleton("yMMMd", day, locale=locale)


def format_day_and_month(value) -> str:
    """A day of the year without the year: "1 April", "1 avril", "4月1日"."""
    moment = _moment(value)
    return dates.format_skeleton("MMMMd", moment, locale=formatting_locale()) if moment else ""


def format_datetime(value) -> str:
    """A moment in UTC: "9 May 2025, 14:30 UTC" in that language's order."""
    moment = _moment(value)
    if not moment:
        return ""
    locale = formatting_locale()
    day = dates.format_skeleton("yMMMd", moment, locale=locale)
    time = dates.format_skeleton("Hm", moment, locale=locale)
    return Locale.parse(locale).datetime_formats["medium"].format(time, day) + " UTC"


def format_number(value) -> str:
    """An integer or decimal with the language's grouping: 12,345 / 12 345 / 12.345."""
    return _formatted_number(value, formatting_locale()) if value is not None else ""


def number_formatter() -> Callable[[Any], str]:
    """``format_number`` with this request's language looked up once (for pages with hundreds of numbers)."""
    locale = formatting_locale()
    return lambda value: _formatted_number(value, locale)


@lru_cache(maxsize=16384)
def _formatted_number(value, locale: str) -> str:
    """Babel's formatting, remembered: counts repeat on every page and Babel takes tens of microseconds."""
    return numbers.format_decimal(value, locale=locale)


class LazyNumber:
    """A number that reads in the interface language when shown: for lazy texts made at import time."""

    def __init__(self, value):
        self.value = value

    def __str__(self) -> str:
        return format_number(self.value)


def format_percent(value) -> str:
    """A share from 0 to 1 as a whole percentage: 42% / 42 %."""
    return numbers.format_percent(value, locale=formatting_locale()) if value is not None else "—"


def _formatted(context: EvalContext, text: str, variables: dict) -> str:
    """As Jinja's new-style gettext: always %-formatted; where the template escapes, the catalogue's text
    is markup (our own catalogues, with their ``<strong>``) and the values are escaped."""
    return (Markup(text) if context.autoescape else text) % variables  # noqa: S704 - our catalogues


@pass_eval_context
def _template_gettext(context: EvalContext, string: str, **variables) -> str:
    return _formatted(context, translations().ugettext(string), variables)


@pass_eval_context
def _template_ngettext(context: EvalContext, singular: str, plural: str, n: int, **variables) -> str:
    variables.setdefault("num", n)
    return _formatted(context, translations().ungettext(singular, plural, n), variables)


def _remember(response: Response) -> Response:
    """Keep a language chosen with ``?lang=`` for the next visits."""
    asked = _asked()
    if asked is not None and request.cookies.get(COOKIE) != asked:
        response.set_cookie(
            COOKIE, asked, max_age=COOKIE_MAX_AGE, samesite="Lax", httponly=True, secure=current_app.config["HTTPS"]
        )
    if request.args.get("lang") is None:
        response.vary.add("Accept-Language")
        response.vary.add("Cookie")
    return response


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)  # catalogues in portal/translations/
    # Templates' ``_`` and ``ngettext``: Flask-Babel's, with the catalogue looked up once (``_chosen``)
    # and one call per string instead of Jinja's three (alias, new-style wrapper, Flask-Babel's lambda).
    app.jinja_env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)
    app.after_request(_remember)
    app.jinja_env.globals.update(
        languages=LANGUAGES, current_language=current_language, text_direction=text_direction
    )
    app.jinja_env.filters.update(
        date=format_date, datetime=format_datetime, isodate=format_date, number=format_number, percent=format_percent,
        day_and_month=format_day_and_month,
    )
