"""The desk's pages: the queue, the review page and its decisions, monitoring; what the public and
the partner see afterwards."""

import re
from datetime import timedelta

import pytest

from portal.catalogue import workflow
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage, User, utcnow
from tests.helpers import programme

pytestmark = pytest.mark.search_backends()

ALL_CHECKS = ["organisation_verified", "aligned_with_objectives", "information_complete", "no_conflict_of_interest"]


@pytest.fixture
def desk(auth):
    """Logged in as a moderator of spp (the lead programme of the items below)."""
    return auth.login("moderator", programmes=("spp",))


@pytest.fixture
def submission(make_item, make_user):
    """A submitted item of spp (lead) and sfs, submitted through the workflow by its partner."""
    item = make_item(programmes=("spp", "sfs"), state="draft", title="Green tendering pilot")
    partner = make_user("partner", organisation=item.organisation)
    workflow.submit(item, partner)
    db.session.commit()
    return item


def decide(client, item, **data):
    return client.submit(f"/desk/items/{item.id}/decision", data, page=f"/desk/items/{item.id}")


def anonymous_status(app, item) -> int:
    return app.test_client().get(f"/items/{item.id}").status_code


def nav_count(page: str) -> int:
    """The count beside "Desk" in the main navigation."""
    found = re.search(r'<span class="nav-count">(\d+)<', page)
    return int(found.group(1)) if found else 0


def portfolio_list(app, slug: str, status: str) -> str:
    """The results of a status in a programme's portfolio, where its page sends visitors: the search."""
    page = app.test_client().get(f"/search?programme={slug}&status={status}").text
    assert f'href="/search?programme={slug}&amp;status={status}"' in app.test_client().get(f"/programmes/{slug}").text
    return page[page.index('<ol class="results">') :] if '<ol class="results">' in page else ""


def outbox():
    return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_the_review_page_has_the_contracts_labels_and_buttons(client, desk, submission):
    page = client.get(f"/desk/items/{submission.id}").text
    assert "<legend>Due diligence" in page
    for key, text in [
        ("organisation_verified", "Organisation verified"),
        ("no_conflict_of_interest", "No conflict of interest"),
    ]:
        box = re.search(rf'<input id="(checks-\d)" name="checks" type="checkbox" value="{key}">', page)
        assert box and f'<label for="{box.group(1)}">{text}</label>' in page
    assert '<label for="status">Portfolio status</label>' in page
    status = page[page.index('<select id="status"') :]
    assert re.findall(r"<option[^>]*>([^<]+)</option>", status[: status.index("</select>")]) == [
        "Not in portfolio", "Affiliated", "Core"]
    for button in ("Approve", "Request changes", "Reject"):
        assert f">{button}</button>" in page
    assert "Never published: the whole item is new." in page
    assert "submitted it for review" in page  # the history


def test_approval_makes_the_item_public_at_once_and_the_next_submission_opens(app, client, desk, submission, make_item):
    following = make_item(programmes=("spp",), state="submitted")
    assert anonymous_status(app, submission) == 404
    response = decide(client, submission, decision="approve", status="none")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/desk/items/{following.id}"
    assert anonymous_status(app, submission) == 200
    assert "Approved “Green tendering pilot”." in client.get(response.headers["Location"]).text

    assert decide(client, following, decision="approve").headers["Location"] == "/desk/"  # the queue is clear
    assert "Nothing waits for your decision" in client.get("/desk/").text


@pytest.mark.parametrize(
    "decision, message, state",
    [
        ("reject", "Not about consumption and production.", "rejected"),
        ("request_changes", "Add the report.", "changes_requested"),
    ],
)
def test_rejection_and_requested_changes_keep_the_item_out_of_public_view_and_record_the_message(
    app, client, desk, submission, decision, message, state
):
    response = decide(client, submission, decision=decision, message=message)
    assert response.status_code == 302
    db.session.refresh(submission)
    assert submission.state == state
    assert anonymous_status(app, submission) == 404
    event = db.session.scalars(db.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.action, event.message, event.actor_id) == (f"item.{state}", message, desk.id)
    assert message in client.get(f"/desk/items/{submission.id}").text  # in the history


