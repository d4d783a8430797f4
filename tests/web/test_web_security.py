"""Login redirects, CSRF, logout, hidden records, and assets served locally only."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from web_helpers import PASSWORD, csrf_of, text_of


def test_pages_without_login_redirect_to_the_login_form(web):
    client = web.client()
    for path, location in (("/", "/login"), ("/needs?text=drone", "/login?next=%2Fneeds%3Ftext%3Ddrone"),
                           ("/cases/1", "/login?next=%2Fcases%2F1"), ("/admin/users", "/login?next=%2Fadmin%2Fusers")):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == location
    htmx = client.get("/needs", headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == "/login?next=%2Fneeds"


def test_a_form_without_its_csrf_token_is_refused(web):
    client = web.login("admin")
    page = client.get("/needs/EDF-2023-DA-AIR-SPS")
    refused = client.post("/needs/EDF-2023-DA-AIR-SPS/cases", data={"solution": "EDF-101167826"})
    assert refused.status_code == 403
    assert ("the form is out of date or came from another site: reload the page and try again"
            in text_of(refused.text))
    wrong = client.post("/needs/EDF-2023-DA-AIR-SPS/cases", data={"solution": "EDF-101167826", "csrf_token": "0" * 64})
    assert wrong.status_code == 403
    # Another session's token is no good either.
    other = web.login("admin")
    stolen = other.post("/needs/EDF-2023-DA-AIR-SPS/cases", data={"solution": "EDF-101167826",
                                                                  "csrf_token": csrf_of(page.text)})
    assert stolen.status_code == 403
    assert "Case 215" not in client.get("/").text  # nothing was opened
    # htmx sends the token in the X-CSRF-Token header instead of the form.
    header = client.post("/needs/EDF-2023-DA-AIR-SPS/cases", data={"solution": "EDF-101167826"},
                         headers={"X-CSRF-Token": csrf_of(page.text)})
    assert header.status_code == 303 and header.headers["location"] == "/cases/215"


def test_logout_ends_the_session(web):
    client = web.login("est.analyst")
    cookie = client.cookies.get("rapid_session")
    assert client.get("/").status_code == 200
    out = client.post("/logout", data={"csrf_token": csrf_of(client.get("/").text)})
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert client.get("/").status_code == 303
    replay = web.client()
    replay.cookies.set("rapid_session", cookie)
    response = replay.get("/assessments")
    assert response.status_code == 303 and response.headers["location"] == "/login?next=%2Fassessments"


def test_hidden_records_answer_the_same_404_as_missing_ones(web):
    # Norway's AMBER+STRICT assessment 2 is for Norway only; Estonia's 3 is releasable to the Baltic states only.
    deu = web.login("deu.analyst")
    for hidden, missing in (("/assessments/2", "/assessments/9999"), ("/assessments/3", "/assessments/9998")):
        a, b = deu.get(hidden), deu.get(missing)
        assert a.status_code == b.status_code == 404
        assert text_of(a.text).replace(hidden.rsplit("/", 1)[1], "N") == text_of(b.text).replace(missing.rsplit("/", 1)[1], "N")
    fra = web.login("fra.viewer")
    assert fra.get("/assessments/1").status_code == 404  # Nordic-Baltic only
    assert fra.get("/assessments/4").status_code == 200  # Germany's CLEAR community assessment
    nor = web.login("nor.analyst")
    assert nor.get("/assessments/3").status_code == 404  # REL TO EST, LTU, LVA
    token = csrf_of(deu.get("/").text)
    share = deu.post("/assessments/2/share", data={"csrf_token": token, "distribution": "community"})
    assert share.status_code == 404  # a hidden record cannot be changed either, and says so the same way


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        if tag == "link" and attrs.get("href"):
            self.urls.append(attrs["href"])
        if tag in ("img", "iframe", "source") and attrs.get("src"):
            self.urls.append(attrs["src"])


def test_no_page_loads_scripts_or_styles_from_elsewhere(web):
    client = web.login("admin")
    pages = ["/login", "/", "/needs", "/needs/EDF-2023-DA-AIR-SPS", "/solutions", "/solutions/EDF-101167796",
             "/companies", "/companies/ORG-aquark-technologies-gbr", "/centres", "/centres?country=EST", "/cases/1",
             "/assessments", "/assessments/new", "/assessments/4", "/admin", "/admin/users", "/admin/tokens",
             "/groups", "/cases/99999"]
    seen = set()
    for path in pages:
        response = client.get(path)
        assert response.status_code in (200, 404), path
        parser = _Assets()
        parser.feed(response.text)
        assert parser.urls, path
        for url in parser.urls:
            assert url.startswith("/static/"), (path, url)
            seen.add(url)
        assert not re.search(r'<(script|link)[^>]+(src|href)="(https?:)?//', response.text), path
    assert seen == {"/static/favicon.svg", "/static/app.css", "/static/vendor/htmx/htmx.min.js"}
    for url in seen:
        assert client.get(url).status_code == 200


def test_session_cookie_is_httponly_and_samesite(web):
    client = web.client()
    token = csrf_of(client.get("/login").text)
    response = client.post("/login", data={"username": "admin", "password": "correct horse battery staple",
                                           "csrf_token": token, "next": "/cases/1"})
    assert response.status_code == 303 and response.headers["location"] == "/cases/1"
    cookie = [h for h in response.headers.get_list("set-cookie") if h.startswith("rapid_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie


def test_five_failed_logins_lock_the_user_out_for_15_minutes(web):
    def attempt(password: str):
        client = web.client()
        token = csrf_of(client.get("/login").text)
        return client.post("/login", data={"username": "est.analyst", "password": password, "csrf_token": token,
                                           "next": "/"})

    for _ in range(5):
        refused = attempt("not the password")
        assert refused.status_code == 401
        assert "wrong user name or password" in text_of(refused.text)
    locked = attempt(PASSWORD)  # even the right password, while locked out
    assert locked.status_code == 401
    assert "too many failed logins: try again in 15 minutes" in text_of(locked.text)
    # another user is not affected, and an unknown name gets the usual answer (no lockout to tell it exists)
    assert web.login("nor.analyst").get("/").status_code == 200
    client = web.client()
    token = csrf_of(client.get("/login").text)
    for _ in range(6):
        unknown = client.post("/login", data={"username": "nobody", "password": "x", "csrf_token": token, "next": "/"})
        assert "wrong user name or password" in text_of(unknown.text)


def test_every_answer_carries_the_security_headers(web):
    client = web.login("admin")
    for path in ("/", "/needs", "/login", "/api/openapi.json", "/cases/99999"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff", path
        assert headers["x-frame-options"] == "DENY", path
        assert headers["cache-control"] == "no-store", path
        assert "frame-ancestors 'none'" in headers["content-security-policy"], path
        assert "script-src 'self';" in headers["content-security-policy"], path
    assert client.get("/static/app.css").headers["cache-control"] == "public, max-age=3600"


def test_a_new_password_or_a_deactivation_ends_the_users_sessions(web):
    from rapid_adoption.services.auth import actor_for_username, set_active, set_password

    client = web.login("nor.analyst")
    assert client.get("/").status_code == 200
    set_password(web.ws, None, "nor.analyst", PASSWORD + " 2")
    assert client.get("/").headers["location"] == "/login"
    client = web.login("nor.analyst", PASSWORD + " 2")
    from rapid_adoption.services.auth import create_user

    create_user(web.ws, None, "nor.admin", "NOR", ["admin"])
    admin = actor_for_username(web.ws, "nor.admin")
    set_active(web.ws, admin, "nor.analyst", False)
    set_active(web.ws, admin, "nor.analyst", True)
    assert client.get("/").headers["location"] == "/login"  # reactivation does not bring the old session back
