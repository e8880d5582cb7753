"""A teacher who works only in the browser: writes a bank of every type, edits, retires,
brings a Quizlet export and a GIFT file, and takes the bank away for Anki and Moodle."""

import re
import zipfile
from io import BytesIO

import pytest
from playwright.sync_api import expect

from tests.e2e.test_bank_upload import log_in, make_teacher

pytestmark = pytest.mark.e2e


def _add(page, kind_label: str, fill) -> None:
    page.get_by_role("link", name=kind_label, exact=True).click()
    fill(page)
    page.get_by_role("button", name="Add the question").click()
    expect(page.get_by_role("status").first).to_contain_text("added")


def _choices(*rows):
    def fill(page):
        page.get_by_label("Question", exact=True).fill("Which are on the Caspian?"
                                                       if len(rows) > 2 else "Capital?")
        for n, (text, right) in enumerate(rows, start=1):
            page.get_by_label(f"Choice {n}", exact=True).fill(text)
            if right:
                page.get_by_label(f"Choice {n} is right").check()
    return fill


def _prompt(text, fields):
    def fill(page):
        page.get_by_label("Question", exact=True).fill(text)
        for label, value in fields.items():
            page.get_by_label(label, exact=True).fill(value)
    return fill


def test_a_teacher_writes_a_bank_of_every_type_then_imports_and_exports(page, live_server,
                                                                          live_app):
    email, password = make_teacher(live_app)
    log_in(page, live_server.url, email, password)
    page.goto(live_server.url + "/teach/banks")
    page.get_by_role("link", name="Write a bank in the browser").click()
    page.get_by_label("Bank id").fill("caspian")
    page.get_by_label("Title").fill("Around the Caspian")
    page.get_by_role("button", name="Create the bank").click()
    expect(page.get_by_role("heading", name="Around the Caspian")).to_be_visible()

    def flashcard(p):
        p.get_by_label("Front").fill("Caspian Sea")
        p.get_by_label("Back").fill("The largest lake on Earth")
    _add(page, "Flashcard", flashcard)

    page.get_by_role("link", name="Single choice", exact=True).click()
    page.get_by_label("Question", exact=True).fill("Capital of Azerbaijan?")
    page.get_by_label("Choice 1", exact=True).fill("Baku")
    page.get_by_label("Choice 2", exact=True).fill("Ganja")
    page.get_by_label("Choice 1 is right").check()
    # The preview follows the typing, as students will see the question.
    preview = page.get_by_role("complementary", name="What students see")
    expect(preview.get_by_role("radio", name="Ganja")).to_be_visible()
    expect(preview).to_contain_text("Capital of Azerbaijan?")
    page.get_by_label("Choice 1 is right").uncheck()
    page.get_by_role("button", name="Add the question").click()
    expect(page.locator(".error").first).to_contain_text("mark exactly one choice as right")
    page.get_by_label("Choice 1 is right").check()
    page.get_by_label("Choice 2", exact=True).press("Enter")  # Enter saves, like the button
    expect(page.get_by_role("status").first).to_contain_text("added")

    _add(page, "Multiple choice", _choices(("Baku", True), ("Aktau", True), ("Lahore", False)))

    def true_false(p):
        p.get_by_label("Question", exact=True).fill("Baku lies on the Caspian.")
        p.get_by_label("True", exact=True).check()
    _add(page, "True false", true_false)
    _add(page, "Short answer", _prompt("Capital of Pakistan?",
                                       {"Accepted answers": "Islamabad"}))

    def cloze(p):
        p.get_by_label("Text with gaps").fill("The [[Caspian]] is a lake.")
    _add(page, "Cloze", cloze)

    def matching(p):
        p.get_by_label("Question", exact=True).fill("Match the capitals")
        for n, (left, right) in enumerate([("Baku", "Azerbaijan"),
                                           ("Islamabad", "Pakistan")], start=1):
            p.get_by_label(f"Left {n}", exact=True).fill(left)
            p.get_by_label(f"Right {n}", exact=True).fill(right)
    _add(page, "Matching", matching)
    _add(page, "Ordering", _prompt("West to east", {"Items, in the right order":
                                                    "Ankara\nBaku\nIslamabad"}))
    expect(page.get_by_role("heading", name="Questions (8)")).to_be_visible()

    # Edit one, retire another: both stay listed where a teacher expects them.
    page.get_by_role("link", name="Edit capital-of-pakistan").click()
    page.get_by_label("Accepted answers").fill("Islamabad\nIslamabad city")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("status").first).to_contain_text("saved")
    page.get_by_role("button", name="Retire caspian-sea").click()
    expect(page.get_by_role("heading", name="Retired (1)")).to_be_visible()
    expect(page.get_by_role("heading", name="Questions (7)")).to_be_visible()

    # Take it away: Anki's package and Moodle's GIFT.
    with page.expect_download() as anki:
        page.get_by_role("link", name="Anki").click()
    with zipfile.ZipFile(BytesIO(anki.value.path().read_bytes())) as deck:
        assert "collection.anki2" in deck.namelist()
    with page.expect_download() as gift:
        page.get_by_role("link", name="GIFT").click()
    text = gift.value.path().read_text(encoding="utf-8")
    assert "Capital of Azerbaijan?" in text and "=Baku" in text and "Caspian Sea" not in text

    # Bring material from other tools: a Quizlet export, then a GIFT file.
    page.goto(live_server.url + "/teach/banks")
    quizlet = "CPEC\tChina–Pakistan Economic Corridor\nSGC\tSouthern Gas Corridor\n".encode()
    page.get_by_label("Bank files").set_input_files(files=[
        {"name": "energy-terms.txt", "mimeType": "text/plain", "buffer": quizlet}])
    page.get_by_role("button", name="Check files").click()
    expect(page.get_by_role("heading", name="Ready to import")).to_be_visible()
    expect(page.get_by_text(re.compile("SGC"))).to_be_visible()
    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_role("status").first).to_contain_text("2 added")

    gift_file = b"::baku::Capital of Azerbaijan? {=Baku ~Ganja ~Shusha}\n"
    page.get_by_label("Bank files").set_input_files(files=[
        {"name": "capitals.gift", "mimeType": "text/plain", "buffer": gift_file}])
    page.get_by_role("button", name="Check files").click()
    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_role("status").first).to_contain_text("1 added")
    for title in ("Around the Caspian", "energy-terms", "capitals"):
        expect(page.get_by_role("table").get_by_text(title, exact=False).first).to_be_visible()


def test_without_javascript_the_preview_button_previews_and_saves_nothing(browser, live_server,
                                                                          live_app):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    email, password = make_teacher(live_app)
    log_in(page, live_server.url, email, password)
    page.goto(live_server.url + "/teach/banks/new")
    page.get_by_label("Bank id").fill("geo")
    page.get_by_label("Title").fill("Geography")
    page.get_by_role("button", name="Create the bank").click()
    page.get_by_role("link", name="True false", exact=True).click()
    page.get_by_label("Question", exact=True).fill("Baku lies on the Caspian.")
    page.get_by_label("True", exact=True).check()
    page.get_by_role("button", name="Preview").click()
    preview = page.get_by_role("complementary", name="What students see")
    expect(preview).to_contain_text("Baku lies on the Caspian.")
    expect(page.get_by_label("Question", exact=True)).to_have_value("Baku lies on the Caspian.")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", name="Questions (0)")).to_be_visible()
    context.close()
