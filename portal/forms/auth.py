"""Forms to log in, register and change a password."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from portal import vocab
from portal.forms import MultiCheckboxField, choices

NEW_ORGANISATION = "new"


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])


class RegistrationForm(FlaskForm):
    name = StringField("Your name", validators=[DataRequired(), Length(max=200)])
    email = EmailField("Email", validators=[DataRequired(), Email(), Length(max=320)])
    password = PasswordField(
        "Password",
        validators=[DataRequired(), Length(max=1024)],
        description="At least 8 characters. A few unrelated words make a strong password.",
    )
    confirm = PasswordField(
        "Repeat the password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")]
    )
    organisation = SelectField(
        "Organisation",
        description="Choose your organisation, or “not listed yet” to add it.",
        validators=[DataRequired()],
    )
    organisation_name = StringField("New organisation name", validators=[Length(max=200)])
    organisation_type = SelectField("Type of organisation", choices=choices(vocab.ORGANISATION_TYPES), default="other")
    organisation_country = SelectField("Country of the organisation", validators=[Optional()])
    programmes = MultiCheckboxField(
        "Programmes",
        description="For a new organisation: the programmes it works with.",
    )

    def __init__(self, *args, organisations: list[SelectChoice], programmes: list[SelectChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [
            SelectChoice("", "Choose…"),
            *organisations,
            SelectChoice(NEW_ORGANISATION, "My organisation is not listed yet"),
        ]
        self.organisation_country.choices = choices([("", "—"), *vocab.countries()])
        self.programmes.choices = programmes

    def validate_organisation_name(self, field):
        if self.organisation.data == NEW_ORGANISATION and not (field.data or "").strip():
            raise ValidationError("Name your organisation.")


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    password = PasswordField(
        "New password",
        validators=[DataRequired(), Length(max=1024)],
        description="At least 8 characters. A few unrelated words make a strong password.",
    )
    confirm = PasswordField(
        "Repeat the new password", validators=[DataRequired(), EqualTo("password", "The passwords differ.")]
    )
