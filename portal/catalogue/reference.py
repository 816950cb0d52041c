"""Reference data every installation has: the six programmes and the 17 SDGs."""

from sqlalchemy import select

from portal.extensions import db
from portal.models import Programme, Sdg
from portal.vocab import PROGRAMMES, SDGS, english, programme_description, values


def ensure_reference_data() -> None:
    """Insert the programmes and SDGs that are missing; leave edited ones alone."""
    known_slugs = set(db.session.scalars(select(Programme.slug)))
    for position, slug in enumerate(values(PROGRAMMES)):
        if slug not in known_slugs:
            db.session.add(Programme(slug=slug, name=english(PROGRAMMES, slug), position=position,
                                     description=programme_description(slug, language="en")))
    known_numbers = set(db.session.scalars(select(Sdg.number)))
    for number in values(SDGS):
        if number not in known_numbers:
            db.session.add(Sdg(number=number, title=english(SDGS, number)))
    db.session.flush()
