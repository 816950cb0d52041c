"""The submission forms for initiatives and resources.

The forms only read and type what was posted (fields the form does not offer are never read); every
rule lives in ``portal.catalogue.submission``, whose messages ``add_errors`` puts at their fields.
"""

import uuid

from flask import current_app
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
)
from wtforms.validators import Optional

from portal import vocab
from portal.catalogue.figures import MAX_FIGURES, FigureText
from portal.catalogue.files import ALLOWED_TYPES_TEXT
from portal.catalogue.item_fields import MAX_SUMMARY, MAX_TITLE, ItemData
from portal.catalogue.submission import Upload
from portal.forms import MultiCheckboxField, choices, programme_choices

FILE_EXTENSIONS = ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.png,.jpg,.jpeg"
REQUIRED = ("title", "summary", "lead_programme")


class ItemForm(FlaskForm):
    """The fields both kinds share, and the buttons."""

    # Where a rule's message shows when the form names the field differently (``show_violation``).
    FIELD_FOR_RULE = {"programmes": "lead_programme"}

    title = StringField(_l("Title"), description=_l("At most %(count)s characters.", count=MAX_TITLE))
    summary = TextAreaField(
        _l("Summary"), description=_l("Plain text, at most %(count)s characters. It shows in search results.",
                                      count=MAX_SUMMARY)
    )
    description = TextAreaField(
        _l("Description"),
        description=_l("Optional. Markdown: **bold**, *italic*, lists with -, links as [text](https://…), "
                       "## headings."),
    )
    lead_programme = SelectField(_l("Lead programme"), description=_l("Its coordination desk reviews the item."),
                                 default="")
    other_programmes = MultiCheckboxField(
        _l("Other programmes"), description=_l("Optional: programmes it also contributes to.")
    )
    sdgs = MultiCheckboxField(
        _l("SDGs"), coerce=int, description=_l("Choose at most %(count)s SDGs besides SDG %(home)s.",
                                              count=vocab.MAX_OTHER_SDGS, home=vocab.HOME_SDG)
    )
    countries = SelectMultipleField(
        _l("Countries"),
        description=_l("Optional. Choose several with Ctrl (Cmd on a Mac); choose “Global” for worldwide work."),
    )
    themes = MultiCheckboxField(_l("Themes"), description=_l("Optional."))
    website_url = URLField(_l("Website"), description=_l("Optional. A web address starting with https:// or http://."))
    contact = StringField(_l("Contact"), description=_l("Optional. An email address or name that visitors can ask."))
    language = SelectField(_l("Language"), default="en",
                           description=_l("The language the item is written in."))
    is_offer = BooleanField(
        _l("Offer to other countries"),
        description=_l("Tick it when other countries may take this up: the portal proposes it for the country "
                       "needs it fits, and tells you when a new need fits it."),
    )

    # One-time token of a new item's form (``submission.create_item``): posted twice, one item.
    submission_token = HiddenField()

    save_draft = SubmitField(_l("Save draft"))
    submit_review = SubmitField(_l("Submit for review"))
    save_changes = SubmitField(_l("Save changes"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        programmes = programme_choices()
        self.home_sdg_text = gettext("%(sdg)s (every item has it)", sdg=vocab.sdg_label(vocab.HOME_SDG))
        self.lead_programme.choices = choices([("", gettext("Choose the lead programme"))]) + programmes
        self.other_programmes.choices = programmes
        self.sdgs.choices = choices(
            (number, vocab.sdg_label(number)) for number, _ in vocab.SDGS if number != vocab.HOME_SDG
        )
        self.countries.choices = choices([(vocab.GLOBAL, vocab.country_name(vocab.GLOBAL)), *vocab.countries()])
        self.themes.choices = choices(vocab.THEMES)
        self.language.choices = choices(vocab.languages())
        for name in REQUIRED:
            self[name].flags.required = True  # shown as "(required)"; the rule itself is in the service
        if not self.submission_token.data:
            self.submission_token.data = str(uuid.uuid4())

    @staticmethod
    def values(data: ItemData) -> dict:
        """The form's initial values for ``data`` (an item being edited)."""
        values = {name: getattr(data, name) for name in ItemData.__dataclass_fields__}
        values["lead_programme"] = data.programmes[0] if data.programmes else ""
        values["other_programmes"] = data.programmes[1:]
        return values

    def item_data(self) -> ItemData:
        """What was posted, typed; the lead programme comes first."""
        lead = self.lead_programme.data or ""
        others = [slug for slug in self.other_programmes.data or [] if slug != lead]
        return ItemData(
            title=self.title.data or "",
            summary=self.summary.data or "",
            description=self.description.data or "",
            programmes=[lead, *others] if lead else [],
            sdgs=list(self.sdgs.data or []),
            countries=list(self.countries.data or []),
            themes=list(self.themes.data or []),
            website_url=self.website_url.data or "",
            contact=self.contact.data or "",
            language=self.language.data or "",
            is_offer=bool(self.is_offer.data),
            **self.kind_data(),
        )

    def kind_data(self) -> dict:
        return {}

    def upload(self) -> Upload | None:
        return None


class InitiativeForm(ItemForm):
    activity_category = SelectField(_l("Activity category"), default="")
    initiative_status = SelectField(_l("Status"), default="ongoing")
    start_date = DateField(_l("Start date"), validators=[Optional()], description=_l("Optional."))
    end_date = DateField(_l("End date"), validators=[Optional()],
                         description=_l("Optional; not before the start date."))
    results_on_ground = TextAreaField(
        _l("Results on the ground"), description=_l("Optional. Plain text: what changed, where, for whom.")
    )
    # Up to 3 key figures, each in its own fieldset "Key figure N" (see ``figure_rows``).
    figure1_value, figure2_value, figure3_value = (StringField(_l("Value")) for _ in range(MAX_FIGURES))
    figure1_unit, figure2_unit, figure3_unit = (StringField(_l("Unit")) for _ in range(MAX_FIGURES))
    figure1_measure, figure2_measure, figure3_measure = (
        StringField(_l("What it measures")) for _ in range(MAX_FIGURES)
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.activity_category.choices = choices([("", gettext("Choose a category")), *vocab.ACTIVITY_CATEGORIES])
        self.initiative_status.choices = choices(vocab.INITIATIVE_STATUSES)
        self.activity_category.flags.required = True

    @staticmethod
    def values(data: ItemData) -> dict:
        values = ItemForm.values(data)
        for number, row in enumerate(data.key_figures, start=1):
            values.update({f"figure{number}_value": row.value, f"figure{number}_unit": row.unit,
                           f"figure{number}_measure": row.measure})
        return values

    def figure_rows(self) -> list[tuple]:
        """(value, unit, what it measures) fields of each key figure, for the template."""
        return [tuple(self[f"figure{n}_{part}"] for part in ("value", "unit", "measure"))
                for n in range(1, MAX_FIGURES + 1)]

    def kind_data(self) -> dict:
        return {
            "activity_category": self.activity_category.data or "",
            "initiative_status": self.initiative_status.data or "",
            "start_date": self.start_date.data,
            "end_date": self.end_date.data,
            "results_on_ground": self.results_on_ground.data or "",
            "key_figures": [FigureText(*(field.data or "" for field in row)) for row in self.figure_rows()],
        }


class ResourceForm(ItemForm):
    file_extensions = FILE_EXTENSIONS  # a hint for the browser's file picker; the content decides
    resource_type = SelectField(_l("Resource type"), default="")
    authors = StringField(_l("Authors"), description=_l("Optional."))
    publication_year = IntegerField(_l("Publication year"), validators=[Optional()], description=_l("Optional."))
    file = FileField(_l("File"))
    link_url = URLField(_l("Link"), description=_l("A web address (https:// or http://) where the resource is found."))
    remove_file = BooleanField(_l("Remove the current file"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource_type.choices = choices([("", gettext("Choose a type")), *vocab.RESOURCE_TYPES])
        self.resource_type.flags.required = True
        self.file.description = gettext("%(types)s, at most %(mb)s MB. A resource needs a file or a link.",
                                        types=ALLOWED_TYPES_TEXT, mb=current_app.config["MAX_UPLOAD_MB"])

    def kind_data(self) -> dict:
        return {
            "resource_type": self.resource_type.data or "",
            "authors": self.authors.data or "",
            "publication_year": self.publication_year.data,
            "link_url": self.link_url.data or "",
        }

    def upload(self) -> Upload | None:
        chosen = self.file.data
        if chosen is None or not getattr(chosen, "filename", None):
            return None
        return Upload(chosen.filename, chosen.stream)


FORMS = {"initiative": InitiativeForm, "resource": ResourceForm}
