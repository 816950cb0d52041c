"""One transaction per request, committed at the request boundary; rule violations shown where they belong.

``install(app)`` wraps every view function once: when the view answers with a status below 400 the
session is committed, otherwise (an error page, a form shown again with its errors, an exception) it
is rolled back. Services only flush and views never commit, so a request writes all or nothing.

``shown_on(form)`` and ``flashed()`` are the two ways a view answers a ``RuleViolation`` raised by a
service: roll back what the service did, then put the message at the form field it names, or flash it
(for buttons that redirect back). The view then renders or redirects as usual.
"""

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import wraps

from flask import Flask, flash, make_response

from portal.catalogue import RuleViolation
from portal.extensions import db
from portal.forms import show_violation


def in_transaction(view: Callable) -> Callable:
    """``view`` with its writes committed when it succeeds and rolled back when it does not."""

    @wraps(view)
    def run(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        session = db.session()
        if not session.in_transaction():  # nothing read or written (a page from the cache, or from search)
            return response
        if response.status_code < 400:
            session.commit()
        else:
            session.rollback()
        return response

    return run


def install(app: Flask) -> None:
    """Run every view of ``app`` in its own transaction (call after the blueprints are registered)."""
    for endpoint, view in app.view_functions.items():
        if not getattr(view, "in_transaction", False):
            wrapped = in_transaction(view)
            wrapped.in_transaction = True
            app.view_functions[endpoint] = wrapped


@dataclass
class Outcome:
    """Whether the service call inside ``shown_on`` or ``flashed`` was refused."""

    failed: bool = False


@contextlib.contextmanager
def shown_on(form, field: str | None = None) -> Iterator[Outcome]:
    """Run a service call; on a ``RuleViolation`` roll back and show it on ``form`` (at the field the rule
    names, else ``field``, else at the top of the form)."""
    outcome = Outcome()
    try:
        yield outcome
    except RuleViolation as error:
        db.session.rollback()
        show_violation(form, error, field)
        outcome.failed = True


@contextlib.contextmanager
def flashed() -> Iterator[Outcome]:
    """Run a service call; on a ``RuleViolation`` roll back and flash its message as an error."""
    outcome = Outcome()
    try:
        yield outcome
    except RuleViolation as error:
        db.session.rollback()
        flash(error.message, "error")
        outcome.failed = True
