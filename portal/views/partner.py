"""The partner area under /my/: the organisation's items and reporting status."""

from flask import Blueprint, render_template
from flask_login import current_user

from portal.catalogue import reporting
from portal.views.access import guard_blueprint

bp = Blueprint("partner", __name__, url_prefix="/my")
guard_blueprint(bp, "partner")


@bp.get("/")
def dashboard():
    organisation = current_user.organisation
    return render_template(
        "partner/dashboard.html",
        organisation=organisation,
        reporting_status=reporting.partner_status(organisation) if organisation else None,
    )
