"""Forms of the admin area."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from portal import vocab
from portal.forms import MultiCheckboxField, choices


class UserFilterForm(FlaskForm):
    """The GET form above the user list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("Search users"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=choices([("", _l("Any role")), *vocab.ROLES]), validators=[Optional()])
    active = SelectField(
        _l("Status"),
        choices=choices([("", _l("Any status")), ("yes", _l("Active")), ("no", _l("Waiting for activation"))]),
        validators=[Optional()],
    )


class UserEditForm(FlaskForm):
    role = SelectField(_l("Role"), choices=choices(vocab.ROLES))
    organisation = SelectField(_l("Organisation"), description=_l("Partners belong to one organisation."))
    programmes = MultiCheckboxField(_l("Moderated programmes"), description=_l("For desk moderators."))

    def __init__(self, *args, organisations: list[SelectChoice], programmes: list[SelectChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [SelectChoice("", _("None")), *organisations]
        self.programmes.choices = programmes


class ImportForm(FlaskForm):
    kind = RadioField(_l("The file holds"), default="items", choices=[
        SelectChoice("items", _l("Initiatives and resources")), SelectChoice("organisations", _l("Organisations"))])
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose a CSV (UTF-8) or JSON file."))],
                     description=_l("CSV (UTF-8, with a header row) or a JSON list; the columns are those of "
                                    "docs/import.md."))
    create_organisations = BooleanField(_l("Create the organisations the catalogue does not know yet"),
                                        default=True)
