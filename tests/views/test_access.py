"""Deny by default: every endpoint is public on purpose or guarded by a role check."""

import re

import pytest

from portal.views.access import PUBLIC_ENDPOINTS, is_guarded


def test_every_endpoint_is_public_on_purpose_or_guarded(app):
    unguarded = [endpoint for endpoint in app.view_functions if not is_guarded(app, endpoint)]
    assert unguarded == [], f"add a role check or list them in PUBLIC_ENDPOINTS: {unguarded}"


def test_the_public_list_names_only_existing_endpoints(app):
    assert set(app.view_functions) >= PUBLIC_ENDPOINTS


def _guarded_urls(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_anonymous_visitors_are_sent_to_login_from_every_guarded_url(app, client):
    for endpoint, method, url in _guarded_urls(app):
        response = client.open(url, method=method, data={"csrf_token": client.csrf_token("/login")})
        assert response.status_code == 302, (endpoint, method, url, response.status_code)
        assert response.headers["Location"].startswith("/login?next="), (endpoint, url)


@pytest.mark.parametrize("area", ["/admin/", "/admin/organisations", "/admin/outbox", "/admin/audit", "/desk/",
                                  "/desk/accounts"])
def test_a_partner_is_refused_staff_areas(client, partner, area):
    response = client.get(area)
    assert response.status_code == 403
    assert "You may not see this page" in response.text


def test_a_moderator_is_refused_the_admin_area_and_the_partner_area(client, moderator):
    assert client.get("/admin/").status_code == 403
    assert client.get("/my/").status_code == 403
    assert client.get("/desk/").status_code == 200


def test_an_id_beyond_any_database_integer_is_not_found_on_every_url(app, client, auth):
    """A number no database id can hold matches no route: 404 for everyone, never an overflow (500)."""
    auth.login("admin")
    token = client.csrf_token("/desk/")
    numbered = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert numbered
    for rule in numbered:
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: str(2**64) if m.group(0).startswith("<int:") else "spp",
                     rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 404, (rule.rule, method, response.status_code)
