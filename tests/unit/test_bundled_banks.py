"""The bundled banks: valid, big enough, covering the article, and in our own words."""

import hashlib
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from quizapp.banks.files import load_paths
from quizapp.banks.orientation import load_path
from quizapp.banks.schema import QUESTION_TYPES

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = ROOT / "questions"
ARTICLE = ROOT.parent / "shared" / "source" / "article.md"
# Every run of eight words in the article, hashed: the no-copy rule can be checked where the
# article is not (a fresh clone in CI), and the repository holds none of its sentences.
ARTICLE_RUNS = Path(__file__).with_name("article_runs.txt")
RUN = 8
MAIN_BANKS = ("themes", "projects", "positions")


@pytest.fixture(scope="module")
def banks():
    return {bank.id: bank for bank in load_paths([QUESTIONS], max_bytes=None)}


def main_questions(banks):
    return [q for bank_id in MAIN_BANKS for q in banks[bank_id].questions]


def test_the_four_banks_are_there(banks):
    assert set(MAIN_BANKS) | {"key-terms"} <= set(banks)


def test_at_least_150_questions_in_the_three_banks(banks):
    assert len(main_questions(banks)) >= 150


def test_every_paragraph_cited_at_least_three_times(banks):
    cited = Counter(p for q in main_questions(banks) for p in q.source.paragraphs)
    thin = {p: cited[p] for p in range(1, 23) if cited[p] < 3}
    assert thin == {}, f"paragraphs cited fewer than 3 times: {thin}"
    assert set(cited) <= set(range(1, 23)), "a question cites a paragraph the article lacks"


def test_every_type_used_at_least_eight_times(banks):
    used = Counter(q.type for q in main_questions(banks))
    assert {t: used[t] for t in QUESTION_TYPES if used[t] < 8} == {}


def test_key_terms_has_at_least_30_flashcards(banks):
    cards = banks["key-terms"].questions
    assert len(cards) >= 30 and {q.type for q in cards} == {"flashcard"}


def test_every_question_has_a_theme_project_or_position_tag(banks):
    untagged = [q.id for bank in banks.values() for q in bank.questions
                if not any(t.split(":")[0] in ("theme", "project", "position") for t in q.tags)]
    assert untagged == []


def test_every_question_cites_paragraphs_and_explains(banks):
    bare = [q.id for bank in banks.values() for q in bank.questions if not q.source.paragraphs]
    assert bare == []
    unexplained = [q.id for q in main_questions(banks)
                   if q.type != "flashcard" and not q.explanation]
    assert unexplained == []


def test_no_all_or_none_of_the_above(banks):
    lazy = [q.id for q in main_questions(banks) for c in getattr(q, "choices", [])
            if re.search(r"\b(all|none) of the above\b", c.text, re.I)]
    assert lazy == []


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.casefold())
    text = re.sub(r"[\u2010-\u2015-]", " ", text)
    return re.findall(r"[a-z0-9']+", text)


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _run_hashes(words: list[str]) -> list[str]:
    return [hashlib.sha256(" ".join(words[i:i + RUN]).encode()).hexdigest()[:16]
            for i in range(len(words) - RUN + 1)]


def _article_run_hashes() -> set[str]:
    paragraphs = re.findall(r"^\[\d+\] (.*)$", ARTICLE.read_text(encoding="utf-8"), re.M)
    assert len(paragraphs) == 22
    return set(_run_hashes(_words(" ".join(paragraphs))))


def _kept_run_hashes() -> set[str]:
    lines = ARTICLE_RUNS.read_text(encoding="utf-8").splitlines()
    return {line for line in lines if line and not line.startswith("#")}


def write_article_runs() -> None:
    """Rewrite article_runs.txt from the article: python -m tests.unit.test_bundled_banks"""
    hashes = sorted(_article_run_hashes())
    ARTICLE_RUNS.write_text(
        "# sha256 (first 16 hex digits) of each run of eight words in the article, as\n"
        "# test_bundled_banks normalises them. Rewrite: python -m tests.unit.test_bundled_banks\n"
        + "\n".join(hashes) + "\n", encoding="utf-8")


def _our_texts(banks):
    path = load_path(QUESTIONS / "orientation.yaml")
    for module in path.modules:
        for text in [module.title, *module.briefing]:
            yield f"orientation/{module.id}", text
    for bank in banks.values():
        for q in bank.questions:
            for text in _strings(q.model_dump(exclude={"id", "type", "tags", "source"})):
                yield f"{bank.id}/{q.id}", re.sub(r"\[\[|\]\]|\|", " ", text)


def test_no_run_of_eight_words_copied_from_the_article(banks):
    """Checked against the article's hashed runs, which are checked against the article
    itself wherever it is beside the project."""
    runs = _kept_run_hashes()
    if ARTICLE.exists():
        assert runs == _article_run_hashes(), \
            "article_runs.txt is out of date: python -m tests.unit.test_bundled_banks"
    assert len(runs) > 1000  # the article's 22 paragraphs
    copied = []
    for where, text in _our_texts(banks):
        words = _words(text)
        copied += [f"{where}: {' '.join(words[i:i + RUN])}"
                   for i, digest in enumerate(_run_hashes(words)) if digest in runs]
    assert copied == []


def test_single_choice_answers_are_spread_over_positions(banks):
    positions = Counter(q.choice_texts.index(q.answer) for q in main_questions(banks)
                        if q.type == "single_choice")
    total = sum(positions.values())
    assert max(positions.values()) <= 0.4 * total, positions


if __name__ == "__main__":
    write_article_runs()


def test_the_bundled_banks_pass_the_item_writing_checks():
    """`banks check --lint --strict questions/`: no warning, and no waiver hides one."""
    from quizapp.banks.files import lint_paths

    banks = load_paths([QUESTIONS], max_bytes=None)
    assert [str(w) for w in lint_paths([QUESTIONS], banks)] == []
    assert not any(q.waive for bank in banks for q in bank.questions)


def test_a_quarter_of_the_graded_items_ask_for_more_than_recall(banks):
    """Inference, comparison or evaluation of the author's view: tagged skill:analysis."""
    graded = [q for bank_id in MAIN_BANKS for q in banks[bank_id].questions
              if q.type != "flashcard"]
    higher = [q for q in graded if "skill:analysis" in q.tags]
    assert len(higher) >= len(graded) / 4, (len(higher), len(graded))
