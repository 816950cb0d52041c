"""Deny by default: every endpoint is either on the public list below or guarded by a role check.

``tests/views/test_access.py`` walks ``app.url_map`` and fails for any endpoint that is neither.
"""

from collections.abc import Callable
from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user

from portal import vocab
from portal.extensions import login_manager

# Endpoints anyone may reach, logged in or not.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "public.home",
        "public.favicon",
        "public.programmes",
        "public.programme",
        "public.sdg",
        "public.about_portfolios",
        "public.item",
        "public.pitch",
        "network.need_list",
        "network.need",
        "network.country",
        "network.theme",
        "search.results",
        "search.export_csv",
        "search.feed",
        "search.sitemap",
        "api.items",
        "api.item",
        "api.openapi",
        "items.download",
        "oai.endpoint",
        "dcat.catalog_ttl",
        "dcat.catalog_jsonld",
        "machines.robots",
        "machines.datapackage",
        "health.healthz",
        "auth.login",
        "auth.register",
        "auth.forgot_password",
        "auth.reset_password",
        "searches.unsubscribe",  # the signed token in the digest's link stands for the login
    }
)

ANY_ROLE = vocab.values(vocab.ROLES)


def _check(roles: tuple[str, ...]):
    """None when the current user has one of ``roles``; otherwise the login redirect or a 403."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if current_user.role not in roles:
        abort(403)
    return None


def role_required(*roles: str) -> Callable:
    """Decorate a view so that only users with one of ``roles`` reach it."""
    roles = roles or ANY_ROLE

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def guarded(*args, **kwargs):
            return _check(roles) or view(*args, **kwargs)

        guarded.required_roles = roles
        return guarded

    return decorator


def guard_blueprint(blueprint: Blueprint, *roles: str) -> None:
    """Require one of ``roles`` for every view of ``blueprint``."""
    blueprint.required_roles = roles
    blueprint.before_request(lambda: _check(roles))


def is_guarded(app, endpoint: str) -> bool:
    """True when ``endpoint`` is public on purpose or checks roles."""
    if endpoint in PUBLIC_ENDPOINTS:
        return True
    view = app.view_functions[endpoint]
    if getattr(view, "required_roles", None):
        return True
    blueprint = app.blueprints.get(endpoint.rpartition(".")[0])
    return bool(blueprint is not None and getattr(blueprint, "required_roles", None))
