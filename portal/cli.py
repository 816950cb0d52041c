"""Command line: ``flask --app portal <command>``."""

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from portal import demo, demo_network, mail, ratelimit, search, vocab
from portal.catalogue import RuleViolation, accounts, digests, importing, lapses, reminders, reporting, sessions
from portal.catalogue.reference import ensure_reference_data
from portal.catalogue.reporting.period import FIRST_YEAR
from portal.extensions import db
from portal.forms import programmes_by_slug
from portal.models import Item, Programme

users_cli = AppGroup("users", help="Manage accounts.")
search_cli = AppGroup("search", help="The search index.")
mail_cli = AppGroup("mail", help="The outbox.")
reporting_cli = AppGroup("reporting", help="Programme reporting.")
reminders_cli = AppGroup("reminders", help="Reminders to partner organisations.")
import_cli = AppGroup("import", help="Import existing records from CSV or JSON (docs/import.md).")
sessions_cli = AppGroup("sessions", help="Login sessions.")


@click.command("seed-demo")
@click.option("--items", "item_count", default=0, show_default=True, help="How many demo items to generate.")
@click.option("--if-empty", is_flag=True, help="Do nothing when the catalogue already has items.")
@click.option("--seed", default=2026, show_default=True, help="Random seed, for repeatable data.")
def seed_demo(item_count: int, if_empty: bool, seed: int) -> None:
    """Programmes, SDGs, demo organisations and accounts, and demo items."""
    if if_empty and db.session.scalar(select(Item.id).limit(1)) is not None:
        click.echo(_("The catalogue already has items; nothing seeded."))
        return
    ensure_reference_data()
    passwords = demo.seed_accounts()
    db.session.commit()
    if item_count:
        with click.progressbar(length=item_count, label=_("Generating %(count)s demo items", count=item_count)) as bar:
            demo.seed_items(item_count, seed=seed, progress=bar.update)
        db.session.commit()
        # Bulk inserts bypass the ORM events that feed the index: rebuild it in one go.
        _reindex()
        recorded = demo_network.seed_network(seed=seed)
        db.session.commit()
        click.echo(_("Recorded %(count)s country needs with their offers, links and highlights.", count=recorded))
    click.echo("\n" + _("Demo accounts (demo data only: never seed a production database):"))
    for email, (role, password) in passwords.items():
        click.echo(f"  {role:<10} {email:<32} " + _("password: %(password)s", password=password))


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(vocab.values(vocab.ROLES)), required=True)
@click.option("--name", default="", help="Display name (default: the part of the email before @).")
@click.option("--organisation", help="A partner's organisation; created when it does not exist.")
@click.option(
    "--programme",
    "programme_slugs",
    multiple=True,
    help="Partner: its organisation partners these programmes. Moderator: the programmes moderated.",
)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, help="Prompted for when not given.")
def create_user(email, role, name, organisation, programme_slugs, password) -> None:
    """Create an active account."""
    ensure_reference_data()
    programmes = programmes_by_slug(list(programme_slugs))
    unknown = set(programme_slugs) - {programme.slug for programme in programmes}
    if unknown:
        raise click.BadParameter(_("unknown programme %(slugs)s", slugs=", ".join(sorted(unknown))),
                                 param_hint="--programme")
    try:
        org = None
        if role == "partner":
            if not organisation:
                raise click.BadParameter(_("a partner needs --organisation"), param_hint="--organisation")
            org = accounts.get_or_create_organisation(organisation, programmes=programmes)
        user = accounts.create_user(email, name or email.split("@")[0], password, role, org, programmes)
    except RuleViolation as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(_("Created %(role)s %(email)s.", role=dict(vocab.ROLES)[user.role], email=user.email))


@mail_cli.command("retry")
def retry_mail() -> None:
    """Send the messages the SMTP server has not accepted yet."""
    if not mail.smtp_configured():
        raise click.ClickException(_("No SMTP server is configured (PORTAL_MAIL_SERVER); messages stay in the "
                                     "outbox."))
    sent, failed = mail.deliver()
    click.echo(_("Sent %(sent)s, still waiting %(failed)s.", sent=sent, failed=failed))
    if failed:
        raise SystemExit(1)


@mail_cli.command("digests")
@click.option("--dry-run", is_flag=True, help="Only count the digests that would go out.")
def mail_digests(dry_run: bool) -> None:
    """Mail the due digests of saved searches (for a daily job; a second run the same day sends nothing)."""
    with click.progressbar(length=digests.due_count(), label=_("Matching the saved searches due")) as bar:
        run = digests.send_digests(dry_run=dry_run, progress=bar.update)
    db.session.commit()
    counts = {"due": run.due, "sent": run.sent, "items": run.items, "empty": run.empty}
    if dry_run:
        click.echo(_("Saved searches due: %(due)s. Digests that would be mailed: %(sent)s (new items in all: "
                     "%(items)s). With nothing new: %(empty)s.", **counts))
    else:
        click.echo(_("Saved searches due: %(due)s. Digests mailed: %(sent)s (new items in all: %(items)s). "
                     "With nothing new: %(empty)s.", **counts))
    if run.broken:
        click.echo(_("Skipped, filters no longer valid: saved searches %(ids)s.", ids=", ".join(map(str, run.broken))),
                   err=True)


