"""The review thread of an item, between its organisation and the desk."""

from flask_babel import gettext as _
from sqlalchemy import select

from portal.catalogue import PermissionDenied, RuleViolation, notifications
from portal.catalogue.permissions import belongs_to_item_organisation, can_comment
from portal.extensions import db
from portal.models import Comment, Item, User

MAX_COMMENT_LENGTH = 5000


def add_comment(item: Item, author: User, body: str) -> Comment:
    """Write in the item's thread; the other side (the organisation, or the item's desks) is told by mail."""
    if not can_comment(author, item):
        raise PermissionDenied(_("Only the item's organisation and its programmes' desks take part in its thread."))
    body = (body or "").strip()
    if not body:
        raise RuleViolation(_("Write a message."), field="body")
    if len(body) > MAX_COMMENT_LENGTH:
        raise RuleViolation(_("Keep a message under %(count)s characters.", count=MAX_COMMENT_LENGTH), field="body")
    comment = Comment(item_id=item.id, author_id=author.id, body=body)
    db.session.add(comment)
    db.session.flush()
    if not belongs_to_item_organisation(author, item):
        notifications.desk_commented(item, comment)
    elif item.state != "draft":  # a draft is not before the desk yet: a note on it stays with the organisation
        notifications.partner_commented(item, comment)
    return comment


def thread(item: Item) -> list[Comment]:
    """The item's comments, oldest first."""
    return list(db.session.scalars(select(Comment).where(Comment.item_id == item.id).order_by(Comment.id)))
