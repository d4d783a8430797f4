"""Admin pages: users, tokens (shown once) and sharing groups (member lists to members only); 403 for others."""

from __future__ import annotations

import re

from web_helpers import PASSWORD, csrf_of, text_of

from rapid_adoption.services.auth import actor_for_token, actor_for_username, create_user, list_tokens


def test_admin_pages_are_for_admins_only(web):
    analyst = web.login("nor.analyst")
    for path in ("/admin", "/admin/users", "/admin/tokens"):
        response = analyst.get(path)
        assert response.status_code == 403, path
        assert "the admin pages need the role admin; nor.analyst has analyst" in text_of(response.text)
    token = csrf_of(analyst.get("/").text)
    posted = analyst.post("/admin/users", data={"csrf_token": token, "username": "mallory", "roles": ["admin"]})
    assert posted.status_code == 403
    assert "Admin" not in re.search(r'<nav aria-label="Main">(.*?)</nav>', analyst.get("/").text, re.S).group(1)


def test_users_add_set_password_and_deactivate(web):
    client = web.login("admin")
    page = client.get("/admin/users")
    assert page.status_code == 200
    assert "Users of DIANA (1)" in text_of(page.text)
    token = csrf_of(page.text)
    bad = client.post("/admin/users", data={"csrf_token": token, "username": "jane doe", "roles": ["analyst"]})
    assert bad.status_code == 422
    assert ('<span class="field-error" id="username-error" role="alert">must be 1-100 letters, digits or . _ @ - '
            "and start with a letter or digit</span>") in bad.text
    assert 'value="jane doe"' in bad.text
    no_role = client.post("/admin/users", data={"csrf_token": token, "username": "jane"})
    assert no_role.status_code == 422 and 'id="roles-error"' in no_role.text
    added = client.post("/admin/users", data={"csrf_token": token, "username": "jane", "display_name": "Jane",
                                              "roles": ["analyst", "board"]})
    assert added.status_code == 303 and added.headers["location"] == "/admin/users"
    listing = text_of(client.get("/admin/users").text)
    assert "Users of DIANA (2)" in listing and "jane Jane analyst, board active none" in listing
    short = client.post("/admin/users/jane/password", data={"csrf_token": token, "password": "short"})
    assert short.status_code == 422
    assert "password: must be at least 12 characters" in text_of(short.text)
    assert client.post("/admin/users/jane/password",
                       data={"csrf_token": token, "password": "jane's long passphrase"}).status_code == 303
    jane = web.login("jane", "jane's long passphrase")
    assert jane.get("/").status_code == 200
    assert client.post("/admin/users/jane/active", data={"csrf_token": token, "active": "0"}).status_code == 303
    assert "jane Jane analyst, board deactivated set" in text_of(client.get("/admin/users").text)
    assert jane.get("/").status_code == 303  # a deactivated user's session no longer works
    yourself = client.post("/admin/users/admin/active", data={"csrf_token": token, "active": "0"})
    assert yourself.status_code == 422
    assert "username: you cannot deactivate yourself" in text_of(yourself.text)


def test_token_is_shown_once_then_listed_and_revoked(web):
    client = web.login("admin")
    page = client.get("/admin/tokens")
    token = csrf_of(page.text)
    assert "No tokens." in text_of(page.text)
    bad = client.post("/admin/tokens", data={"csrf_token": token, "name": "ci", "username": "admin",
                                             "expires_days": "400"})
    assert bad.status_code == 422
    assert '<span class="field-error" id="expires_days-error" role="alert">must be 1-366 days, got 400</span>' in bad.text
    made = client.post("/admin/tokens", data={"csrf_token": token, "name": "ci", "username": "admin",
                                              "expires_days": "30"})
    assert made.status_code == 200
    assert made.headers["cache-control"] == "no-store"
    secret = re.search(r'<input id="new-token" class="token" readonly value="(rapid_[^"]+)"', made.text).group(1)
    assert "Copy it now: it is shown this once, and only its hash is kept. It expires on 2026-12-29." in text_of(made.text)
    assert actor_for_token(web.ws, secret).username == "admin"
    listing = client.get("/admin/tokens")
    assert secret not in listing.text  # never shown again
    row = re.search(r'<tr data-token="(\d+)">(.*?)</tr>', listing.text, re.S)
    assert text_of(row.group(2)).startswith(f"{row.group(1)} ci admin 2026-11-29 2026-12-29 2026-11-29 active")
    revoked = client.post(f"/admin/tokens/{row.group(1)}/revoke", data={"csrf_token": token})
    assert revoked.status_code == 303
    assert [t["revoked"] for t in list_tokens(web.ws, actor_for_username(web.ws, "admin"))] == [True]
    assert "revoked" in text_of(client.get("/admin/tokens").text)


