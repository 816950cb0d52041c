"""Forms of the admin area."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from portal import vocab
from portal.forms import MultiCheckboxField, choices


class UserFilterForm(FlaskForm):
    """The GET form above the user list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField("Search users", validators=[Optional(), Length(max=200)])
    role = SelectField("Role", choices=choices([("", "Any role"), *vocab.ROLES]), validators=[Optional()])
    active = SelectField(
        "Status",
        choices=choices([("", "Any status"), ("yes", "Active"), ("no", "Waiting for activation")]),
        validators=[Optional()],
    )


class UserEditForm(FlaskForm):
    role = SelectField("Role", choices=choices(vocab.ROLES))
    organisation = SelectField("Organisation", description="Partners belong to one organisation.")
    programmes = MultiCheckboxField("Moderated programmes", description="For desk moderators.")

    def __init__(self, *args, organisations: list[SelectChoice], programmes: list[SelectChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [SelectChoice("", "None"), *organisations]
        self.programmes.choices = programmes
