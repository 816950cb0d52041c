"""The interface language: the six UN languages, chosen per request (DESIGN.md, "Languages").

``?lang=xx`` wins and is remembered in a cookie; otherwise that cookie; otherwise the best match of
the browser's ``Accept-Language`` (quality values honoured); otherwise English. An unknown value is
ignored, never an error. Strings are marked with Flask-Babel's ``gettext`` (``_``) in Python and
``{{ _("...") }}`` in templates; catalogues live in ``portal/translations/``.
"""

from flask import Flask, Response, current_app, has_request_context, request
from flask_babel import get_locale

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
    return request.accept_languages.best_match(LANGUAGES) or DEFAULT


def current_language() -> str:
    return str(get_locale() or DEFAULT)


def text_direction() -> str:
    return "rtl" if current_language() in RIGHT_TO_LEFT else "ltr"


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
    app.after_request(_remember)
    app.jinja_env.globals.update(
        languages=LANGUAGES, current_language=current_language, text_direction=text_direction
    )