@pytest.mark.parametrize(
    "decision, error",
    [("reject", "A reason is required."), ("request_changes", "A message to the partner is required.")],
)
def test_rejecting_needs_a_reason_and_asking_for_changes_a_message(client, desk, submission, decision, error):
    response = decide(client, submission, decision=decision, message="  ")
    assert response.status_code == 400
    assert f'<p class="field-error" id="message-error">{error}</p>' in response.text
    db.session.refresh(submission)
    assert submission.state == "submitted"
    assert outbox() == []


def test_an_unknown_decision_is_a_clear_400(client, desk, submission):
    response = decide(client, submission, decision="publish")
    assert response.status_code == 400
    assert "Choose Approve, Request changes or Reject." in response.text


def test_approve_selected_clears_routine_submissions_from_the_queue(app, client, desk, submission, make_item):
    second = make_item(programmes=("spp",), state="submitted", title="Second routine update")
    decided = make_item(programmes=("spp",), state="published", title="Already decided")
    queue = client.get("/desk/").text
    assert f'name="item" value="{submission.id}" form="approve-selected"' in queue
    assert f'<label for="select-{second.id}" class="visually-hidden">Select “Second routine update”</label>' in queue

    ticked = [str(submission.id), str(second.id), str(decided.id)]
    response = client.submit("/desk/approve", {"item": ticked, "next": "/desk/"}, page="/desk/")

    assert response.headers["Location"] == "/desk/"
    page = client.get("/desk/").text
    assert "Approved 2: “Green tendering pilot”, “Second routine update”." in page
    assert "Not approved: “Already decided” is no longer waiting for a decision." in page
    assert "Nothing waits for your decision" in page
    assert anonymous_status(app, submission) == 200 and anonymous_status(app, second) == 200
    assert submission.portfolio_status(submission.lead_programme) == "none"
    approvals = db.session.scalars(db.select(AuditEvent).where(AuditEvent.action == "item.approved")).all()
    assert sorted(event.item_id for event in approvals) == sorted([submission.id, second.id])
    assert {mail.subject for mail in outbox()} >= {"Published: Green tendering pilot"}


def test_approve_selected_needs_a_selection(client, desk, submission):
    response = client.submit("/desk/approve", {"next": "/desk/"}, page="/desk/")
    assert "Tick the submissions to approve." in client.get(response.headers["Location"]).text
    db.session.refresh(submission)
    assert submission.state == "submitted"


def test_approving_as_affiliated_needs_the_whole_checklist_and_then_shows_in_the_portfolio(
    app, client, desk, submission
):
    response = decide(client, submission, decision="approve", status="affiliated", checks=ALL_CHECKS[:3])
    assert response.status_code == 400
    assert "needs the whole due-diligence checklist" in response.text
    assert re.search(r'<input checked [^>]*value="information_complete"', response.text)  # ticks are kept
    db.session.refresh(submission)
    assert submission.state == "submitted"  # the approval was undone with the portfolio decision

    response = decide(client, submission, decision="approve", status="affiliated", checks=ALL_CHECKS, notes="Seen.")
    assert response.status_code == 302
    db.session.refresh(submission)
    assert submission.state == "published"
    assert submission.portfolio_status(programme("spp")) == "affiliated"
    assert submission.portfolio_status(programme("sfs")) == "none"
    assert f'<a href="/items/{submission.id}">Green tendering pilot</a>' in portfolio_list(app, "spp", "affiliated")
    assert "Green tendering pilot" not in portfolio_list(app, "sfs", "affiliated") + portfolio_list(app, "sfs", "core")


