"""What the sitemap lists: the public items (the visibility rule), in pages of at most 45 000 addresses.

Past one page, ``/sitemap.xml`` is a sitemap index naming ``/sitemap.xml?page=N`` (the protocol's
limit is 50 000 addresses per file; the first page also holds the site's own pages).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from portal.catalogue import NotFound
from portal.catalogue.filters import MAX_PAGE
from portal.catalogue.parsing import positive_int
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import Item

URLS_PER_PAGE = 45000


@dataclass(frozen=True)
class PublicItem:
    id: int
    updated_at: datetime


@dataclass(frozen=True)
class SitemapPage:
    number: int | None  # None: the sitemap index, naming ``pages`` pages
    pages: int
    items: list[PublicItem]


def sitemap_page(page: str = "") -> SitemapPage:
    """The sitemap asked for by the ``page`` parameter ("": the whole sitemap, or its index when it is
    too long); NotFound for anything but a page number."""
    number = positive_int(page, MAX_PAGE) if page else 1
    if number is None:
        raise NotFound(page)
    public = select(Item.id, Item.updated_at).where(public_clause())
    total = db.session.scalar(select(func.count()).select_from(public.subquery())) or 0
    pages = max(1, -(-total // URLS_PER_PAGE))
    if not page and pages > 1:
        return SitemapPage(None, pages, [])
    rows = db.session.execute(public.order_by(Item.id).offset((number - 1) * URLS_PER_PAGE).limit(URLS_PER_PAGE))
    return SitemapPage(number, pages, [PublicItem(item_id, updated_at) for item_id, updated_at in rows])
