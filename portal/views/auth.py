"""Logging in and out, registering, changing one's password."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from portal.catalogue import accounts
from portal.forms import organisation_choices, programme_choices, programmes_by_slug
from portal.forms.auth import NEW_ORGANISATION, ChangePasswordForm, LoginForm, RegistrationForm
from portal.security import log_in, log_out
from portal.views.access import role_required
from portal.views.shared import safe_next
from portal.views.transaction import shown_on

bp = Blueprint("auth", __name__)

START_PAGES = {"partner": "partner.dashboard", "moderator": "desk.index", "admin": "admin.index"}


def start_page(user) -> str:
    return url_for(START_PAGES.get(user.role, "public.home"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")) or start_page(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data, request.remote_addr or "unknown")
        except accounts.LoginThrottled as error:
            minutes = max(1, round(error.retry_after / 60))
            raise TooManyRequests(
                f"Too many failed logins. For your safety, logging in is paused: try again in {minutes} "
                f"minute{'s' if minutes > 1 else ''}.",
                retry_after=error.retry_after,
            ) from None
        except accounts.InvalidCredentials:
            # Answered with 200 so that the failure is committed: it counts towards the throttle.
            form.form_errors.append("Wrong email or password.")
        except accounts.AccountInactive:
            form.form_errors.append(
                "Your account is waiting for activation by the secretariat or a desk moderator. "
                "You will get an email when it is active."
            )
        else:
            log_in(user)
            flash(f"Welcome, {user.name}.", "success")
            return redirect(safe_next(request.args.get("next")) or start_page(user))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
@role_required()
def logout():
    if request.method == "POST":  # CSRFProtect has checked the token
        log_out()
        flash("You are logged out.", "success")
        return redirect(url_for("public.home"))
    return render_template("auth/logout.html")


@bp.route("/register", methods=["GET", "POST"])
def register():
    form = RegistrationForm(organisations=organisation_choices(), programmes=programme_choices())
    if form.validate_on_submit():
        existing = None
        if form.organisation.data != NEW_ORGANISATION:
            existing = accounts.get_organisation(int(form.organisation.data))
        with shown_on(form, "email") as outcome:
            accounts.register(
                form.email.data,
                form.name.data.strip(),
                form.password.data,
                organisation=existing,
                new_organisation_name=form.organisation_name.data or "",
                new_organisation_type=form.organisation_type.data,
                new_organisation_country=form.organisation_country.data or None,
                programmes=programmes_by_slug(form.programmes.data or []),
            )
        if not outcome.failed:
            return render_template("auth/registered.html", email=form.email.data), 201
    return render_template("auth/register.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@role_required()
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with shown_on(form, "password") as outcome:
            accounts.change_password(current_user, form.current_password.data, form.password.data)
        if not outcome.failed:
            log_in(current_user._get_current_object())  # every other session has ended; this one starts afresh
            flash("Your password is changed. Other devices have been logged out.", "success")
            return redirect(start_page(current_user))
    return render_template("auth/change_password.html", form=form)
