"""What machines get of an item beyond the search index's card: its description and its links."""

from dataclasses import dataclass

from sqlalchemy import select

from portal.extensions import db
from portal.models import Item


@dataclass(frozen=True)
class ItemExtras:
    description: str
    website: str | None
    link: str | None  # a resource's external link
    has_file: bool  # a resource's uploaded file (served at /items/<id>/file)


def item_extras(ids: list[int]) -> dict[int, ItemExtras]:
    """Id → extras, in one query (the ids are a page of results: at most a hundred)."""
    rows = db.session.execute(
        select(Item.id, Item.description, Item.website_url, Item.link_url, Item.file_name).where(Item.id.in_(ids))
    )
    return {
        item_id: ItemExtras(description or "", website, link, bool(file_name))
        for item_id, description, website, link, file_name in rows
    }
