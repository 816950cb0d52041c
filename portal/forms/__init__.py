"""WTForms classes. Forms validate and never persist: views hand their data to a service."""

import re
from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from wtforms import SelectMultipleField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

from portal.catalogue import RuleViolation
from portal.catalogue.parsing import positive_int
from portal.extensions import db
from portal.models import Organisation, Programme


def choices(pairs: Iterable[tuple]) -> list[SelectChoice]:
    """WTForms choices from (value, label) pairs such as the vocabularies in ``portal.vocab``."""
    return [SelectChoice(str(value), label) for value, label in pairs]


class MultiCheckboxField(SelectMultipleField):
    """A group of checkboxes; the ``checkbox_group`` macro renders it in a fieldset with a legend."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ItemReferenceField(StringField):
    """An item named by its number or by the address of its page (``…/items/123``); ``data`` is the
    number, or None when nothing usable was typed (the service then says what is wrong)."""

    PATTERN = re.compile(r"^#?([0-9]+)$|/items/([0-9]+)(?:[/?#]|$)")

    @classmethod
    def parse(cls, text: str | None) -> int | None:
        found = cls.PATTERN.search((text or "").strip())
        return positive_int(found.group(1) or found.group(2)) if found else None  # an id no column holds: None

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "").strip()
        self.data = self.parse(self.raw)

    def _value(self):
        return getattr(self, "raw", None) or (str(self.data) if self.data else "")


ITEM_REFERENCE_HELP = _l("The item's number or the address of its page, e.g. https://…/items/123.")


def programme_choices() -> list[SelectChoice]:
    programmes = db.session.scalars(select(Programme).order_by(Programme.position))
    return [SelectChoice(programme.slug, programme.name) for programme in programmes]


def programmes_by_slug(slugs: list[str]) -> list[Programme]:
    """The programmes named by ``slugs``, in the order given."""
    found = {p.slug: p for p in db.session.scalars(select(Programme).where(Programme.slug.in_(slugs)))}
    return [found[slug] for slug in slugs if slug in found]


def organisation_choices() -> list[SelectChoice]:
    organisations = db.session.execute(select(Organisation.id, Organisation.name).order_by(Organisation.name))
    return [SelectChoice(str(org_id), name) for org_id, name in organisations]


def show_violation(form, error: RuleViolation, field: str | None = None) -> None:
    """Put a service's messages at the form fields they concern.

    A form names its fields where they differ from the rule's names in ``FIELD_FOR_RULE``; a message
    for no field of the form goes to ``field`` when given, else to the top of the form.
    """
    renames = getattr(form, "FIELD_FOR_RULE", {})
    for name, messages in error.errors.items():
        target = form._fields.get(renames.get(name, name)) if name else None
        if target is None and field:
            target = form._fields.get(field)
        if target is None:
            form.form_errors.extend(messages)
        else:
            target.errors = [*target.errors, *messages]
