"""The coordination desk under /desk/: review queue, review page, monitoring, partner accounts."""

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from portal.catalogue import (
    RuleViolation,
    accounts,
    audit,
    comments,
    desk_queue,
    links,
    portfolio,
    reminders,
    reporting,
    review,
)
from portal.catalogue import programmes as programme_service
from portal.catalogue.filters import parse_filters
from portal.catalogue.parsing import database_id, positive_int
from portal.forms.desk import DecisionForm, HideForm, PortfolioFields, UnhideForm
from portal.forms.matchmaking import LinkForm
from portal.models import Item
from portal.views.access import guard_blueprint
from portal.views.input import paginate
from portal.views.shared import back_to, chips, csv_download, facet_groups
from portal.views.transaction import flashed, shown_on
from portal.vocab import PORTFOLIO_STATUSES, label

bp = Blueprint("desk", __name__, url_prefix="/desk")
guard_blueprint(bp, "moderator", "admin")

DECIDED = {
    "approve": _l("Approved “%(title)s”."),
    "reject": _l("Rejected “%(title)s”."),
    "request_changes": _l("Asked for changes to “%(title)s”."),
}


@bp.get("/")
def index():
    filters = parse_filters(request.args, desk=True)
    found = desk_queue.queue(current_user, filters)
    if not filters.narrows():
        g.desk_queue_count = found.waiting.total  # the navigation's count (views/__init__.py)
    return render_template(
        "desk/index.html",
        filters=filters,
        queue=found,
        waiting=accounts.count_users(current_user, accounts.UserFilter(active="no")),
        programmes=programme_service.desk_programmes(current_user),
        tasks=lambda item: desk_queue.pending_tasks(current_user, item),
        age=desk_queue.age,
    )


def _portfolio_data(item: Item, programme) -> dict:
    """The portfolio decision so far, as the portfolio fields show it."""
    entry = portfolio.entry_for(item, programme) if programme is not None else None
    return {"status": entry.status, "checks": entry.checks, "notes": entry.notes} if entry else {"status": "none"}


def _portfolio_form(item: Item, programme) -> PortfolioFields:
    return PortfolioFields(formdata=None, prefix=programme.slug, data=_portfolio_data(item, programme))


def _review_page(item: Item, status: int = 200, *, decision_form=None, portfolio_forms=None, hide_form=None):
    """The review page; forms given replace the blank ones (to show their errors)."""
    given = portfolio_forms or {}
    decisions = [
        (programme, entry, given.get(programme.slug) or _portfolio_form(item, programme))
        for programme, entry in review.portfolio_decisions(current_user, item)
    ]
    others, other_count = review.other_items(item)
    return render_template(
        "desk/review.html",
        item=item,
        decision_form=decision_form or DecisionForm(formdata=None, data=_portfolio_data(item, item.lead_programme)),
        portfolio_forms=decisions,
        hide_form=hide_form or HideForm(formdata=None),
        unhide_form=UnhideForm(formdata=None),
        changes=review.changes_since_published(item),
        other_items=others,
        other_count=other_count,
        comments=comments.thread(item),
        comment_url=url_for("desk.comment", item_id=item.id),
        events=audit.history(item),
        describe=audit.describe,
        checklist=dict(portfolio.checklist()),
        related=links.related_items(item, current_user),
        link_form=LinkForm(formdata=None),
        back=url_for("desk.item", item_id=item.id),
    ), status


@bp.get("/items/<int:item_id>")
def item(item_id: int):
    return _review_page(review.get_item(item_id, current_user))


def _next_page():
    """After a decision: the next item waiting for this desk, or the queue when it is empty."""
    following = desk_queue.next_in_queue(current_user)
    return redirect(url_for("desk.item", item_id=following.id) if following else url_for("desk.index"))


@bp.post("/items/<int:item_id>/decision")
def decide(item_id: int):
    item = review.get_item(item_id, current_user)
    form = DecisionForm()
    if not form.validate():
        return _review_page(item, 400, decision_form=form)
    with shown_on(form, "message") as outcome:
        review.decide(
            item,
            current_user,
            form.decision.data,
            form.message.data,
            status=form.status.data,
            checks=form.checks.data,
            notes=form.notes.data,
        )
    if outcome.failed:
        return _review_page(item, 400, decision_form=form)
    flash(str(DECIDED[form.decision.data]) % {"title": item.title}, "success")
    return _next_page()


@bp.post("/approve")
def approve_selected():
    """The queue's "Approve selected": publication outside any portfolio, for routine submissions."""
    back = back_to(url_for("desk.index"))
    with flashed() as refused:
        outcome = review.approve_selected(request.form.getlist("item", type=database_id), current_user)
    if refused.failed:
        return redirect(back)
    if outcome.approved:
        titles = _(", ").join(_("“%(title)s”", title=item.title) for item in outcome.approved[:5])
        if len(outcome.approved) > 5:
            titles = ngettext("%(titles)s and %(num)s more", "%(titles)s and %(num)s more", len(outcome.approved) - 5,
                              titles=titles)
        flash(_("Approved %(count)s: %(titles)s.", count=len(outcome.approved), titles=titles), "success")
    if outcome.skipped:
        flash(_("Not approved: %(reasons)s.", reasons=_("; ").join(outcome.skipped)), "info")
    return redirect(back)


