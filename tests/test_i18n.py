"""The interface language: ?lang= (remembered), then the cookie, then Accept-Language, else English."""

import pytest


@pytest.mark.parametrize(
    ("url", "headers", "expected"),
    [
        ("/", {}, 'lang="en" dir="ltr"'),
        ("/?lang=ar", {}, 'lang="ar" dir="rtl"'),
        ("/?lang=xx", {}, 'lang="en" dir="ltr"'),
        ("/", {"Accept-Language": "fr;q=0.2, ru;q=0.9"}, 'lang="ru"'),
        ("/", {"Accept-Language": "de, es;q=0.5"}, 'lang="es"'),
    ],
)
def test_the_page_is_in_the_chosen_language(client, url, headers, expected):
    assert expected in client.get(url, headers=headers).text


def test_a_chosen_language_is_remembered(client):
    client.get("/?lang=zh")
    assert 'lang="zh"' in client.get("/", headers={"Accept-Language": "fr"}).text
