"""A student signs up, logs out, logs back in and sees the home page as themself."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_register_logout_login(page, live_server):
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Create a free student account").click()
    page.get_by_label("Your name").fill("Leyla")
    page.get_by_label("Email").fill("leyla@example.org")
    page.get_by_label("Password", exact=True).fill("a long password")
    page.get_by_label("Repeat the password").fill("a long password")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Hello, Leyla")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_contain_text("You have logged out.")

    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Email").fill("leyla@example.org")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("do not match an account")).to_be_visible()

    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Hello, Leyla")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_contain_text("Leyla")
