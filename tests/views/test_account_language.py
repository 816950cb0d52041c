"""The account page sets the language of one's mails, each language named in itself."""

from portal.extensions import db
from portal.models import AuditEvent


def test_a_user_chooses_the_language_of_their_mails_on_the_account_page(client, partner):
    page = client.get("/account/password").text
    assert '<label for="language">Language</label>' in page
    assert '<option lang="fr" value="fr">Français</option>' in page
    assert '<option lang="ar" value="ar">العربية</option>' in page
    response = client.submit("/account/language", {"language": "ru"}, page="/account/password")
    assert response.status_code == 302
    page = client.get("/account/password").text
    assert "Your mails are now written in Русский." in page
    assert '<option lang="ru" selected value="ru">Русский</option>' in page
    db.session.refresh(partner)
    assert partner.language == "ru"
    event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "user.language_changed"))
    assert (event.details["before"], event.details["after"]) == ("en", "ru")


def test_an_unknown_language_is_refused_with_a_message(client, partner):
    response = client.submit("/account/language", {"language": "xx"}, page="/account/password")
    assert response.status_code == 400 and "Not a valid choice" in response.text
    db.session.refresh(partner)
    assert partner.language == "en"
