"""Mails go out in the recipient's language (DESIGN.md, "Languages"): each account has a language, the
one it registered in by default, and every mail is written in it, subject included.

The French here comes from a small test catalogue, so that these tests check the machinery whatever the
shipped catalogues hold (tests/test_translations.py checks those).
"""

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from portal import vocab
from portal.catalogue import accounts, notifications, review, workflow
from portal.extensions import babel, db
from portal.models import OutboxMessage, User

FRENCH = {
    "Published: %(title)s": "Publié : %(title)s",
    "The desk of %(programme)s approved “%(title)s”. It is now public.":
        "Le bureau de %(programme)s a approuvé « %(title)s ». Il est maintenant public.",
    "See the item and its history at %(link)s": "Voir l'élément et son historique : %(link)s",
    "Its public page: %(link)s": "Sa page publique : %(link)s",
    "Sustainable Public Procurement": "Achats publics durables",
    "Reset your password": "Réinitialisez votre mot de passe",
}


def forget_translations() -> None:
    babel.domain_instance.cache.clear()
    vocab.forget_labels()


@pytest.fixture
def french(app, tmp_path):
    """A French catalogue with the strings of FRENCH in place of the shipped one."""
    catalog = Catalog(locale="fr")
    for msgid, msgstr in FRENCH.items():
        catalog.add(msgid, msgstr)
    folder = tmp_path / "translations" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / "messages.mo").open("wb") as file:
        write_mo(file, catalog)
    shipped = app.extensions["babel"].translation_directories
    app.extensions["babel"].translation_directories = [str(tmp_path / "translations")]
    forget_translations()
    yield
    app.extensions["babel"].translation_directories = shipped
    forget_translations()


def outbox() -> list[OutboxMessage]:
    return db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).all()


def test_the_desks_decision_reaches_a_french_partner_in_french_and_an_english_one_in_english(
    french, make_item, make_user
):
    item = make_item(programmes=("spp",), state="draft", title="Cantines durables")
    french_partner = make_user("partner", organisation=item.organisation, email="fr@example.org")
    make_user("partner", organisation=item.organisation, email="en@example.org")
    accounts.set_language(french_partner, "fr")
    workflow.submit(item, french_partner)
    desk = make_user("moderator", programmes=("spp",))
    review.decide(item, desk, "approve")
    db.session.commit()
    mails = {mail.recipient: mail for mail in outbox() if mail.topic == "decision"}
    assert mails["fr@example.org"].subject == "Publié : Cantines durables"
    assert mails["fr@example.org"].body.startswith(
        "Le bureau de Achats publics durables a approuvé « Cantines durables ». Il est maintenant public."
    )
    assert "Sa page publique : http://portal.test/items/" in mails["fr@example.org"].body
    assert mails["en@example.org"].subject == "Published: Cantines durables"
    assert mails["en@example.org"].body.startswith("The desk of Sustainable Public Procurement approved")


def test_a_mail_sent_during_a_request_in_another_language_is_in_the_recipients(french, client, make_user):
    user = make_user("partner", email="ana@example.org")
    client.submit("/password/forgot?lang=fr", {"email": "ana@example.org"})  # the page is French
    assert [mail.subject for mail in outbox()] == ["Reset your password"]  # Ana reads English
    accounts.set_language(user, "fr")
    db.session.commit()
    client.submit("/password/forgot", {"email": "ana@example.org"}, headers={"Accept-Language": "en"})
    assert [mail.subject for mail in outbox()][-1] == "Réinitialisez votre mot de passe"


def test_an_account_registered_in_french_gets_french_mails(client, make_organisation):
    organisation = make_organisation(name="Réseau vert")
    client.submit("/register?lang=fr", {
        "name": "Jeanne", "email": "jeanne@example.org", "password": "vert pomme lune rivière",
        "confirm": "vert pomme lune rivière", "organisation": str(organisation.id),
    })
    assert db.session.scalar(db.select(User.language).where(User.email == "jeanne@example.org")) == "fr"


def test_addresses_without_an_account_get_their_organisations_usual_language(make_organisation, make_user):
    organisation = make_organisation()
    assert notifications.organisation_language(organisation.id) == "en"  # no partner account: English
    for language in ("es", "es", "fr"):
        accounts.set_language(make_user("partner", organisation=organisation), language)
    assert notifications.organisation_language(organisation.id) == "es"
