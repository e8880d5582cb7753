"""A student takes a 10-question quiz mixing every type in Chromium and reads the score."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.test_bank_upload import log_in, make_teacher
from tests.helpers import import_banks

pytestmark = pytest.mark.e2e

E = {"explanation": "Because.", "source": {"paragraphs": [1]}, "tags": ["theme:test"]}
BANK = {"id": "all-types", "title": "All types", "questions": [
    {"id": "sc", "type": "single_choice", "prompt": "Pick the letter B",
     "choices": ["A", "B", "C"], "answer": "B", **E},
    {"id": "sc-wrong", "type": "single_choice", "prompt": "Pick the letter C",
     "choices": ["A", "B", "C"], "answer": "C", **E},
    {"id": "mc", "type": "multiple_choice", "prompt": "Tick A and C",
     "choices": ["A", "B", "C", "D"], "answers": ["A", "C"], **E},
    {"id": "tf", "type": "true_false", "prompt": "Is two more than one?", "answer": True, **E},
    {"id": "tf2", "type": "true_false", "prompt": "Is one more than two?", "answer": False,
     **E},
    {"id": "sa", "type": "short_answer", "prompt": "Type Baku", "answers": ["Baku"], **E},
    {"id": "cl", "type": "cloze", "prompt": "Complete the bridge sentence",
     "text": "A [[bridge]] joins [[Europe]] and Asia.", **E},
    {"id": "ma", "type": "matching", "prompt": "Match the pairs",
     "pairs": [{"left": "One", "right": "Uno"}, {"left": "Two", "right": "Dos"},
               {"left": "Three", "right": "Tres"}], **E},
    {"id": "or", "type": "ordering", "prompt": "Put the numbers in order",
     "items": ["first", "second", "third"], **E},
    {"id": "fc", "type": "flashcard", "front": "Capital of Pakistan", "back": "Islamabad",
     **E},
]}


def answer_current(page):
    prompt = page.locator("h1.prompt").inner_text()
    if prompt == "Pick the letter B":
        page.get_by_label("B", exact=True).check()
    elif prompt == "Pick the letter C":
        page.get_by_label("A", exact=True).check()  # deliberately wrong
    elif prompt == "Tick A and C":
        page.get_by_label("A", exact=True).check()
        page.get_by_label("C", exact=True).check()
    elif prompt == "Is two more than one?":
        page.get_by_label("True").check()
    elif prompt == "Is one more than two?":
        page.get_by_label("False").check()
    elif prompt == "Type Baku":
        page.get_by_label("Your answer").fill("  baku ")
    elif prompt == "Complete the bridge sentence":
        page.get_by_label("Gap 1").fill("bridge")
        page.get_by_label("Gap 2").fill("europe")
    elif prompt == "Match the pairs":
        for left, right in (("One", "Uno"), ("Two", "Dos"), ("Three", "Tres")):
            page.get_by_label(left, exact=True).select_option(label=right)
    elif prompt == "Put the numbers in order":  # with the move buttons, as a person would
        for position, item in enumerate(("first", "second", "third")):
            while page.locator(".order-list .order-text").all_inner_texts().index(item) > \
                    position:
                page.get_by_role("button", name=f"Move {item} up").click()
    elif prompt == "Capital of Pakistan":
        page.get_by_text("Show the answer").click()
        expect(page.get_by_text("Islamabad")).to_be_visible()
        page.get_by_label("Yes, I knew it").check()
    else:
        raise AssertionError(f"unexpected question {prompt!r}")


def test_ten_question_quiz_with_every_type(page, live_server, live_app):
    with live_app.app_context():
        import_banks(BANK)
    email, password = make_teacher(live_app, email="quizzer@example.org")
    log_in(page, live_server.url, email, password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Quizzes").click()
    page.get_by_role("link", name="Start a quiz").click()
    page.get_by_label("All types").check()
    page.get_by_label("Number of questions").fill("10")
    page.get_by_role("button", name="Start quiz").click()

    for number in range(1, 11):
        expect(page.get_by_text(f"Question {number} of 10")).to_be_visible()
        answer_current(page)
        page.get_by_role("button", name=re.compile("Save and (next|finish)")).click()

    expect(page.get_by_role("heading", name="Submit your quiz?")).to_be_visible()
    expect(page.get_by_text("You answered 10 of 10 questions.")).to_be_visible()
    page.get_by_role("button", name="Submit quiz").click()
    expect(page.get_by_role("heading", name=re.compile("Your score"))).to_contain_text(
        "9.0 / 10 (90%)")
    expect(page.locator("article.result.bad")).to_have_count(1)