@bp.post("/items/<int:item_id>/portfolio/<slug>")
def set_portfolio(item_id: int, slug: str):
    item = review.get_item(item_id, current_user)
    programme = programme_service.get_programme(slug)
    form = PortfolioFields(prefix=slug)
    if not form.validate():
        return _review_page(item, 400, portfolio_forms={slug: form})
    was_waiting = bool(desk_queue.pending_tasks(current_user, item))
    with shown_on(form, "status") as outcome:
        portfolio.set_portfolio_status(
            item, current_user, programme, form.status.data, form.checks.data, form.notes.data
        )
    if outcome.failed:
        return _review_page(item, 400, portfolio_forms={slug: form})
    flash(_("Portfolio status for %(programme)s: %(status)s.", programme=programme.name,
            status=label(PORTFOLIO_STATUSES, form.status.data)), "success")
    if was_waiting and not desk_queue.pending_tasks(current_user, item):
        return _next_page()  # that was the last thing the queue asked of this desk about the item
    return redirect(url_for("desk.item", item_id=item_id))


@bp.post("/items/<int:item_id>/comments")
def comment(item_id: int):
    item = review.get_item(item_id, current_user)
    with flashed() as outcome:
        comments.add_comment(item, current_user, request.form.get("body", ""))
    if outcome.failed:
        return _review_page(item, 400)
    flash(_("Message sent to the partner."), "success")
    return redirect(url_for("desk.item", item_id=item_id, _anchor="thread-title"))


@bp.post("/items/<int:item_id>/hide")
def hide(item_id: int):
    item = review.get_item(item_id, current_user)
    form = HideForm()
    if not form.validate():
        return _review_page(item, 400, hide_form=form)
    with shown_on(form, "reason") as outcome:
        review.hide(item, current_user, form.reason.data)
    if outcome.failed:
        return _review_page(item, 400, hide_form=form)
    flash(_("“%(title)s” is hidden from public view.", title=item.title), "success")
    return redirect(back_to(url_for("desk.item", item_id=item_id)))


@bp.post("/items/<int:item_id>/unhide")
def unhide(item_id: int):
    item = review.get_item(item_id, current_user)
    form = UnhideForm()
    form.validate()
    review.unhide(item, current_user, form.message.data or "")
    flash(_("“%(title)s” is public again (when published and active).", title=item.title), "success")
    return redirect(back_to(url_for("desk.item", item_id=item_id)))


@bp.get("/monitoring")
def monitoring():
    filters = parse_filters(request.args, desk=True)
    found = review.monitoring(current_user, filters)
    return render_template(
        "desk/monitoring.html",
        filters=filters,
        monitoring=found,
        groups=facet_groups(found.result),
        chip_list=chips(filters, "desk.monitoring"),
        clear_url=url_for("desk.monitoring", **filters.cleared().to_args()),
        hide_form=HideForm(formdata=None),
    )


@bp.get("/accounts", endpoint="accounts")
def account_list():
    filters = accounts.UserFilter(q=request.args.get("q", ""), active=request.args.get("active", "no"))
    users = paginate(accounts.users_query(current_user, filters), per_page=50)
    return render_template("desk/accounts.html", users=users, filters=filters)


@bp.post("/accounts/<int:user_id>/active")
def set_account_active(user_id: int):
    user = accounts.get_user(user_id)
    active = request.form.get("active") == "1"
    with flashed() as outcome:
        accounts.set_active(current_user, user, active)
    if not outcome.failed:
        done = _("%(email)s is active.") if active else _("%(email)s is deactivated.")
        flash(done % {"email": user.email}, "success")
    return redirect(back_to(url_for("desk.accounts")))


@bp.get("/reporting")
def reporting_dashboard():
    scope = reporting.open_scope(current_user, request.args.get("programme"), request.args.get("year"))
    return render_template(
        "desk/reporting.html",
        board=reporting.dashboard(scope),
        programmes=programme_service.desk_programmes(current_user),
        years=reporting.year_choices(),
    )


@bp.get("/reporting.csv")
def reporting_csv():
    return _reporting_table("partners")


@bp.get("/reporting/<name>.csv")
def reporting_table_csv(name: str):
    return _reporting_table(name)


def _reporting_table(name: str) -> Response:
    scope = reporting.open_scope(current_user, request.args.get("programme"), request.args.get("year"))
    table = reporting.table(scope, name)
    return csv_download(f"reporting-{scope.slug}-{scope.period.year}-{table.name}.csv", table.header, table.rows,
                        stream=table.streamed)


@bp.post("/reporting/reminders")
def send_reporting_reminders():
    scope = reporting.open_scope(current_user, request.form.get("programme"), request.form.get("year"))
    if scope.programme is None:
        raise RuleViolation(_("Choose one programme to send reminders for."), field="programme")
    target = request.form.get("organisation", "")
    organisation_id = positive_int(target)
    if target != "all" and organisation_id is None:
        raise RuleViolation(_("Choose a partner to remind, or all of them."), field="organisation")
    outcomes = reminders.send_reminders(
        current_user, scope.programme, scope.period.year, None if target == "all" else [organisation_id]
    )
    for category, message in reminders.describe_outcomes(outcomes):
        flash(message, category)
    return redirect(
        url_for("desk.reporting_dashboard", programme=scope.slug, year=scope.period.year, _anchor="not-reported")
    )
