"""Pages for everyone: home, programmes, SDGs, portfolios explained, item pages."""

from flask import Blueprint, current_app, render_template, send_from_directory
from flask_login import current_user

from portal.catalogue import NotFound, portfolio, reporting
from portal.catalogue import programmes as programme_service
from portal.catalogue.permissions import can_view_item
from portal.extensions import db
from portal.models import Item

bp = Blueprint("public", __name__)


@bp.get("/")
def home():
    return render_template(
        "public/home.html",
        programmes=programme_service.all_programmes(),
        item_counts=programme_service.public_item_counts(),
    )


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon")


@bp.get("/programmes")
def programmes():
    return render_template(
        "public/programmes.html",
        programmes=programme_service.all_programmes(),
        item_counts=programme_service.public_item_counts(),
        partner_counts=programme_service.partner_counts(),
    )


@bp.get("/programmes/<slug>")
def programme(slug: str):
    programme = programme_service.get_programme(slug)
    return render_template(
        "public/programme.html",
        programme=programme,
        item_count=programme_service.public_item_counts().get(programme.id, 0),
        partner_count=programme_service.partner_counts().get(programme.id, 0),
        portfolio=portfolio.programme_portfolio(programme),
        portfolio_limit=portfolio.PAGE_LIMIT,
        achievements=reporting.public_achievements(programme),
    )


@bp.get("/sdgs/<int:number>")
def sdg(number: int):
    return render_template("public/sdg.html", sdg=programme_service.get_sdg(number))


@bp.get("/about/portfolios")
def about_portfolios():
    return render_template("public/about_portfolios.html", programmes=programme_service.all_programmes())


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    item = db.session.get(Item, item_id)
    if item is None or not can_view_item(current_user, item):
        raise NotFound(item_id)  # the public cannot tell a hidden item from a missing one
    return render_template("public/item.html", item=item)
