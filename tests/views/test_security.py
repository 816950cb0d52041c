"""Headers, cookies, CSRF and error pages."""

import io

import pytest

from portal.catalogue import files
from portal.extensions import db
from portal.markdown import render_markdown
from tests import samples
from tests.helpers import PASSWORD


def test_every_response_carries_the_security_headers(client):
    for url in ("/", "/login", "/no-such-page", "/favicon.ico"):
        with client.get(url) as response:
            headers = response.headers
        policy = headers["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert "frame-ancestors 'none'" in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "Strict-Transport-Security" not in headers  # only when HTTPS is configured


def test_pages_have_no_inline_scripts_or_styles(client):
    page = client.get("/").text
    assert "<script>" not in page and "onclick" not in page and "style=" not in page


def test_session_cookie_is_httponly_and_samesite_lax(client, make_user):
    user = make_user()
    response = client.submit("/login", {"email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_https_setting_makes_cookies_secure_and_adds_hsts(make_app, make_user):
    client = make_app(HTTPS=True).test_client()
    response = client.get("/login", base_url="https://portal.test")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    assert client.get("/login", base_url="http://portal.test").status_code == 302  # redirected to https
    user = make_user()
    token = client.csrf_token("https://portal.test/login")
    response = client.post("/login", base_url="https://portal.test", headers={"Referer": "https://portal.test/login"},
                           data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    assert "Secure" in response.headers["Set-Cookie"]


@pytest.mark.parametrize("token", [None, "forged-token", "IjY0ZTI3YzU2In0.aaaa.bbbb"])
def test_a_missing_or_forged_csrf_token_gets_a_friendly_400_page(client, make_user, token):
    user = make_user()
    data = {"email": user.email, "password": PASSWORD}
    if token:
        data["csrf_token"] = token
    response = client.post("/login", data=data)
    assert response.status_code == 400
    assert "did not come from this site" in response.text
    assert "<header" in response.text  # in the portal's layout
    assert client.get("/my/").status_code == 302  # not logged in


def test_a_token_from_another_session_is_refused(app, client, make_user):
    other = app.test_client()
    stolen = other.csrf_token("/login")
    user = make_user()
    response = client.post("/login", data={"csrf_token": stolen, "email": user.email, "password": PASSWORD})
    assert response.status_code == 400


def test_unknown_url_gets_the_404_page_in_the_layout(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "Page not found" in response.text and 'class="site-header"' in response.text


def test_wrong_method_gets_405_not_500(client):
    assert client.post("/", data={}).status_code in (400, 405)
    assert client.delete("/login").status_code == 405


def test_an_oversized_request_gets_the_413_page(client, app):
    body = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = client.post("/register", data=body, content_type="multipart/form-data; boundary=x")
    assert response.status_code == 413
    assert "at most 20 MB" in response.text
    response = client.post("/register", data=body, content_type="application/octet-stream")
    assert response.status_code == 413
    assert "more than 500 kB of text" in response.text


def test_an_unexpected_error_gets_the_500_page_without_a_traceback(make_app):
    failing = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @failing.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    response = failing.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert f'<code class="request-id">{response.headers["X-Request-ID"]}</code>' in response.text  # to quote
    assert "secret internals" not in response.text and "Traceback" not in response.text


def test_markdown_is_rendered_without_scripts_handlers_or_javascript_links():
    html = str(render_markdown(
        "# Title\n\n<script>alert(1)</script> **bold** [x](javascript:alert(1)) "
        "<img src=x onerror=alert(1)> [ok](https://example.org)"
    ))
    # Raw HTML stays visible as text; it never becomes an element, an attribute or a link.
    assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<strong>bold</strong>" in html and "<h2>Title</h2>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow ugc">ok</a>' in html


def test_signed_in_pages_are_never_cached_but_public_ones_may_be(client, auth, make_item):
    assert client.get("/").headers["Cache-Control"] == "no-cache"  # kept, but checked before each use
    auth.login("moderator")
    for url in ("/", "/desk/", "/desk/monitoring", "/desk/reporting.csv", "/account/password"):
        assert client.get(url).headers["Cache-Control"] == "no-store", url
    with client.get("/static/css/portal.css") as response:
        assert "no-store" not in response.headers.get("Cache-Control", "")


def test_with_https_the_session_cookie_is_a_host_cookie(make_app, make_user):
    client = make_app(HTTPS=True).test_client()
    user = make_user()
    token = client.csrf_token("https://portal.test/login")
    response = client.post("/login", base_url="https://portal.test", headers={"Referer": "https://portal.test/login"},
                           data={"csrf_token": token, "email": user.email, "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "Path=/;" in cookie and "Domain" not in cookie
    assert client.get("/my/", base_url="https://portal.test").status_code == 200


def test_downloads_are_sandboxed(client, make_item):
    stored = files.store(io.BytesIO(samples.pdf()), "report.pdf")
    db.session.commit()
    item = make_item("resource", file_name=stored.name, file_original_name="report.pdf", file_mime="application/pdf")
    with client.get(f"/items/{item.id}/file") as response:
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"].split() == ["default-src", "'none';", "sandbox"]
    assert "sandbox" not in client.get(f"/items/{item.id}").headers["Content-Security-Policy"]
