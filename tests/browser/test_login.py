"""Logging in and out in a real browser."""

from __future__ import annotations


def test_login_wrong_password_then_right_then_logout(live_server, new_page, log_in):
    page = new_page()
    page.goto(f"{live_server}/needs")
    assert page.url == f"{live_server}/login?next=%2Fneeds"
    page.get_by_label("User name").fill("admin")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").inner_text() == "wrong user name or password"
    log_in(page, "admin")
    assert "admin · DIANA" in page.locator("header").inner_text()
    cookie = next(c for c in page.context.cookies() if c["name"] == "rapid_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Lax"
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server}/login")
    assert [c for c in page.context.cookies() if c["name"] == "rapid_session"] == []
    page.goto(f"{live_server}/")
    assert page.url == f"{live_server}/login"
