"""One transaction per request: what a view wrote is kept only when it answered successfully."""

import pytest
from flask import abort, get_flashed_messages
from sqlalchemy import func, select

from portal.catalogue import RuleViolation
from portal.extensions import db
from portal.forms.auth import LoginForm
from portal.models import Organisation
from portal.views.transaction import flashed, in_transaction, shown_on


@pytest.fixture
def organisations(app):
    def count() -> int:
        db.session.rollback()
        return db.session.scalar(select(func.count(Organisation.id)))

    return count


def _add(name: str) -> None:
    db.session.add(Organisation(name=name))
    db.session.flush()


def test_every_view_runs_in_a_transaction(app):
    assert all(getattr(view, "in_transaction", False) for view in app.view_functions.values())


@pytest.mark.parametrize(
    ("answer", "kept"),
    [(lambda: "ok", 1), (lambda: ("created", 201), 1), (lambda: ("shown again", 400), 0), (lambda: abort(403), 0)],
)
def test_writes_are_kept_only_for_a_successful_answer(app, organisations, answer, kept):
    def view():
        _add("Written by the view")
        return answer()

    with app.test_request_context("/"):
        before = organisations()
        try:
            in_transaction(view)()
        except Exception:  # an aborted view: the error handler answers, nothing is committed
            db.session.rollback()
        assert organisations() == before + kept


def test_a_refused_service_call_is_rolled_back_and_shown_at_its_field(app, organisations):
    with app.test_request_context("/login", method="POST", data={"email": "x@example.org"}):
        form = LoginForm(meta={"csrf": False})
        before = organisations()
        with shown_on(form) as outcome:
            _add("Half done")
            raise RuleViolation("That address is taken.", field="email")
        assert outcome.failed
        assert form.email.errors == ["That address is taken."]
        assert organisations() == before


def test_a_message_for_no_field_goes_to_the_default_field_or_the_top(app):
    with app.test_request_context("/login", method="POST"):
        form = LoginForm(meta={"csrf": False})
        with shown_on(form, "password"):
            raise RuleViolation("Not allowed.")
        with shown_on(form):
            raise RuleViolation("Nor this.", field="no_such_field")
        assert form.password.errors == ["Not allowed."]
        assert form.form_errors == ["Nor this."]


def test_a_refused_button_is_rolled_back_and_flashed(app, organisations):
    with app.test_request_context("/"):
        before = organisations()
        with flashed() as outcome:
            _add("Half done")
            raise RuleViolation("Choose a partner.")
        assert outcome.failed and organisations() == before
        assert get_flashed_messages(with_categories=True) == [("error", "Choose a partner.")]
