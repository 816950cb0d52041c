"""Forms to log in, register and change a password."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from portal import vocab
from portal.catalogue.accounts import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from portal.forms import MultiCheckboxField, choices
from portal.i18n import LANGUAGES, LazyNumber

NEW_ORGANISATION = "new"
PASSWORD_TOO_LONG = _l("Use at most %(count)s characters.", count=LazyNumber(MAX_PASSWORD_LENGTH))


def new_password(label: str) -> PasswordField:
    """A new password field that says the rules (``accounts.password_problem`` checks them)."""
    return PasswordField(
        label,
        validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH, message=PASSWORD_TOO_LONG)],
        description=_l(
            "From %(min)s to %(max)s characters. A few unrelated words make a strong password; "
            "the name of this site or of a programme does not.",
            min=MIN_PASSWORD_LENGTH,
            max=LazyNumber(MAX_PASSWORD_LENGTH),
        ),
    )


def repeat_password(label: str) -> PasswordField:
    return PasswordField(label, validators=[DataRequired(), EqualTo("password", _l("The passwords differ."))])


class ForgotPasswordForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=320)],
                       description=_l("The address of your account."))


class ResetPasswordForm(FlaskForm):
    token = HiddenField(validators=[DataRequired(), Length(max=500)])
    password = new_password(_l("New password"))
    confirm = repeat_password(_l("Repeat the new password"))


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH)])


class RegistrationForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=320)])
    password = new_password("Password")
    confirm = repeat_password("Repeat the password")
    organisation = SelectField(
        _l("Organisation"),
        description=_l("Choose your organisation, or “not listed yet” to add it."),
        validators=[DataRequired()],
    )
    organisation_name = StringField(_l("New organisation name"), validators=[Length(max=200)])
    organisation_type = SelectField(_l("Type of organisation"), choices=choices(vocab.ORGANISATION_TYPES),
                                    default="other")
    organisation_country = SelectField(_l("Country of the organisation"), validators=[Optional()])
    programmes = MultiCheckboxField(
        _l("Programmes"),
        description=_l("For a new organisation: the programmes it works with."),
    )

    def __init__(self, *args, organisations: list[SelectChoice], programmes: list[SelectChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation.choices = [
            SelectChoice("", _("Choose…")),
            *organisations,
            SelectChoice(NEW_ORGANISATION, _("My organisation is not listed yet")),
        ]
        self.organisation_country.choices = choices([("", "—"), *vocab.countries()])
        self.programmes.choices = programmes

    def validate_organisation_name(self, field):
        if self.organisation.data == NEW_ORGANISATION and not (field.data or "").strip():
            raise ValidationError(_("Name your organisation."))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[DataRequired(), Length(max=MAX_PASSWORD_LENGTH, message=PASSWORD_TOO_LONG)]
    )
    password = new_password("New password")
    confirm = repeat_password("Repeat the new password")


class LanguageForm(FlaskForm):
    """The language of the account's mails, each named in itself."""

    language = SelectField(
        _l("Language"),
        choices=[SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGES.items()],
    )
