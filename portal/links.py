"""Absolute addresses for machines (OAI-PMH, DCAT, JSON-LD, robots.txt), built in one place.

For now they follow the request's host (``url_for(..., _external=True)``); when absolute links come
from the configured ``BASE_URL`` instead, this is the one function to change.
"""

from flask import url_for


def external_url(endpoint: str, **values) -> str:
    return url_for(endpoint, _external=True, **values)


def item_url(item_id: int) -> str:
    return external_url("public.item", item_id=item_id)