def test_sharing_groups_show_only_to_members(web):
    admin = web.login("admin")
    page = admin.get("/groups")
    assert page.status_code == 200
    # DIANA is not in Nordic-Baltic, so its admin sees neither the group nor its members.
    assert "Nordic-Baltic" not in page.text
    assert "Your organisation is in no sharing group." in text_of(page.text)
    token = csrf_of(page.text)
    created = admin.post("/groups", data={"csrf_token": token, "name": "Innovation hubs", "description": "hubs"})
    assert created.status_code == 303
    taken = admin.post("/groups", data={"csrf_token": token, "name": "Innovation hubs"})
    assert taken.status_code == 409
    assert "DIANA already has a sharing group called 'Innovation hubs'" in text_of(taken.text)
    added = admin.post("/groups/members", data={"csrf_token": token, "group": "Innovation hubs",
                                                      "kind": "nation", "member": "DEU", "change": "add"})
    assert added.status_code == 303
    text = text_of(admin.get("/groups").text)
    assert "Innovation hubs owned by DIANA hubs member may extend DIANA yes every organisation of DEU no" in text
    bad = admin.post("/groups/members", data={"csrf_token": token, "group": "Innovation hubs", "kind": "nation",
                                                    "member": "XX", "change": "add"})
    assert bad.status_code == 422
    assert "--nation: must be one ISO 3166-1 alpha-3 code, got 'XX'" in text_of(bad.text)
    removed = admin.post("/groups/members", data={"csrf_token": token, "group": "Innovation hubs",
                                                        "kind": "nation", "member": "DEU", "change": "remove"})
    assert removed.status_code == 303
    assert "every organisation of DEU" not in text_of(admin.get("/groups").text)

    # Norway's admin (a member, and the owner) sees Nordic-Baltic and its eight members.
    create_user(web.ws, None, "nor.admin", "NOR", ["admin"], password=PASSWORD)
    nor = web.login("nor.admin")
    text = text_of(nor.get("/groups").text)
    assert ("Nordic-Baltic owned by NOR Nordic and Baltic allies' market research (example) member may extend "
            "NOR yes every organisation of DNK no") in text
    assert re.findall(r"every organisation of ([A-Z]{3})", text) == ["DNK", "EST", "FIN", "ISL", "LTU", "LVA", "SWE"]
    assert "Innovation hubs" not in text


def test_analysts_manage_sharing_groups_and_viewers_only_look(web):
    est = web.login("est.analyst")
    page = est.get("/groups")
    assert page.status_code == 200
    assert 'href="/groups"' in page.text  # in the navigation of every user
    created = est.post("/groups", data={"csrf_token": csrf_of(page.text), "name": "Baltic air defence"})
    assert (created.status_code, created.headers["location"]) == (303, "/groups")
    assert "Baltic air defence owned by EST" in text_of(est.get("/groups").text)
    viewer = web.login("fra.viewer")
    page = viewer.get("/groups")
    refused = viewer.post("/groups", data={"csrf_token": csrf_of(page.text), "name": "Viewers"})
    assert refused.status_code == 403
    assert "creating a sharing group needs the role admin or analyst" in text_of(refused.text)
