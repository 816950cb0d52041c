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


def test_every_page_has_a_chooser_naming_each_language_in_itself_and_keeping_the_query(client):
    page = client.get("/search?q=food&programme=spp&lang=fr").text
    start = page.index('<nav class="language-chooser"')
    chooser = page[start:page.index("</nav>", start)]
    for code, name in (("en", "English"), ("fr", "Français"), ("es", "Español"), ("ar", "العربية"), ("zh", "中文"),
                       ("ru", "Русский")):
        assert f'<a href="/search?q=food&amp;programme=spp&amp;lang={code}" lang="{code}" hreflang="{code}"' in chooser
        assert f">{name}</a>" in chooser
    assert chooser.count('aria-current="true"') == 1
    assert 'lang="fr" hreflang="fr" aria-current="true">Français</a>' in chooser
    assert 'class="language-chooser"' in client.get("/no-such-page").text  # error pages too


def test_public_pages_name_their_versions_in_each_language_from_the_base_url(client, make_item, auth):
    item = make_item(state="published")
    page = client.get(f"/items/{item.id}?lang=ru").text
    for code in ("en", "fr", "es", "ar", "zh", "ru"):
        assert f'<link rel="alternate" hreflang="{code}" href="http://portal.test/items/{item.id}?lang={code}">' in page
    assert f'<link rel="alternate" hreflang="x-default" href="http://portal.test/items/{item.id}">' in page
    auth.login("partner")
    assert 'hreflang="fr"' not in client.get("/my/items").text.split("<body>")[0]  # private pages have none


def test_dates_numbers_and_country_names_follow_the_language(client, make_item):
    item = make_item(state="published", countries=("DE", "KE"))
    english = client.get(f"/items/{item.id}?lang=en").text
    french = client.get(f"/items/{item.id}?lang=fr").text
    chinese = client.get(f"/items/{item.id}?lang=zh").text
    assert "Germany, Kenya" in english and "Allemagne, Kenya" in french and "德国" in chinese
    day = item.updated_at
    months = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
    assert f"{day.day} {months[day.month - 1]} {day.year}" in french
    assert f"{day.year}年{day.month}月{day.day}日" in chinese


def test_country_facet_reads_and_sorts_in_the_interface_language(client, make_item):
    for code in ("DE", "AL", "DZ"):  # Germany, Albania, Algeria; in French Allemagne, Albanie, Algérie
        make_item(state="published", countries=(code,))
    page = client.get("/search?lang=fr").text
    facet = page[page.index('id="facet-country"'):]
    assert facet.index("Albanie") < facet.index("Algérie") < facet.index("Allemagne")
    page = client.get("/search?lang=en").text
    facet = page[page.index('id="facet-country"'):]
    assert facet.index("Albania") < facet.index("Algeria") < facet.index("Germany")


def test_the_item_form_names_languages_in_the_interface_language(client, auth):
    auth.login("partner")
    english = client.get("/my/items/new/initiative").text
    assert '<label for="language">Language</label>' in english and '<option selected value="en">English</option>' \
        in english
    french = client.get("/my/items/new/initiative?lang=fr").text
    assert '<option value="fr">français</option>' in french and '<option value="de">allemand</option>' in french


def test_machines_read_english_whatever_the_language(client, make_item):
    item = make_item(state="published", themes=("water",))
    turtle = client.get("/catalog.ttl", headers={"Accept-Language": "fr"}).text
    assert '"Water"@en' in turtle and f"/items/{item.id}" in turtle


def test_a_language_forced_inside_a_request_is_obeyed_and_then_left(app):
    """Templates' strings and ``current_language`` follow ``force_locale`` (mails in the recipient's
    language, machine pages in English) and come back to the visitor's language after it."""
    from flask import render_template_string
    from flask_babel import force_locale

    from portal.i18n import current_language

    def search_label() -> str:
        return render_template_string('{{ _("Search") }}')

    with app.test_request_context("/?lang=fr"):
        french = search_label()
        with force_locale("ru"):
            assert (current_language(), search_label()) == ("ru", "Поиск")
        assert (current_language(), search_label()) == ("fr", french)
        assert french == "Rechercher"


def test_a_parameter_named_like_the_pages_own_arguments_stays_a_parameter(client, make_item):
    item = make_item(state="published")
    page = client.get(f"/items/{item.id}?item_id=3&endpoint=x&_anchor=y")
    assert page.status_code == 200  # was a 500: the parameters were passed on as the URL's own arguments
    query = "item_id=3&amp;endpoint=x&amp;_anchor=y"
    assert f'hreflang="fr" href="http://portal.test/items/{item.id}?{query}&amp;lang=fr"' in page.text
    assert f'hreflang="x-default" href="http://portal.test/items/{item.id}?{query}"' in page.text
    assert f'<a href="/items/{item.id}?{query}&amp;lang=ar" lang="ar"' in page.text


def test_translated_strings_keep_their_markup_and_escape_the_words_typed(client, make_item):
    make_item(title="Compost for school gardens")
    page = client.get("/search?q=compost+<b>x</b>&lang=fr").text
    assert "<title>«\xa0compost &lt;b&gt;x&lt;/b&gt;\xa0» – Recherche" in page  # the words, escaped once
    french = client.get("/?lang=fr").text
    assert "<strong>" in french.split('class="brand"')[1].split("</a>")[0]  # the catalogue's own markup
