"""Absolute links, built from the ``BASE_URL`` setting and never from the request's Host header.

A client chooses the Host header it sends: links built from it (``url_for(..., _external=True)``)
let anyone make the portal write links to a site of their choice into the API, feeds, the sitemap,
CSV exports and mails (a password reset link pointing elsewhere hands over the account). So every
absolute link, in a request or in a command-line job, comes from ``absolute_url``; ``TRUSTED_HOSTS``
(``portal.config``) refuses requests for other hosts as well.
"""

from urllib.parse import quote, urlsplit

from flask import current_app, g
from werkzeug.routing import MapAdapter


def absolute_url(endpoint: str, _anchor: str | None = None, **values) -> str:
    """The full URL of ``endpoint`` under ``BASE_URL``; unknown ``values`` become query parameters."""
    url = _adapter().build(endpoint, values, force_external=True)
    return f"{url}#{quote(_anchor)}" if _anchor else url


def _adapter() -> MapAdapter:
    """URLs bound to ``BASE_URL`` (one per app context: a sitemap builds thousands)."""
    adapter = g.get("base_url_adapter")
    if adapter is None:
        base = urlsplit(current_app.config["BASE_URL"])
        adapter = current_app.url_map.bind(
            base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme or "https"
        )
        g.base_url_adapter = adapter
    return adapter
