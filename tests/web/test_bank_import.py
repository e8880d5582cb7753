"""Importing banks: all or nothing, progress kept across edits, retire and restore, export."""

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from quizapp.banks.schema import json_schema
from quizapp.extensions import db
from quizapp.models import Bank, CardState, Question, QuestionTag

ROOT = Path(__file__).resolve().parents[2]

BANK = """\
id: energy
title: Energy and connectivity
source: {{author: Qaiser Nawab, date: 2025-01-13}}
questions:
  - id: hub
    type: single_choice
    prompt: {hub_prompt}
    choices: [A regional energy hub, A shipping centre, {{text: A tech park, feedback: No.}}]
    answer: A regional energy hub
    explanation: Paragraph 5 says so.
    source: {{paragraphs: [5]}}
    tags: [theme:energy, project:sgc]
  - id: corridor
    type: short_answer
    prompt: Which corridor does the article link with Azerbaijan's location?
    answers: [CPEC, China-Pakistan Economic Corridor]
    explanation: Paragraph 6.
    source: {{paragraphs: [6]}}
    tags: [project:cpec]
{extra}"""
CARD = """\
  - id: card
    type: flashcard
    front: SGC
    back: Southern Gas Corridor
"""


def write(tmp_path, name="energy.yaml", hub_prompt="What is Azerbaijan, per the article?",
          extra=CARD) -> Path:
    path = tmp_path / name
    path.write_text(BANK.format(hub_prompt=hub_prompt, extra=extra), encoding="utf-8")
    return path


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def banks_cli(runner, *args):
    return runner.invoke(args=["banks", *args])


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_import_reports_added_then_unchanged(runner, tmp_path):
    path = write(tmp_path)
    first = banks_cli(runner, "import", str(path))
    assert first.exit_code == 0, first.output
    assert "energy: 3 added, 0 changed, 0 unchanged, 0 retired" in first.output
    again = banks_cli(runner, "import", str(path))
    assert "energy: 0 added, 0 changed, 3 unchanged, 0 retired" in again.output
    assert count(Question) == 3
    tags = db.session.scalars(select(QuestionTag.tag).order_by(QuestionTag.tag)).all()
    assert tags == ["project:cpec", "project:sgc", "theme:energy"]
    listing = banks_cli(runner, "list").output
    assert "energy" in listing and "3 questions" in listing


def test_dry_run_writes_nothing(runner, tmp_path):
    result = banks_cli(runner, "import", "--dry-run", str(write(tmp_path)))
    assert result.exit_code == 0
    assert "energy: 3 added" in result.output and "nothing was written" in result.output
    assert count(Bank) == 0 and count(Question) == 0


def test_one_bad_file_means_nothing_is_written(runner, tmp_path):
    good = write(tmp_path, "a.yaml")
    bad = tmp_path / "b.yaml"
    bad.write_text("id: other\ntitle: T\nquestions:\n  - id: q\n    type: true_false\n"
                   "    prompt: P\n    answer: maybe\n    explanation: E\n")
    result = banks_cli(runner, "import", str(good), str(bad))
    assert result.exit_code == 1
    assert "b.yaml:7:13: questions[0].answer: expected true or false" in result.output
    assert "nothing was written" in result.output
    assert count(Bank) == 0 and count(Question) == 0


def test_duplicate_bank_ids_across_files_are_refused(runner, tmp_path):
    result = banks_cli(runner, "import", str(write(tmp_path, "a.yaml")),
                       str(write(tmp_path, "b.yaml")))
    assert result.exit_code == 1
    assert "bank id 'energy' is also used by" in result.output
    assert count(Bank) == 0


def test_check_validates_only(runner, tmp_path):
    write(tmp_path)
    ok = banks_cli(runner, "check", str(tmp_path))
    assert ok.exit_code == 0 and "OK: 1 bank, 3 questions" in ok.output
    assert count(Bank) == 0
    (tmp_path / "broken.yaml").write_text("id: [\n")
    bad = banks_cli(runner, "check", str(tmp_path))
    assert bad.exit_code == 1 and "broken.yaml:2:1: YAML syntax error" in bad.output


def test_cli_size_limit(app, runner, tmp_path):
    app.config["CLI_IMPORT_MAX_BYTES"] = 100
    result = banks_cli(runner, "import", str(write(tmp_path)))
    assert result.exit_code == 1 and "over the limit of 100 bytes" in result.output


def test_editing_a_question_keeps_progress(runner, tmp_path, users):
    banks_cli(runner, "import", str(write(tmp_path)))
    student = users.create("s@example.org")
    hub = db.session.scalar(select(Question).where(Question.key == "hub"))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.add(CardState(user_id=student.id, question_id=hub.id, state=2, step=None,
                             stability=10.0, difficulty=5.0, due=now, last_review=now))
    db.session.commit()
    edited = write(tmp_path, hub_prompt="Which role does the article give Azerbaijan?")
    result = banks_cli(runner, "import", str(edited))
    assert "energy: 0 added, 1 changed, 2 unchanged, 0 retired" in result.output
    db.session.expire_all()
    hub_after = db.session.scalar(select(Question).where(Question.key == "hub"))
    assert hub_after.id == hub.id
    assert hub_after.prompt == "Which role does the article give Azerbaijan?"
    card = db.session.scalar(select(CardState).where(CardState.user_id == student.id))
    assert card.question_id == hub.id and card.stability == 10.0


def test_missing_question_is_retired_then_restored(runner, tmp_path):
    banks_cli(runner, "import", str(write(tmp_path)))
    without = banks_cli(runner, "import", str(write(tmp_path, extra="")))
    assert "energy: 0 added, 0 changed, 2 unchanged, 1 retired" in without.output
    card = db.session.scalar(select(Question).where(Question.key == "card"))
    assert card.retired is True
    assert "2 questions" in banks_cli(runner, "list").output
    back = banks_cli(runner, "import", str(write(tmp_path)))
    assert "1 restored" in back.output
    db.session.expire_all()
    assert db.session.get(Question, card.id).retired is False


def test_export_round_trips(runner, tmp_path):
    source = write(tmp_path)
    banks_cli(runner, "import", str(source))
    out = tmp_path / "out" / "energy.yaml"
    out.parent.mkdir()
    exported = banks_cli(runner, "export", "energy", "-o", str(out))
    assert exported.exit_code == 0
    text = out.read_text()
    assert text.startswith("# yaml-language-server: $schema=./schema.json")
    assert "feedback: No." in text
    again = banks_cli(runner, "import", str(out))
    assert "energy: 0 added, 0 changed, 3 unchanged, 0 retired" in again.output
    missing = banks_cli(runner, "export", "nope")
    assert missing.exit_code == 1 and "No bank with id 'nope'" in missing.output


def test_schema_json_is_up_to_date():
    committed = json.loads((ROOT / "questions" / "schema.json").read_text())
    assert committed == json_schema(), (
        "questions/schema.json is stale: run "
        "'flask --app quizapp banks schema > questions/schema.json'")


def test_a_bank_with_a_nul_byte_is_reported_by_line_on_the_command_line(runner, tmp_path):
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"id: nul\ntitle: N\x00\nquestions: []\n")
    for command in ("check", "import"):
        result = banks_cli(runner, command, str(path))
        assert result.exit_code == 1
        assert f"{path}:2:9: the file holds a character YAML does not allow" in result.output
        assert "Traceback" not in result.output
