"""Forms of match-making and cross-programme work: country needs, expressions of interest, links between
items, highlights and key messages. They read what was posted; the services in ``portal.catalogue``
hold the rules (``needs``, ``links``, ``highlights``)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, SubmitField, TextAreaField

from portal import vocab
from portal.catalogue.figures import FigureText
from portal.catalogue.highlights import MAX_MESSAGES
from portal.catalogue.links import RELATION_CHOICES
from portal.catalogue.needs import NeedData
from portal.forms import ITEM_REFERENCE_HELP, ItemReferenceField, MultiCheckboxField, choices, programme_choices

HOME_SDG_TEXT = _l("%(sdg)s (every need)", sdg=vocab.sdg_label(vocab.HOME_SDG))


class NeedForm(FlaskForm):
    """DESIGN.md's labels: "Country", "Title", "Description", "SDGs", "Themes", "Programmes", "Contact"."""

    home_sdg_text = HOME_SDG_TEXT
    country = SelectField(_l("Country"), default="", description=_l("The country, or “Global” for a need of many."))
    title = StringField(
        _l("Title"), description=_l("At most 200 characters, e.g. “Training in green public procurement”.")
    )
    description = TextAreaField(
        _l("Description"),
        description=_l("Optional. Markdown: **bold**, *italic*, lists with -, links as [text](https://…)."),
    )
    sdgs = MultiCheckboxField(_l("SDGs"), coerce=int, description=_l("The goals the need serves besides SDG 12."))
    themes = MultiCheckboxField(_l("Themes"))
    programmes = MultiCheckboxField(
        _l("Programmes"), description=_l("Their desks follow the need; choose at least one of yours.")
    )
    category = SelectField(
        _l("Activity category"), default="",
        description=_l("Optional: the kind of work that would help, e.g. capacity building for training."),
    )
    contact = StringField(_l("Contact"), description=_l("Optional. Who in the country to talk to."))
    save = SubmitField(_l("Save need"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = choices([("", _l("Choose a country")), (vocab.GLOBAL, _l("Global")), *vocab.countries()])
        self.sdgs.choices = choices((n, vocab.sdg_label(n)) for n, _ in vocab.SDGS if n != vocab.HOME_SDG)
        self.themes.choices = choices(vocab.THEMES)
        self.programmes.choices = programme_choices()
        self.category.choices = choices([("", _l("Any kind of work")), *vocab.ACTIVITY_CATEGORIES])
        for name in ("country", "title", "programmes"):
            self[name].flags.required = True  # shown as "(required)"; the rule is in the service

    def need_data(self) -> NeedData:
        return NeedData(
            country=self.country.data or "",
            title=self.title.data or "",
            description=self.description.data or "",
            sdgs=list(self.sdgs.data or []),
            themes=list(self.themes.data or []),
            programmes=list(self.programmes.data or []),
            category=self.category.data or "",
            contact=self.contact.data or "",
            is_open=bool(self.is_open.data) if "is_open" in self else True,  # a new need is open
        )


class EditNeedForm(NeedForm):
    is_open = BooleanField(_l("Open"), default=True,
                           description=_l("Untick once the need is met: a closed need leaves the public list."))


class InterestForm(FlaskForm):
    message = TextAreaField(
        _l("Message"), description=_l("How your organisation could help: the need's desks read it and answer you."),
        render_kw={"rows": 4},
    )
    send = SubmitField(_l("Express interest"))


class _PageForm(FlaskForm):
    """A form among others on a page: the page's CSRF token (CSRFProtect) covers it."""

    class Meta:
        csrf = False


class LinkForm(_PageForm):
    relation = SelectField(_l("Relation"), choices=choices(RELATION_CHOICES), default="related_to")
    target = ItemReferenceField(_l("Item to link"), description=ITEM_REFERENCE_HELP)


class HighlightForm(_PageForm):
    item = ItemReferenceField(_l("Item"), description=ITEM_REFERENCE_HELP)
    figure_value = StringField(_l("Value"), description=_l("A number, e.g. 1200 or 3.5."))
    figure_unit = StringField(_l("Unit"), description=_l("e.g. tonnes, people, %."))
    figure_measure = StringField(_l("What it measures"), description=_l("e.g. of food waste avoided each year."))

    def figure(self) -> FigureText:
        return FigureText(self.figure_value.data or "", self.figure_unit.data or "", self.figure_measure.data or "")


class KeyMessagesForm(_PageForm):
    message1, message2, message3 = (
        TextAreaField(_l("Key message %(n)d", n=n), render_kw={"rows": 2}) for n in range(1, MAX_MESSAGES + 1)
    )

    def texts(self) -> list[str]:
        return [self[f"message{n}"].data or "" for n in range(1, MAX_MESSAGES + 1)]
