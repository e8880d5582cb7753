"""Bank content in the student's language: a question's translation is shown to a reader of
that language, graded the same, and kept when a teacher edits the question in the browser."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select

from quizapp.extensions import db
from quizapp.models import Bank, Question, QuizAttempt, Role
from tests.conftest import Users
from tests.helpers import import_banks

BANK = {"id": "capitals", "title": "Capitals", "questions": [
    {"id": "capital", "type": "short_answer", "prompt": "Which city is Azerbaijan's capital?",
     "answers": ["Baku"], "explanation": "The government sits in Baku.",
     "translations": {
         "az": {"prompt": "Azərbaycanın paytaxtı hansı şəhərdir?", "answers": ["Bakı"],
                "explanation": "Hökumət Bakıdadır."}}},
    {"id": "pick", "type": "single_choice", "prompt": "Where does Pakistan's government sit?",
     "choices": ["Karachi", "Islamabad", "Lahore"], "answer": "Islamabad",
     "translations": {"az": {"prompt": "Pakistan hökuməti harada yerləşir?",
                             "choices": ["Karaçi", "İslamabad", "Lahor"]}}},
    {"id": "gaps", "type": "cloze", "text": "Baku lies on the [[Caspian]] Sea.",
     "translations": {"az": {"text": "Bakı [[Xəzər]] dənizinin sahilindədir."}}},
]}


@pytest.fixture
def reader(make_app):
    """A student of a given language, in an app whose requests each get their own context
    (the locale is kept per context)."""
    def make(language: str | None):
        app = make_app()
        client = app.test_client()
        with app.app_context():
            import_banks(BANK)
            email = f"{language or 'browser'}@example.org"
            user = Users(app, client).create(email)
            user.language = language
            db.session.commit()
        Users(app, client).login(email)
        return app, client
    return make


def _study_page(client) -> str:
    return client.get("/study/session?scope=all").get_data(as_text=True)


def _token(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def _study_until(client, prompt: str) -> str:
    """Study (rating Good) until the card with `prompt` is up; its page."""
    for _ in range(5):
        page = _study_page(client)
        if prompt in page:
            return page
        token = _token(page)
        client.post("/study/answer", data={"token": token, "scope": "all"})
        client.post("/study/rate", data={"token": token, "rating": "3", "scope": "all"})
    raise AssertionError(f"never shown: {prompt}")


def test_a_student_studies_in_their_language_and_answers_in_it(reader):
    app, client = reader("az")
    page = _study_until(client, "Azərbaycanın paytaxtı hansı şəhərdir?")
    assert "Which city" not in page
    answered = client.post("/study/answer", data={"token": _token(page), "scope": "all",
                                                  "text": "bakı"}).get_data(as_text=True)
    assert "Hökumət Bakıdadır." in answered  # the explanation, translated
    assert 'class="verdict good"' in answered
    # The right answer is named in the language shown.
    assert re.search(r'class="right-answer"[^>]*>\s*Bakı', answered)


def test_grading_accepts_the_answer_in_the_shown_language_only_where_it_is_right(reader):
    app, client = reader("az")
    page = _study_until(client, "Azərbaycanın paytaxtı")
    wrong = client.post("/study/answer", data={"token": _token(page), "scope": "all",
                                               "text": "Gəncə"}).get_data(as_text=True)
    right_page = _study_page(client)  # not rated: the same card comes back
    right = client.post("/study/answer", data={"token": _token(right_page), "scope": "all",
                                               "text": "Bakı"}).get_data(as_text=True)
    # The suggested rating follows the grade: Again for the wrong answer, Good for the right.
    assert _suggested(wrong) == "1" and _suggested(right) == "3"


def _suggested(page: str) -> str:
    return re.search(r'name="rating" value="(\d)"[^>]*autofocus', page).group(1)


def test_a_reader_without_a_translation_sees_the_bank_language_marked_as_such(reader):
    app, client = reader("ur")
    page = _study_until(client, "Which city is Azerbaijan")
    assert '<html lang="ur" dir="rtl">' in page
    # The English question inside the Urdu page is marked, for screen readers.
    assert re.search(r'class="prompt" lang="en" dir="auto"[^>]*>Which city', page)
    english_app, english = reader(None)
    page = _study_until(english, "Which city is Azerbaijan")
    assert 'lang="en" dir="auto"' not in page


def test_a_quiz_in_azerbaijani_shows_the_choices_translated_and_grades_them(reader):
    app, client = reader("az")
    started = client.post("/quiz/new", data={"banks": ["capitals"], "size": "3",
                                             "feedback": "end", "time_limit": ""})
    attempt_id = int(re.search(r"/quiz/(\d+)/1", started.headers["Location"]).group(1))
    with app.app_context():
        order = db.session.get(QuizAttempt, attempt_id).question_ids
        keys = {q.id: q.key for q in db.session.scalars(select(Question))}
    for number, question_id in enumerate(order, start=1):
        page = client.get(f"/quiz/{attempt_id}/{number}").get_data(as_text=True)
        key = keys[question_id]
        if key == "pick":
            assert "Pakistan hökuməti harada yerləşir?" in page and "Karachi" not in page
            position = re.search(r'value="(\d+)"[^>]*> <span>İslamabad<', page).group(1)
            data = {"choice": position}
        elif key == "gaps":
            assert "dənizinin sahilindədir" in page
            data = {"gap-0": "Xəzər"}
        else:
            data = {"text": "Bakı"}
        client.post(f"/quiz/{attempt_id}/{number}", data=data)
    client.post(f"/quiz/{attempt_id}/submit")
    results = client.get(f"/quiz/{attempt_id}/results").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(QuizAttempt, attempt_id).score == 3.0  # 3 of 3
    assert "İslamabad" in results and "Islamabad" not in results
    assert "Hökumət Bakıdadır." in results


def _pick_content() -> dict:
    db.session.expire_all()
    return db.session.scalar(select(Question.content).where(Question.key == "pick"))


def _bank_version() -> int:
    return db.session.scalar(select(Bank.version).where(Bank.slug == "capitals"))


def test_editing_keeps_a_translation_that_fits_and_says_when_one_is_dropped(client, users):
    import_banks(BANK)
    users.login_as(Role.ADMIN)  # a bank loaded from the command line: an admin edits it
    form = {"prompt": "Where does Pakistan's government sit today?", "choices-0-text": "Karachi",
            "choices-1-text": "Islamabad", "choices-1-right": "y", "choices-2-text": "Lahore",
            "action": "save"}
    saved = client.post("/teach/banks/capitals/questions/pick",
                        data=form | {"version": _bank_version()})
    assert saved.status_code == 302
    content = _pick_content()
    assert content["prompt"].endswith("today?")
    assert content["translations"]["az"]["choices"][1]["text"] == "İslamabad"
    # A fourth choice: the translation no longer fits; it goes, and the teacher is told.
    grown = client.post("/teach/banks/capitals/questions/pick", data=form | {
        "choices-3-text": "Quetta", "version": _bank_version()}, follow_redirects=True)
    assert "no longer matched the question" in grown.get_data(as_text=True)
    content = _pick_content()
    assert len(content["choices"]) == 4 and "translations" not in content


def test_a_translation_that_does_not_fit_is_refused_with_the_reason(client, users):
    users.login_as(Role.TEACHER)
    bad = ("id: bad\ntitle: Bad\nquestions:\n  - id: q\n    type: ordering\n"
           "    prompt: Order them\n    items: [a, b, c]\n    translations:\n"
           "      az: {items: [x, y]}\n")
    page = client.post("/teach/banks/upload",
                       data={"files": [(io.BytesIO(bad.encode()), "bad.yaml")]},
                       content_type="multipart/form-data")
    text = page.get_data(as_text=True)
    assert "must translate each of the items in the same order" in text
    assert "bad.yaml" in text
    assert db.session.scalar(select(Question.id).where(Question.key == "q")) is None