def test_the_other_programmes_desk_sets_its_portfolio_status_after_approval(app, client, auth, submission, make_user):
    lead = make_user("moderator", programmes=("spp",))
    sfs_desk = auth.login("moderator", programmes=("sfs",))
    page = client.get(f"/desk/items/{submission.id}").text
    assert "The desk of Sustainable Public Procurement decides publication" in page
    assert "Coming to your portfolio: 1" in client.get("/desk/").text

    workflow.approve(submission, lead)
    db.session.commit()
    assert nav_count(client.get("/").text) == 1
    url = f"/desk/items/{submission.id}/portfolio/sfs"
    response = client.submit(url, {"sfs-status": "affiliated", "sfs-checks": ALL_CHECKS[1:]}, page="/desk/")
    assert response.status_code == 400
    assert "needs the whole due-diligence checklist" in response.text
    response = client.submit(url, {"sfs-status": "core", "sfs-notes": "Our flagship."}, page="/desk/")
    assert response.headers["Location"] == "/desk/"  # nothing else waits: back to the (empty) queue
    db.session.refresh(submission)
    assert submission.portfolio_status(programme("sfs")) == "core"
    assert submission.portfolio_entries[0].decided_by_id == sfs_desk.id
    assert "Green tendering pilot" in portfolio_list(app, "sfs", "core")
    assert nav_count(client.get("/desk/").text) == 0


def test_hide_needs_a_reason_and_unhide_brings_the_item_back(app, client, desk, make_item):
    item = make_item(programmes=("spp",))
    monitoring = "/desk/monitoring?state=published"
    response = client.submit(f"/desk/items/{item.id}/hide", {"reason": " ", "next": monitoring}, page=monitoring)
    assert response.status_code == 400
    assert "Give a reason" in response.text
    assert anonymous_status(app, item) == 200

    response = client.submit(
        f"/desk/items/{item.id}/hide", {"reason": "Broken link.", "next": monitoring}, page=monitoring
    )
    assert response.headers["Location"] == monitoring
    assert anonymous_status(app, item) == 404
    assert '<span class="badge badge-danger">Hidden</span>' in client.get(monitoring).text

    response = client.submit(f"/desk/items/{item.id}/unhide", {"next": monitoring}, page=monitoring)
    assert response.status_code == 302
    assert anonymous_status(app, item) == 200
    actions = [
        (e.action, e.message)
        for e in db.session.scalars(db.select(AuditEvent).where(AuditEvent.item_id == item.id).order_by(AuditEvent.id))
    ]
    assert actions == [("item.hidden", "Broken link."), ("item.unhidden", "")]


@pytest.mark.parametrize(
    "act, subject, text",
    [
        (lambda c, i: decide(c, i, decision="approve", status="core"), "Published: ", "It is now public."),
        (lambda c, i: decide(c, i, decision="reject", message="Out of scope."), "Not accepted: ", "Out of scope."),
        (
            lambda c, i: decide(c, i, decision="request_changes", message="Add dates."),
            "Changes requested: ",
            "Add dates.",
        ),
        (
            lambda c, i: c.submit(f"/desk/items/{i.id}/comments", {"body": "Which cities?"}, page="/desk/"),
            "Message from the desk: ",
            "Which cities?",
        ),
    ],
    ids=["approve", "reject", "request_changes", "comment"],
)
def test_the_organisations_active_partners_are_mailed_each_decision(
    client, desk, submission, make_user, act, subject, text
):
    submitter = submission.organisation_id  # the fixture's partner submitted it
    colleague = make_user("partner", organisation=submission.organisation)
    inactive = make_user("partner", organisation=submission.organisation, active=False)
    stranger = make_user("partner")  # another organisation
    act(client, submission)
    mails = outbox()
    recipients = [mail.recipient for mail in mails]
    assert len(recipients) == 2 and colleague.email in recipients
    assert db.session.scalar(db.select(User.organisation_id).where(User.email == recipients[0])) == submitter
    assert inactive.email not in recipients and stranger.email not in recipients
    assert all(mail.subject == subject + "Green tendering pilot" for mail in mails)
    assert all(text in mail.body and f"/my/items/{submission.id}" in mail.body for mail in mails)