def _reindex() -> None:
    total = search.item_count()
    with click.progressbar(length=total, label=_("Indexing %(count)s items", count=total)) as bar:
        search.rebuild(progress=bar.update)
    click.echo(ngettext("Indexed %(num)s item.", "Indexed %(num)s items.", total))


@search_cli.command("reindex")
def reindex() -> None:
    """Rebuild search from the database: Whoosh builds a new index folder and swaps it in atomically;
    PostgreSQL rewrites its search rows."""
    _reindex()


@search_cli.command("check")
def check() -> None:
    """Compare search with the database; exit 1 naming the ids that drifted. With Whoosh, lists every
    host keeping an index of this database with how far it has applied the queue."""
    try:
        drift = search.check()
    except search.SearchUnavailable as error:
        click.echo(_("%(error)s Run `flask --app portal search reindex` to build it.", error=error), err=True)
        raise SystemExit(1) from None
    service = search.service()
    for host in service.hosts():
        mark = " (this host)" if host.host_id == service.host_id else ""
        click.echo(f"Host {host.host_id}{mark}: applied the queue through {host.applied_through}, "
                   f"{host.behind} changes behind, last seen {host.seen_at:%Y-%m-%d %H:%M:%S} UTC")
    problems = {kind: ids for kind, ids in drift.items() if ids}
    if not problems:
        click.echo(_("The index matches the database."))
        return
    for kind, ids in problems.items():
        shown = ", ".join(str(i) for i in ids[:50])
        if len(ids) > 50:
            shown = ngettext("%(ids)s and %(num)s more", "%(ids)s and %(num)s more", len(ids) - 50, ids=shown)
        click.echo(f"{kind}: {shown}", err=True)
    click.echo(_("Run `flask --app portal search reindex` to rebuild the index."), err=True)
    raise SystemExit(1)


@search_cli.command("drain")
def drain() -> None:
    """Index the changes still waiting in the queue (rebuilding a missing or unreadable index first)."""
    count = search.drain()
    click.echo(ngettext("Indexed %(num)s queued change.", "Indexed %(num)s queued changes.", count))


@reporting_cli.command("remind")
@click.option("--programme", "slug", required=True, help="The programme's slug, e.g. spp.")
@click.option("--year", type=int, help="The reporting year (default: the current one; no other is accepted).")
@click.option("--dry-run", is_flag=True, help="Only print who would be reminded.")
def remind(slug: str, year: int | None, dry_run: bool) -> None:
    """Remind the partners that have not reported yet (at most once per REMINDER_INTERVAL_DAYS)."""
    programme = db.session.scalar(select(Programme).where(Programme.slug == slug))
    if programme is None:
        raise click.BadParameter(_("unknown programme %(slugs)s", slugs=slug), param_hint="--programme")
    try:
        outcomes = reminders.send_reminders(None, programme, year, dry_run=dry_run)
    except RuleViolation as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    db.session.commit()
    for outcome in outcomes:
        values = {"organisation": outcome.organisation, "recipients": ", ".join(outcome.recipients),
                  "reason": outcome.skipped}
        if not outcome.sent:
            click.echo(_("skipped: %(organisation)s (%(reason)s)", **values))
        elif dry_run:
            click.echo(_("would remind: %(organisation)s (%(recipients)s)", **values))
        else:
            click.echo(_("reminded: %(organisation)s (%(recipients)s)", **values))
    sent = sum(1 for outcome in outcomes if outcome.sent)
    counts = {"programme": programme.name, "skipped": len(outcomes) - sent}
    if dry_run:
        click.echo(ngettext("%(programme)s: %(num)s partner would be reminded, %(skipped)s skipped (dry run: nothing "
                            "sent or recorded).", "%(programme)s: %(num)s partners would be reminded, %(skipped)s "
                            "skipped (dry run: nothing sent or recorded).", sent, **counts))
    else:
        click.echo(ngettext("%(programme)s: %(num)s partner reminded, %(skipped)s skipped.",
                            "%(programme)s: %(num)s partners reminded, %(skipped)s skipped.", sent, **counts))


