"""A teacher creates a class, a student joins by code and does a quiz assignment, and the
teacher's dashboard shows the result."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import register
from tests.e2e.test_bank_upload import log_in, make_teacher
from tests.helpers import import_banks

pytestmark = pytest.mark.e2e

E = {"explanation": "E.", "source": {"paragraphs": [1]}, "tags": ["theme:energy"]}
BANK = {"id": "energy", "title": "Energy", "questions": [
    {"id": "q1", "type": "true_false", "prompt": "Azerbaijan has gas", "answer": True, **E},
    {"id": "q2", "type": "true_false", "prompt": "Pakistan is in Europe", "answer": False,
     **E}]}


def test_class_join_assignment_dashboard(browser, live_server, live_app):
    with live_app.app_context():
        import_banks(BANK)
    url = live_server.url
    teacher = browser.new_context().new_page()
    email, password = make_teacher(live_app)
    log_in(teacher, url, email, password)
    teacher.get_by_role("navigation", name="Main").get_by_role("link", name="Classes").click()
    teacher.get_by_label("Class name").fill("Baku exchange")
    teacher.get_by_role("button", name="Create class").click()
    code = teacher.locator(".join-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{8}", code)
    teacher.get_by_role("link", name="New assignment").click()
    teacher.get_by_label("Title").fill("Energy check")
    teacher.get_by_label("Energy", exact=True).first.check()
    teacher.get_by_label("Due", exact=True).fill("2099-01-01T12:00")
    teacher.get_by_label("Questions per attempt").fill("2")
    teacher.get_by_role("button", name="Create assignment").click()
    expect(teacher.get_by_role("status")).to_contain_text("Energy check")

    student = browser.new_context().new_page()
    register(student, url, "Aysel", "aysel@example.org", "aysel password")
    student.get_by_role("link", name="Join a class").click()
    student.get_by_label("Join code").fill(code.lower())
    student.get_by_role("button", name="Join class").click()
    expect(student.get_by_role("status")).to_contain_text("You joined Baku exchange.")
    student.get_by_role("button", name="Start Energy check").click()
    for _ in range(2):
        prompt = student.locator("h1.prompt").inner_text()
        student.get_by_label("True" if prompt == "Azerbaijan has gas" else "False").check()
        student.get_by_role("button", name=re.compile("Save and (next|finish)")).click()
    student.get_by_role("button", name="Submit quiz").click()
    expect(student.get_by_role("heading", name=re.compile("Your score"))).to_contain_text("100%")

    teacher.reload()
    row = teacher.get_by_role("row", name=re.compile("Aysel aysel@example.org"))
    expect(row).to_contain_text("100%")
    expect(teacher.get_by_role("table", name=re.compile("Facility and discrimination"))
           ).to_contain_text("Azerbaijan has gas")

    # On a narrow screen the dashboard scrolls sideways, and each row still says whose it is.
    teacher.set_viewport_size({"width": 480, "height": 800})
    wrap = teacher.locator("table.dashboard").locator("xpath=..")
    assert wrap.evaluate("w => w.scrollWidth > w.clientWidth"), "the table should overflow"
    assert wrap.evaluate("w => { w.scrollLeft = w.scrollWidth; return w.scrollLeft; }") > 0
    name = row.get_by_role("rowheader")
    assert abs(name.bounding_box()["x"] - wrap.bounding_box()["x"]) < 2  # still at the left
