"""Logging in and out, registering, changing one's password, resetting a forgotten one by mail."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from portal.catalogue import accounts, logins, resets
from portal.extensions import limiter
from portal.forms import organisation_choices, programme_choices, programmes_by_slug
from portal.forms.auth import (
    NEW_ORGANISATION,
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    RegistrationForm,
    ResetPasswordForm,
)
from portal.i18n import LANGUAGES
from portal.requestinfo import client_address
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
            user = logins.authenticate(form.email.data, form.password.data, client_address())
        except logins.LoginThrottled as error:
            minutes = max(1, round(error.retry_after / 60))
            raise TooManyRequests(
                ngettext("Too many failed logins. For your safety, logging in is paused: try again in %(num)s minute.",
                         "Too many failed logins. For your safety, logging in is paused: try again in %(num)s "
                         "minutes.", minutes),
                retry_after=error.retry_after,
            ) from None
        except logins.InvalidCredentials:
            # Answered with 200 so that the failure is committed: it counts towards the throttle.
            form.form_errors.append(_("Wrong email or password."))
        except logins.AccountInactive:
            form.form_errors.append(
                _("Your account is waiting for activation by the secretariat or a desk moderator. "
                "You will get an email when it is active.")
            )
        else:
            log_in(user)
            flash(_("Welcome, %(name)s.", name=user.name), "success")
            return redirect(safe_next(request.args.get("next")) or start_page(user))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["GET", "POST"])
@role_required()
def logout():
    if request.method == "POST":  # CSRFProtect has checked the token
        log_out()
        flash(_("You are logged out."), "success")
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
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(start_page(current_user))
    return render_template("auth/change_password.html", form=form, language_form=_language_form())


def _language_form() -> LanguageForm:
    return LanguageForm(formdata=None, language=current_user.language)


@bp.post("/account/language")
@role_required()
def set_language():
    """The language of the account's mails (the pages follow the chooser)."""
    form = LanguageForm()
    if form.validate_on_submit():
        accounts.set_language(current_user, form.language.data)
        flash(_("Your mails are now written in %(language)s.", language=LANGUAGES[form.language.data]), "success")
        return redirect(url_for("auth.change_password"))
    return render_template("auth/change_password.html", form=ChangePasswordForm(formdata=None), language_form=form), 400


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        resets.request_reset(form.email.data)  # the same answer whether or not the account exists
        return render_template("auth/reset_requested.html", email=form.email.data)
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset", methods=["GET", "POST"])
def reset_password():
    """The link of the reset mail (``?token=``): the form for the new password, posted with the token."""
    form = ResetPasswordForm(token=request.args.get("token", ""))
    if resets.user_for_token(form.token.data) is None:
        expired = ForgotPasswordForm(formdata=None)
        expired.form_errors.append(resets.expired_message())
        return render_template("auth/forgot_password.html", form=expired), 400
    if form.validate_on_submit():
        with shown_on(form, "password") as outcome:
            resets.reset_password(form.token.data, form.password.data, client_address())
        if not outcome.failed:
            flash(_("Your password is changed and you are logged out everywhere. Log in with the new one."),
                  "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
