"""Teachers upload banks on the web: check, preview, confirm; students are kept out."""

import io
import re

from sqlalchemy import func, select

from quizapp.extensions import db
from quizapp.models import Bank, BankUpload, Question, Role
from tests.web.test_bank_import import BANK, CARD


def bank_bytes(extra=CARD) -> bytes:
    return BANK.format(hub_prompt="What is Azerbaijan, per the article?", extra=extra).encode()


def upload(client, *files):
    data = {"files": [(io.BytesIO(content), name) for name, content in files]}
    return client.post("/teach/banks/upload", data=data, content_type="multipart/form-data")


def test_student_gets_403_and_anonymous_goes_to_login(client, users):
    assert "/login" in client.get("/teach/banks").headers["Location"]
    users.login_as(Role.STUDENT)
    assert client.get("/teach/banks").status_code == 403
    assert upload(client, ("a.yaml", bank_bytes())).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(BankUpload)) == 0


def test_teacher_previews_then_confirms(client, users):
    users.login_as(Role.TEACHER)
    preview = upload(client, ("energy.yaml", bank_bytes()))
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Ready to import" in page and "Energy and connectivity" in page
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0
    token = re.search(r"/teach/banks/upload/([\w-]+)/confirm", page).group(1)
    done = client.post(f"/teach/banks/upload/{token}/confirm", follow_redirects=True)
    assert "Imported energy: 3 added" in done.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 3
    again = client.post(f"/teach/banks/upload/{token}/confirm", follow_redirects=True)
    assert "expired or was already imported" in again.get_data(as_text=True)


def test_bad_file_shows_report_with_lines_and_writes_nothing(client, users):
    users.login_as(Role.TEACHER)
    bad = b"id: broken\ntitle: T\nquestions:\n  - id: q\n    type: true_false\n" \
          b"    prompt: P\n    answer: maybe\n    explanation: E\n"
    response = upload(client, ("good.yaml", bank_bytes()), ("bad.yaml", bad))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "nothing was imported" in page
    assert "bad.yaml:7:13" in page and "expected true or false" in page
    assert db.session.scalar(select(func.count()).select_from(Bank)) == 0
    assert db.session.scalar(select(func.count()).select_from(BankUpload)) == 0


def test_over_size_file_gets_a_clear_message(app, client, users):
    app.config["UPLOAD_MAX_BYTES"] = 200
    users.login_as(Role.TEACHER)
    response = upload(client, ("big.yaml", bank_bytes()))
    page = response.get_data(as_text=True)
    assert "over the limit of 200 bytes" in page
    huge = upload(client, ("huge.yaml", b"x" * 80_000))  # over the whole-request cap
    assert huge.status_code == 413
    assert "That upload is too large" in huge.get_data(as_text=True)
    assert "Load question sets" in huge.get_data(as_text=True)


def test_no_file_chosen(client, users):
    users.login_as(Role.TEACHER)
    response = client.post("/teach/banks/upload", data={}, content_type="multipart/form-data")
    assert "Choose at least one bank file." in response.get_data(as_text=True)


def test_another_teacher_cannot_confirm_my_upload(client, users):
    users.login_as(Role.TEACHER)
    page = upload(client, ("energy.yaml", bank_bytes())).get_data(as_text=True)
    token = re.search(r"/teach/banks/upload/([\w-]+)/confirm", page).group(1)
    users.login_as(Role.TEACHER)
    response = client.post(f"/teach/banks/upload/{token}/confirm", follow_redirects=True)
    assert "expired or was already imported" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Question)) == 0


def test_teacher_downloads_a_bank_as_yaml(client, users):
    users.login_as(Role.TEACHER)
    page = upload(client, ("energy.yaml", bank_bytes())).get_data(as_text=True)
    token = re.search(r"/teach/banks/upload/([\w-]+)/confirm", page).group(1)
    client.post(f"/teach/banks/upload/{token}/confirm")
    response = client.get("/teach/banks/energy.yaml")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert "id: energy" in response.get_data(as_text=True)


def test_a_large_upload_passes_the_global_body_limit_with_csrf_on(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, MAX_CONTENT_LENGTH=50_000, UPLOAD_MAX_BYTES=200_000)
    client = app.test_client()
    with app.app_context():
        from tests.conftest import Users

        Users(app, client).create("t@example.org", Role.TEACHER)
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/login", data={"csrf_token": token, "email": "t@example.org",
                                "password": "correct horse battery"})
    page = client.get("/teach/banks").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    big = bank_bytes(extra=CARD + "  # " + "x" * 80_000 + "\n")  # over the global 50 KB cap
    response = client.post("/teach/banks/upload", content_type="multipart/form-data", data={
        "csrf_token": token, "files": [(io.BytesIO(big), "energy.yaml")]})
    assert response.status_code == 200, response.status_code
    assert "Ready to import" in response.get_data(as_text=True)
    anywhere_else = client.post("/register", data={"name": "x" * 60_000})
    assert anywhere_else.status_code == 413


def confirm_upload(client, content, name="energy.yaml"):
    page = upload(client, (name, content)).get_data(as_text=True)
    match = re.search(r"/teach/banks/upload/([\w-]+)/confirm", page)
    if match is None:
        return page
    return client.post(f"/teach/banks/upload/{match.group(1)}/confirm",
                       follow_redirects=True).get_data(as_text=True)


def test_a_teacher_cannot_change_another_teachers_or_a_bundled_bank(client, users, app):
    owner = users.login_as(Role.TEACHER)
    assert "Imported energy: 3 added" in confirm_upload(client, bank_bytes())
    assert db.session.scalar(select(Bank.owner_id)) == owner.id
    users.login_as(Role.TEACHER)  # someone else
    page = confirm_upload(client, bank_bytes(extra=""))  # would retire a question
    assert "is used by a bank you did not upload" in page
    assert db.session.scalar(select(func.count()).select_from(Question).where(
        Question.retired.is_(True))) == 0
    users.login_as(Role.ADMIN)
    assert "1 retired" in confirm_upload(client, bank_bytes(extra=""))
    # A bank loaded from the command line has no owner: teachers cannot change it.
    from tests.helpers import import_banks

    import_banks({"id": "bundled", "title": "Bundled", "questions": [
        {"id": "q", "type": "flashcard", "front": "F", "back": "B"}]})
    users.login_as(Role.TEACHER)
    page = confirm_upload(client, b"id: bundled\ntitle: Mine now\nquestions:\n"
                                  b"  - {id: q, type: flashcard, front: X, back: Y}\n")
    assert "is used by a bank you did not upload" in page


def test_a_bank_with_a_nul_byte_is_reported_by_line_on_the_web(client, users):
    users.login_as(Role.TEACHER)
    page = upload(client, ("nul.yaml", b"id: nul\ntitle: N\x00\nquestions: []\n"))
    assert page.status_code == 422
    text = page.get_data(as_text=True)
    assert "nul.yaml:2:9</code> the file holds a character YAML does not allow" in text
    assert db.session.scalar(select(func.count()).select_from(Bank)) == 0


def test_anyone_else_is_held_to_the_sites_body_limit(make_app):
    """Only a signed-in teacher's upload may be bank-sized: an anonymous 3 MB body is
    refused before it is read, not after a redirect to the login page."""
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    body = b"x" * (3 * 1024 * 1024)
    answer = client.post("/teach/banks/upload", data=body,
                         content_type="application/octet-stream")
    assert answer.status_code == 413