@reminders_cli.command("lapse")
@click.option("--dry-run", is_flag=True, help="Only print who would be warned about which items.")
def lapse(dry_run: bool) -> None:
    """Warn organisations about items that become inactive within INACTIVE_WARNING_DAYS (once per item and
    lapse; for a daily job)."""
    outcomes = lapses.send_lapse_warnings(dry_run=dry_run)
    db.session.commit()
    for outcome in outcomes:
        count = len(outcome.lapses)
        values = {"organisation": outcome.organisation, "recipients": ", ".join(outcome.recipients)}
        if not outcome.sent:
            click.echo(ngettext("skipped: %(organisation)s (%(num)s item; no active partner account and no "
                                "reporting focal point)", "skipped: %(organisation)s (%(num)s items; no active "
                                "partner account and no reporting focal point)", count, **values))
        elif dry_run:
            click.echo(ngettext("would warn: %(organisation)s about %(num)s item (%(recipients)s)",
                                "would warn: %(organisation)s about %(num)s items (%(recipients)s)", count, **values))
        else:
            click.echo(ngettext("warned: %(organisation)s about %(num)s item (%(recipients)s)",
                                "warned: %(organisation)s about %(num)s items (%(recipients)s)", count, **values))
    sent = [outcome for outcome in outcomes if outcome.sent]
    counts = {"organisations": len(sent), "items": sum(len(outcome.lapses) for outcome in sent)}
    if dry_run:
        click.echo(_("Organisations that would be warned: %(organisations)s; items: %(items)s (dry run: nothing "
                     "sent or recorded).", **counts))
    else:
        click.echo(_("Organisations warned: %(organisations)s; items: %(items)s.", **counts))


def _import(kind: str, path: str, dry_run: bool, create_organisations: bool = True) -> None:
    """Import ``path``'s rows of ``kind`` in chunks, each committed (nothing of a dry run)."""
    try:
        parsed = importing.read(kind, Path(path).read_bytes(), path)
    except importing.FileRefused as error:
        message = _("%(file)s: %(error)s Nothing was imported.", file=path, error=error.message)
        raise click.ClickException(message) from None
    writer = importing.importer(kind, parsed, None, path, create_organisations=create_organisations)
    report = writer.report
    report.keep = len(parsed.rows) * len(importing.columns(kind))  # the command line shows every error
    rows = len(parsed.rows)
    label = (ngettext("Checking %(num)s row", "Checking %(num)s rows", rows) if dry_run
             else ngettext("Importing %(num)s row", "Importing %(num)s rows", rows))
    with click.progressbar(length=len(parsed.rows), label=label) as bar:
        for start in range(0, len(parsed.rows), importing.CHUNK_ROWS):
            importing.run_rows(writer, parsed.rows[start : start + importing.CHUNK_ROWS], dry_run=dry_run,
                               progress=bar.update)
            db.session.commit()  # the chunk and its search index updates (a dry run left nothing to commit)
    if not dry_run:
        writer.finish()
        db.session.commit()
    for error in report.errors:
        where = {"file": path, "unit": report.unit_word, "row": error.row, "column": error.column,
                 "error": error.message}
        if error.column:
            click.echo(_("%(file)s: %(unit)s %(row)s: %(column)s: %(error)s", **where), err=True)
        else:
            click.echo(_("%(file)s: %(unit)s %(row)s: %(error)s", **where), err=True)
    if dry_run:
        click.echo(_("Dry run, nothing written: %(summary)s.", summary=report.summary()))
    else:
        click.echo(_("%(summary)s.", summary=report.summary()))
    if report.failed:
        raise SystemExit(1)


@import_cli.command("items")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and report, write nothing.")
@click.option("--create-organisations/--no-create-organisations", default=True, show_default=True,
              help="Create the organisations the catalogue does not know yet, or refuse their rows.")
def import_items(path: str, dry_run: bool, create_organisations: bool) -> None:
    """Import initiatives and resources; a second run of the same file updates them by source_id."""
    _import("items", path, dry_run, create_organisations)


@import_cli.command("organisations")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and report, write nothing.")
def import_organisations(path: str, dry_run: bool) -> None:
    """Import partner organisations and their partnerships; a second run updates them by name."""
    _import("organisations", path, dry_run)


@sessions_cli.command("purge")
def purge_sessions() -> None:
    """Delete ended login sessions, login failures that no longer count and ended rate-limit windows
    (safe to run from cron)."""
    purged = sessions.purge()
    ratelimit.purge_expired()
    db.session.commit()
    click.echo(_("Deleted %(sessions)s ended sessions and %(failures)s old login failures.",
                 sessions=purged.sessions, failures=purged.login_failures))


@reporting_cli.command("refresh")
@click.option("--year", "years", type=click.IntRange(FIRST_YEAR), multiple=True,
              help="A reporting year (repeatable; default: the current one).")
def refresh_reporting(years: tuple[int, ...]) -> None:
    """Compute the dashboards and programme achievements that are not up to date, for every worker and host."""
    chosen = list(years) or [reporting.current_year()]
    with click.progressbar(length=reporting.scope_count(chosen), label=_("Computing the reporting figures")) as bar:
        computed, current = reporting.prepare(chosen, progress=bar.update)
    click.echo(_("Reporting figures computed: %(computed)s; already up to date: %(current)s.",
                 computed=computed, current=current))


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(users_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(search_cli)
    app.cli.add_command(reporting_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(sessions_cli)
