"""Highlights and key messages: what a programme puts forward on its page and in its one-page pitch.

A desk marks up to ``MAX_HIGHLIGHTS`` items of its programme's portfolio (core or affiliated, and
public) as highlights, each with one key figure, and writes up to ``MAX_MESSAGES`` key messages.
Visitors see a highlight while its item is public; an item that leaves public view drops out of the
page and the pitch without anyone touching the highlight.

Audit actions: ``programme.highlight_added`` and ``programme.highlight_removed`` (with the item),
``programme.key_messages_changed``.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from portal.catalogue import PermissionDenied, RulesViolated, RuleViolation, audit
from portal.catalogue.figures import FigureText, KeyFigure, figures_of, read_figure
from portal.catalogue.item_fields import clean_text
from portal.catalogue.links import ProgrammeLinks, programme_links
from portal.catalogue.permissions import moderates
from portal.catalogue.reporting import Achievements, public_achievements
from portal.catalogue.visibility import is_public
from portal.extensions import db
from portal.models import Highlight, Item, KeyMessage, Programme, User, utcnow

MAX_HIGHLIGHTS = 6
MAX_MESSAGES = 3
MAX_MESSAGE = 300
PORTFOLIO = ("core", "affiliated")


def _require_desk(actor: User, programme: Programme) -> None:
    if not moderates(actor, programme):
        raise PermissionDenied(_("Only the programme's desk chooses its highlights and key messages."))


def highlights(programme: Programme, *, public: bool = True) -> list[Highlight]:
    """The programme's highlights in the order they were added; ``public``: only those of public items."""
    chosen = db.session.scalars(
        select(Highlight).where(Highlight.programme_id == programme.id).order_by(Highlight.id)
    )
    return [highlight for highlight in chosen if not public or is_public(highlight.item)]


def figure_of(highlight: Highlight) -> KeyFigure:
    return KeyFigure(highlight.figure_value, highlight.figure_unit, highlight.figure_measure)


def suggested_figure(item_id: int | None) -> FigureText:
    """What the highlight form proposes for an item: its first key figure, when it has one."""
    item = db.session.get(Item, item_id) if item_id else None
    figures = figures_of(item.key_figures) if item is not None else []
    return FigureText.of(figures[0]) if figures else FigureText()


def add_highlight(programme: Programme, actor: User, item_id: int | None, figure: FigureText) -> Highlight:
    """Mark a public portfolio item of ``programme`` as a highlight, with its key figure."""
    _require_desk(actor, programme)
    item = db.session.get(Item, item_id) if item_id is not None else None
    if item is None or not is_public(item):
        raise RuleViolation(_("Choose a public item of the programme by its number."), field="item")
    if item.portfolio_status(programme) not in PORTFOLIO:
        raise RuleViolation(
            _("Only items in the portfolio of %(programme)s (core or affiliated) can be its highlights.",
              programme=programme.name),
            field="item",
        )
    current = db.session.scalar(select(func.count()).where(Highlight.programme_id == programme.id)) or 0
    if db.session.scalar(select(Highlight.id).where(Highlight.programme_id == programme.id,
                                                    Highlight.item_id == item.id)) is not None:
        raise RuleViolation(_("“%(title)s” is a highlight already.", title=item.title), field="item")
    if current >= MAX_HIGHLIGHTS:
        raise RuleViolation(
            _("A programme shows at most %(n)d highlights: remove one before adding another.", n=MAX_HIGHLIGHTS),
            field="item",
        )
    key_figure, errors = read_figure(figure, "figure")
    if errors:
        raise RulesViolated(errors)
    highlight = Highlight(
        programme_id=programme.id, item_id=item.id, figure_value=key_figure.value, figure_unit=key_figure.unit,
        figure_measure=key_figure.measure, created_by_id=actor.id,
    )
    db.session.add(highlight)
    db.session.flush()
    audit.record("programme.highlight_added", actor, programme=programme, item=item, figure=str(key_figure))
    return highlight


def remove_highlight(programme: Programme, actor: User, highlight_id: int) -> Item | None:
    """Remove one of the programme's highlights; returns its item (None when it was gone already)."""
    _require_desk(actor, programme)
    highlight = db.session.get(Highlight, highlight_id)
    if highlight is None or highlight.programme_id != programme.id:
        return None
    item = highlight.item
    audit.record("programme.highlight_removed", actor, programme=programme, item=item)
    db.session.delete(highlight)
    db.session.flush()
    return item


def key_messages(programme: Programme) -> list[str]:
    return list(
        db.session.scalars(
            select(KeyMessage.text).where(KeyMessage.programme_id == programme.id).order_by(KeyMessage.position)
        )
    )


def set_key_messages(programme: Programme, actor: User, texts: list[str]) -> list[str]:
    """Replace the programme's key messages with the non-empty ``texts`` (at most 3, each short)."""
    _require_desk(actor, programme)
    cleaned = [" ".join(clean_text(text).split()) for text in texts]
    errors = {
        f"message{number}": [_("Keep a key message under %(n)d characters.", n=MAX_MESSAGE)]
        for number, text in enumerate(cleaned, start=1)
        if len(text) > MAX_MESSAGE
    }
    messages = [text for text in cleaned if text]
    if len(messages) > MAX_MESSAGES:
        errors.setdefault("message1", []).append(_("Write at most %(n)d key messages.", n=MAX_MESSAGES))
    if errors:
        raise RulesViolated(errors)
    before = key_messages(programme)
    if before == messages:
        return messages
    for old in db.session.scalars(select(KeyMessage).where(KeyMessage.programme_id == programme.id)):
        db.session.delete(old)
    db.session.flush()
    for position, text in enumerate(messages, start=1):
        db.session.add(KeyMessage(programme_id=programme.id, position=position, text=text, updated_by_id=actor.id,
                                  updated_at=utcnow()))
    db.session.flush()
    audit.record("programme.key_messages_changed", actor, programme=programme, messages=messages)
    return messages


@dataclass(frozen=True)
class ProgrammeStory:
    """What a visitor reads about a programme in a minute: its page and its pitch."""

    programme: Programme
    achievements: Achievements
    highlights: list[Highlight]
    messages: list[str]
    links: list[ProgrammeLinks]

    @property
    def figures(self) -> list[tuple[Highlight, KeyFigure]]:
        return [(highlight, figure_of(highlight)) for highlight in self.highlights]


def programme_story(programme: Programme) -> ProgrammeStory:
    return ProgrammeStory(
        programme=programme,
        achievements=public_achievements(programme),
        highlights=highlights(programme),
        messages=key_messages(programme),
        links=[line for line in programme_links(programme) if line.total],
    )
