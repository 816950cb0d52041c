"""The review thread of an item, between its organisation and the desk."""

from sqlalchemy import select

from portal.catalogue import PermissionDenied, RuleViolation
from portal.catalogue.permissions import can_comment
from portal.extensions import db
from portal.models import Comment, Item, User

MAX_COMMENT_LENGTH = 5000


def add_comment(item: Item, author: User, body: str) -> Comment:
    if not can_comment(author, item):
        raise PermissionDenied("Only the item's organisation and its programmes' desks take part in its thread.")
    body = (body or "").strip()
    if not body:
        raise RuleViolation("Write a message.", field="body")
    if len(body) > MAX_COMMENT_LENGTH:
        raise RuleViolation(f"Keep a message under {MAX_COMMENT_LENGTH} characters.", field="body")
    comment = Comment(item_id=item.id, author_id=author.id, body=body)
    db.session.add(comment)
    db.session.flush()
    return comment


def thread(item: Item) -> list[Comment]:
    """The item's comments, oldest first."""
    return list(db.session.scalars(select(Comment).where(Comment.item_id == item.id).order_by(Comment.id)))
