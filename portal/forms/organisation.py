"""Forms for an organisation: its reporting contacts (partners and admins), details, partnerships and
merging (admins). The admin page holds several forms, each posting to its own address; like the desk's,
they leave the token check to the global CSRFProtect (templates put the page's token in each form)."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, SelectField, StringField, TextAreaField, URLField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from portal import vocab
from portal.catalogue.organisations import MAX_ALTERNATES, OrganisationDetails, split_addresses
from portal.forms import choices
from portal.models import Organisation, Programme


class _PageForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks the page's token for every POST


class ContactsForm(_PageForm):
    """DESIGN.md's labels: "Reporting focal point", "Alternates"."""

    focal_point = EmailField(
        _l("Reporting focal point"),
        validators=[Length(max=320)],
        description=_l("The person who answers for your organisation's reporting; reminders go to them. "
                       "They do not need an account."),
    )
    alternates = TextAreaField(
        _l("Alternates"),
        validators=[Length(max=2000)],
        description=_l("Up to %(number)d email addresses, one per line: they get the reminders in copy.",
                       number=MAX_ALTERNATES),
    )

    @classmethod
    def of(cls, organisation: Organisation) -> "ContactsForm":
        """The form filled with the organisation's contacts (or with what was posted)."""
        alternates = "\n".join(organisation.alternate_emails or [])
        return cls(data={"focal_point": organisation.focal_point_email or "", "alternates": alternates})

    def contacts(self) -> tuple[str, list[str]]:
        """(focal point, alternates) as typed, for ``organisations.update_contacts``."""
        return self.focal_point.data or "", split_addresses(self.alternates.data or "")


class OrganisationForm(_PageForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    type = SelectField(_l("Type of organisation"), choices=choices(vocab.ORGANISATION_TYPES))
    country = SelectField(_l("Country"), validators=[Optional()])
    website = URLField(_l("Website"), validators=[Optional(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = choices([("", "—"), *vocab.countries()])

    def details(self) -> OrganisationDetails:
        return OrganisationDetails(self.name.data or "", self.type.data, self.country.data or None, self.website.data)


class PartnershipForm(_PageForm):
    programme = SelectField(_l("Programme"), validators=[DataRequired()])
    joined_on = DateField(_l("Partner since"), validators=[DataRequired()])

    def __init__(self, *args, programmes: list[SelectChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.programme.choices = programmes


class EndPartnershipForm(_PageForm):
    """One per current partnership on the page, so each is prefixed and labelled with its programme."""

    ended_on = DateField(_l("End date"), validators=[DataRequired()],
                         description=_l("From this day the organisation is no longer a partner."))

    @classmethod
    def for_programme(cls, programme: Programme, formdata=None) -> "EndPartnershipForm":
        form = cls(formdata=formdata, prefix=programme.slug)
        form.ended_on.label.text = _("End date of the partnership with %(programme)s", programme=programme.name)
        return form


class MergeForm(_PageForm):
    duplicate = SelectField(
        _l("Duplicate organisation"),
        validators=[DataRequired()],
        description=_l("Its items, accounts, partnerships and history move here, then it is deleted."),
    )

    def __init__(self, *args, organisations: list[SelectChoice], **kwargs):
        super().__init__(*args, **kwargs)
        self.duplicate.choices = [SelectChoice("", _l("Choose…")), *organisations]
