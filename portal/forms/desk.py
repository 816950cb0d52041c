"""Forms of the coordination desk: the decision, portfolio status, hiding.

The global CSRFProtect checks every POST; these forms skip their own token check because a review
page holds several of them, each with a prefix (one portfolio form per programme).
"""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from portal import vocab
from portal.catalogue.review import DECISIONS
from portal.forms import MultiCheckboxField, choices

MAX_MESSAGE = 5000


class _DeskForm(FlaskForm):
    class Meta:
        csrf = False  # CSRFProtect checks the page's token for every POST


class PortfolioFields(_DeskForm):
    """The due-diligence checklist and the portfolio status of one programme."""

    checks = MultiCheckboxField(
        _l("Due diligence"), description=_l("Every check is needed to admit the item as affiliated."),
        validators=[Optional()],
    )
    status = SelectField(_l("Portfolio status"), choices=choices(vocab.PORTFOLIO_STATUSES), default="none")
    notes = TextAreaField(
        _l("Due-diligence notes"), validators=[Optional(), Length(max=MAX_MESSAGE)], render_kw={"rows": 2}
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.checks.choices = choices(current_app.config["DUE_DILIGENCE_CHECKS"])


class DecisionForm(PortfolioFields):
    """Approve (with the lead programme's portfolio status), request changes or reject."""

    message = TextAreaField(
        _l("Message to the partner"),
        description=_l("Required to request changes (say what to change) and to reject (the reason)."),
        validators=[Optional(), Length(max=MAX_MESSAGE)],
        render_kw={"rows": 4},
    )
    # Sent by the button pressed: <button name="decision" value="approve">Approve</button>.
    decision = SelectField(_l("Decision"), choices=choices((value, value) for value in DECISIONS))


class HideForm(_DeskForm):
    reason = TextAreaField(
        _l("Reason for hiding"),
        description=_l("The partner reads it, for example: broken link, outdated content."),
        validators=[DataRequired(_l("Give a reason: the partner reads it.")), Length(max=MAX_MESSAGE)],
        render_kw={"rows": 2},
    )


class UnhideForm(_DeskForm):
    message = TextAreaField(_l("Message to the partner"), validators=[Optional(), Length(max=MAX_MESSAGE)])