def test_hide_unhide_and_portfolio_changes_are_mailed_too(client, desk, make_item, make_user):
    item = make_item(programmes=("spp",), title="Ecolabel guide")
    make_user("partner", organisation=item.organisation)
    response = client.submit(f"/desk/items/{item.id}/portfolio/spp", {"spp-status": "core"}, page="/desk/")
    assert response.headers["Location"] == f"/desk/items/{item.id}"  # not from the queue: stay on the item
    client.submit(f"/desk/items/{item.id}/hide", {"reason": "Link broken."}, page="/desk/")
    client.submit(f"/desk/items/{item.id}/unhide", {"message": "Fixed, thanks."}, page="/desk/")
    mails = outbox()
    assert [mail.subject for mail in mails] == [
        "Portfolio status: Ecolabel guide",
        "Hidden from public view: Ecolabel guide",
        "Visible again: Ecolabel guide",
    ]
    assert "to Core" in mails[0].body and "Link broken." in mails[1].body and "Fixed, thanks." in mails[2].body


def test_the_queue_shows_kind_organisation_programmes_and_age_and_filters(client, desk, make_item):
    old = make_item("resource", programmes=("spp", "sfs"), state="submitted", title="Old procurement guide")
    old.submitted_at = utcnow() - timedelta(days=12)
    new = make_item(programmes=("spp",), state="submitted", title="New procurement pilot")
    new.submitted_at = utcnow() - timedelta(hours=5)
    db.session.commit()
    page = client.get("/desk/").text
    assert nav_count(page) == 2 and "Waiting for your decision: 2" in page
    assert page.index("Old procurement guide") < page.index("New procurement pilot")
    row = page[page.index("<td>12 days</td>") :]
    assert (
        row.index("Old procurement guide") < row.index("Resource") < row.index(old.organisation.name) < row.index("SFS")
    )
    assert "<td>5 h</td>" in page
    assert "Accounts waiting for activation" in page
    filtered = client.get("/desk/?kind=initiative").text
    assert "New procurement pilot" in filtered and "Old procurement guide" not in filtered
    assert client.get("/desk/?kind=nonsense").status_code == 400


def test_the_queue_counts_waiting_accounts_and_keeps_the_navigations_count_when_filtered(
    client, desk, make_item, make_user, make_organisation
):
    make_item(programmes=("spp",), state="submitted", title="Solar cooking")
    make_item("resource", programmes=("spp",), state="submitted", title="Procurement guide")
    for programmes in (("spp",), ("spp", "sfs"), ("ci",)):
        make_user("partner", organisation=make_organisation(programmes=programmes), active=False)
    make_user("partner", organisation=make_organisation(programmes=("spp",)))  # active: waits for nothing
    page = client.get("/desk/").text
    assert "2 partner accounts waiting" in page  # the ci partner is another desk's
    filtered = client.get("/desk/?kind=resource").text
    assert "Waiting for your decision: 1" in filtered and nav_count(filtered) == 2  # the navigation counts all


def test_coming_to_your_portfolio_lists_the_oldest_submissions_up_to_the_limit(client, desk, make_item, monkeypatch):
    monkeypatch.setattr("portal.catalogue.desk_queue.WAITING_ELSEWHERE_LIMIT", 2)
    for days, title in ((3, "Middle"), (9, "Oldest"), (1, "Newest"), (5, "Second")):
        item = make_item(programmes=("ci", "spp"), state="submitted", title=f"{title} cooperation")
        item.submitted_at = utcnow() - timedelta(days=days)
    db.session.commit()
    page = client.get("/desk/").text
    shown = page[page.index('id="elsewhere"') :]
    assert "Coming to your portfolio: 2" in page
    assert shown.index("Oldest cooperation") < shown.index("Second cooperation") and "Middle" not in shown
    filtered = client.get("/desk/?q=cooperation -oldest").text
    assert "Second cooperation" in filtered and "Middle cooperation" in filtered and "Newest" not in filtered


def test_monitoring_lists_with_filters_pages_and_refuses_bad_parameters(client, desk, make_item):
    for number in range(25):
        make_item(programmes=("spp",), state="draft" if number % 2 else "published", title=f"Item {number:02}")
    page = client.get("/desk/monitoring?state=draft&sort=title").text
    assert "12 items" in page
    assert page.index("Item 01") < page.index("Item 03")
    everything = client.get("/desk/monitoring?per_page=10&page=2").text
    assert "25 items" in everything and 'rel="next"' in everything and 'rel="prev"' in everything
    assert client.get("/desk/monitoring?state=lost").status_code == 400
    assert client.get("/desk/monitoring?page=0").status_code == 400


