"""What the sitemap lists: the public items (the visibility rule), in pages of at most 45 000 addresses.

Past one page, ``/sitemap.xml`` is a sitemap index naming ``/sitemap.xml?page=N`` (the protocol's
limit is 50 000 addresses per file; the first page also holds the site's own pages, among them the
country needs and the countries whose page shows something: the network records needs by the
hundred and there are fewer than 250 countries, so they fit in what the items leave free).
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, union

from portal import vocab
from portal.catalogue import NotFound
from portal.catalogue.filters import MAX_PAGE
from portal.catalogue.parsing import positive_int
from portal.catalogue.visibility import public_clause
from portal.extensions import db
from portal.models import CountryNeed, Item, ItemCountry

URLS_PER_PAGE = 45000


@dataclass(frozen=True)
class PublicItem:
    """A public record with a page of its own (an item or a need) and when it last changed."""

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


def need_pages() -> list[PublicItem]:
    """Every country need: each has a public page (a closed one says that it is closed)."""
    rows = db.session.execute(select(CountryNeed.id, CountryNeed.updated_at).order_by(CountryNeed.id))
    return [PublicItem(need_id, updated_at) for need_id, updated_at in rows]


def country_pages() -> list[str]:
    """The countries whose page shows something: public items that name them, or open needs."""
    with_items = select(ItemCountry.code).join(Item, Item.id == ItemCountry.item_id).where(public_clause())
    with_needs = select(CountryNeed.country).where(CountryNeed.is_open.is_(True))
    return sorted(set(db.session.scalars(union(with_items, with_needs))) & vocab.country_codes())
