"""Forms of saved searches: "Save this search" on /search, and each saved search on /my/searches."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField
from wtforms.validators import Length

from portal.catalogue.saved_searches import MAX_NAME
from portal.forms import choices

FREQUENCY_CHOICES = choices([("daily", _l("Daily")), ("weekly", _l("Weekly"))])


class SavedSearchForm(FlaskForm):
    """Name and frequency of a saved search. Several sit on one page (one per saved search, prefixed), so
    the global CSRFProtect checks the page's token."""

    class Meta:
        csrf = False

    name = StringField(_l("Name"), validators=[Length(max=MAX_NAME)])
    frequency = RadioField(_l("Digest by mail"), choices=FREQUENCY_CHOICES, default="weekly")


class SaveSearchForm(SavedSearchForm):
    """``query``: the /search parameters to save, as the page's query string."""

    query = HiddenField()