def test_an_empty_message_in_the_thread_is_refused_and_a_desk_message_is_shown(client, desk, submission):
    url = f"/desk/items/{submission.id}/comments"
    response = client.submit(url, {"body": "   "}, page="/desk/")
    assert response.status_code == 400 and "Write a message." in response.text
    assert outbox() == []
    response = client.submit(url, {"body": "Which cities take part?"}, page="/desk/")
    assert response.headers["Location"] == f"/desk/items/{submission.id}#thread-title"
    assert "Which cities take part?" in client.get(f"/desk/items/{submission.id}").text


def test_the_queue_takes_words_and_filters_as_search_does(client, desk, make_item):
    for n in range(12):
        make_item(programmes=("spp",), state="submitted", title=f"Routine procurement report {n}")
    wanted = make_item(programmes=("spp",), state="submitted", title="Solar cooking in school canteens")
    make_item(programmes=("spp",), state="published", title="Solar cooking, already public")  # waits for nobody
    page = client.get("/desk/", query_string={"q": '"solar cooking"'}).text
    assert "Waiting for your decision: 1" in page and wanted.title in page
    page = client.get("/desk/", query_string={"q": "canteens OR nothingsuch", "sdg": "12"}).text
    assert "Waiting for your decision: 1" in page and 'name="sdg" value="12"' in page  # kept by the form
    assert "Waiting for your decision: 12" in client.get("/desk/?q=routine -solar").text
    assert "Nothing waiting for your decision matches" in client.get("/desk/?q=wind").text


def test_monitoring_searches_like_search_with_counts_in_the_desks_scope(client, desk, make_item):
    solar = make_item(programmes=("spp",), state="draft", title="Solar dryer", sdgs=(7,))
    wind = make_item(programmes=("spp", "ci"), state="rejected", title="Wind pumps", portfolio={"ci": "core"})
    make_item(programmes=("ci",), title="Wind atlas")  # another desk's item
    page = client.get("/desk/monitoring", query_string={"q": "solar OR wind"}).text
    assert "2 items" in page and solar.title in page and wind.title in page and "Wind atlas" not in page
    assert "1 item" in client.get("/desk/monitoring", query_string={"q": '"wind pumps"'}).text
    # An item core for ci and undecided in spp is in some portfolio: not "none", as on /search.
    page = client.get("/desk/monitoring?status=none").text
    assert "1 item" in page and solar.title in page
    assert "1 item" in client.get("/desk/monitoring?status=none&programme=spp&q=wind").text
    facets = client.get("/desk/monitoring").text
    assert re.search(r'value="7"[^>]*>\s*<label[^>]*>SDG 7 – Affordable and clean energy <span class="count">\(1\)',
                     facets)
    assert 'href="/desk/monitoring">Clear all filters' in client.get("/desk/monitoring?sdg=7").text


def test_monitoring_hides_with_a_labelled_reason_per_row(client, desk, make_item):
    items = [make_item(programmes=("spp",), title=f"Published guide {n}") for n in range(2)]
    page = client.get("/desk/monitoring").text
    for item in items:
        assert f'<label for="reason-{item.id}">Reason for hiding</label>' in page
        assert f'id="reason-{item.id}"' in page
    lead_elsewhere = make_item(programmes=("sfs", "spp"), title="Led by the food desk")
    page = client.get("/desk/monitoring?q=food").text
    assert lead_elsewhere.title in page and "lead desk decides" in page


def test_inactivity_is_told_from_the_setting_not_as_two_years(app, client, desk, make_item):
    app.config["INACTIVE_AFTER_DAYS"] = 365
    aged = make_item(programmes=("spp",), updated_days_ago=400, title="Aged published guide")
    waiting = make_item(programmes=("spp",), state="submitted", updated_days_ago=400, title="Aged submission")
    for url, item in ((f"/items/{aged.id}", aged), (f"/desk/items/{waiting.id}", waiting)):
        page = client.get(url).text
        assert "two years" not in page
        assert f"ot updated since {item.updated_at.strftime('%d %b %Y')}" in page
