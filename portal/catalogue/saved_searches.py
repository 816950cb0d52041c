"""Saved searches: a user keeps the filters of a ``/search`` page and gets a digest of what is new.

Any signed-in user may save searches (at most ``MAX_PER_USER``), rename them, change how often the
digest comes ("daily" or "weekly") or delete them, from ``/my/searches``. Each digest carries an
unsubscribe link that works without signing in: a token signed with the secret key (itsdangerous)
naming one saved search and its owner. It does not expire, and it cannot reach any other saved search:
changing the id breaks the signature, and ids are never reused (``SavedSearch``).
"""

from urllib.parse import parse_qsl, urlencode

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from portal.catalogue import NotFound, PermissionDenied, RuleViolation
from portal.catalogue.filters import DEFAULT_PER_PAGE, CatalogueFilters, parse_filters
from portal.extensions import db
from portal.models import FREQUENCIES, SavedSearch, User

MAX_PER_USER = 50
MAX_NAME = 200
_SALT = "saved-search-unsubscribe"


def normalised_query(query_string: str) -> str:
    """The search filters of ``query_string`` as parameters, without page, page size or sort order
    (a digest lists new items, newest first). A bad filter is a RuleViolation, as on ``/search``."""
    filters = parse_filters(MultiDict(parse_qsl(query_string.lstrip("?"), keep_blank_values=False)))
    return urlencode(filters.to_args(page=1, per_page=DEFAULT_PER_PAGE, sort="relevance"), doseq=True)


def filters_of(query: str) -> CatalogueFilters:
    """The filters of a saved search's query string, newest first."""
    return parse_filters(MultiDict([*parse_qsl(query), ("sort", "newest")]))


def _checked(name: str, frequency: str, fallback: str) -> tuple[str, str]:
    name = " ".join((name or "").split())[:MAX_NAME] or fallback
    if frequency not in FREQUENCIES:
        raise RuleViolation(_("Choose “Daily” or “Weekly”."), field="frequency")
    return name, frequency


def save(user: User, query_string: str, name: str, frequency: str) -> SavedSearch:
    """Save the search of ``query_string`` for ``user``; its first digest covers what is published from now."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Log in to save a search."))
    query = normalised_query(query_string)
    name, frequency = _checked(name, frequency, filters_of(query).q or _("All new items"))
    if db.session.scalar(select(func.count(SavedSearch.id)).where(SavedSearch.user_id == user.id)) >= MAX_PER_USER:
        raise RuleViolation(_("You have %(number)d saved searches: delete one first.", number=MAX_PER_USER))
    saved = SavedSearch(user_id=user.id, name=name, query=query, frequency=frequency)
    db.session.add(saved)
    db.session.flush()
    return saved


def saved_search_for(user: User, saved_search_id: int) -> SavedSearch:
    """The user's saved search; NotFound for anyone else's, exactly as for a missing one."""
    saved = db.session.get(SavedSearch, saved_search_id)
    if saved is None or not user.is_authenticated or saved.user_id != user.id:
        raise NotFound(saved_search_id)
    return saved


def _require_owner(user: User, saved: SavedSearch) -> None:
    if not (user.is_authenticated and saved.user_id == user.id):
        raise PermissionDenied(_("This is not your saved search."))


def update(user: User, saved: SavedSearch, name: str, frequency: str) -> None:
    """Rename the saved search or change how often its digest comes (its owner only)."""
    _require_owner(user, saved)
    saved.name, saved.frequency = _checked(name, frequency, saved.name)
    db.session.flush()


def delete(user: User, saved: SavedSearch) -> None:
    _require_owner(user, saved)
    db.session.delete(saved)
    db.session.flush()


def user_searches(user: User) -> list[SavedSearch]:
    return list(
        db.session.scalars(
            select(SavedSearch).where(SavedSearch.user_id == user.id).order_by(SavedSearch.created_at, SavedSearch.id)
        )
    )


# --- Unsubscribing without signing in ---------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt=_SALT)


def unsubscribe_token(saved: SavedSearch) -> str:
    return _serializer().dumps([saved.id, saved.user_id])


def by_token(token: str) -> SavedSearch | None:
    """The saved search a token names (None when it was deleted since); NotFound for a forged token."""
    try:
        saved_search_id, user_id = _serializer().loads(token)
    except (BadSignature, TypeError, ValueError):
        raise NotFound(token) from None
    saved = db.session.get(SavedSearch, saved_search_id) if isinstance(saved_search_id, int) else None
    return saved if saved is not None and saved.user_id == user_id else None


def unsubscribe(token: str) -> str | None:
    """Delete the saved search the token names, without a login: the signed token stands for its owner.
    Returns its name (None when it was already deleted)."""
    saved = by_token(token)
    if saved is None:
        return None
    db.session.delete(saved)
    db.session.flush()
    return saved.name
