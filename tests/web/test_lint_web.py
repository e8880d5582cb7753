"""Item-writing warnings where teachers meet them: `banks check --lint`, the upload preview
and the editor's bank page. They warn; they never stop an import."""

from __future__ import annotations

import io
import re

from quizapp.models import Role
from tests.helpers import import_banks

BANK = """\
id: cues
title: Cues
questions:
  - id: fair
    type: true_false
    prompt: The author praises the partnership.
    answer: true
  - id: giveaway
    type: true_false
    prompt: The author never mentions trade.
    answer: false
  - id: waived
    type: true_false
    prompt: The author says the ties are only growing.
    answer: true
    waive: {absolute-cue: "the article's own word"}
"""


def test_the_cli_lists_warnings_on_their_lines_and_strict_fails(app, tmp_path):
    (tmp_path / "cues.yaml").write_text(BANK)
    runner = app.test_cli_runner()
    out = runner.invoke(args=["banks", "check", "--lint", str(tmp_path)])
    assert out.exit_code == 0
    assert re.search(r"cues\.yaml:8:5: giveaway \[absolute-cue\]: “never”", out.output)
    assert "waived" not in out.output and "1 item-writing warning;" in out.output
    strict = runner.invoke(args=["banks", "check", "--lint", "--strict", str(tmp_path)])
    assert strict.exit_code == 1
    plain = runner.invoke(args=["banks", "check", str(tmp_path)])
    assert "warning" not in plain.output  # only with --lint


def test_the_upload_preview_and_the_editor_show_them(client, users):
    users.login_as(Role.TEACHER)
    page = client.post("/teach/banks/upload", content_type="multipart/form-data", data={
        "files": [(io.BytesIO(BANK.encode()), "cues.yaml")]}).get_data(as_text=True)
    assert "Ready to import" in page and "1 item-writing warning: the import still works" \
        in page and "<code>cues.yaml:8</code> giveaway [absolute-cue]" in page
    import_banks({"id": "mine", "title": "Mine", "questions": [
        {"id": "q", "type": "true_false", "prompt": "Trade always grows.", "answer": True}]})
    users.login_as(Role.ADMIN)
    bank = client.get("/teach/banks/mine/edit").get_data(as_text=True)
    assert '<code>absolute-cue</code>: “always”' in bank
