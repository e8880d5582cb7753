"""Item-writing warnings: each rule fires on a bad item and stays silent on a good one, and a
waiver with a reason silences it."""

from __future__ import annotations

from pathlib import Path

import pytest

from quizapp.banks import lint
from quizapp.banks.schema import BankFile, LintRule


def _bank(*questions, bank_id="b") -> BankFile:
    return BankFile.model_validate({"id": bank_id, "title": "B", "questions": [
        {"id": f"q{n}", **q} for n, q in enumerate(questions)]})


def _rules(*questions) -> list[str]:
    return [rule for _, rule, _ in lint.lint([_bank(*questions)])["b"]]


def sc(prompt, choices, answer):
    return {"type": "single_choice", "prompt": prompt, "choices": choices, "answer": answer}


CASES = {
    "all-none-of-the-above": (
        sc("Which are partners?", ["Baku", "Lahore", "All of the above"], "All of the above"),
        sc("Which city is in Azerbaijan?", ["Baku", "Lahore", "Karachi"], "Baku")),
    "absolute-cue": (
        {"type": "true_false", "prompt": "The author never mentions trade.", "answer": False},
        {"type": "true_false", "prompt": "The author mentions trade.", "answer": True}),
    "key-stands-out": (
        sc("What does the author call the ties?", ["Old", "Weak",
           "A partnership rooted in shared history, faith and mutual support"],
           "A partnership rooted in shared history, faith and mutual support"),
        sc("What does the author call the ties?", ["A partnership of old friends",
           "A rivalry of neighbours", "A deal between traders"], "A partnership of old friends")),
    "a-an-mismatch": (
        sc("Azerbaijan is described as an", ["energy hub", "trading post", "island"],
           "energy hub"),
        sc("How is Azerbaijan described?", ["An energy hub", "A trading post", "An island"],
           "An energy hub")),
    "negative-stem": (
        sc("Which is not a shared value?", ["Faith", "Respect", "Rivalry"], "Rivalry"),
        sc("Which is NOT a shared value?", ["Faith", "Respect", "Rivalry"], "Rivalry")),
    "answer-in-prompt": (
        {"type": "short_answer", "prompt": "Name the corridor, one word, beginning with M.",
         "answers": ["Middle", "Middle Corridor"]},
        {"type": "short_answer", "prompt": "Which corridor links Asia and Europe?",
         "answers": ["Middle Corridor", "the Middle Corridor"]}),
    "single-common-key": (
        {"type": "cloze", "text": "Both seek [[peace]] in the region."},
        {"type": "cloze", "text": "Both seek [[peace|peaceful relations]] in the region."}),
}


@pytest.mark.parametrize("rule", list(CASES))
def test_a_rule_fires_on_a_bad_item_and_not_on_a_good_one(rule):
    bad, good = CASES[rule]
    assert rule in _rules(bad), _rules(bad)
    assert rule not in _rules(good), _rules(good)


def test_near_duplicates_within_and_across_banks():
    first = sc("Which challenges do the two countries share, per the article?",
               ["Climate change", "Tourism", "Sports"], "Climate change")
    again = sc("Which challenges do both countries share according to the article?",
               ["Climate change", "Shipping", "Music"], "Climate change")
    other = sc("Which city hosts the embassy?", ["Baku", "Ganja", "Shusha"], "Baku")
    assert _rules(first, again).count("near-duplicate") == 1
    assert "near-duplicate" not in _rules(first, other)
    found = lint.lint([_bank(first, bank_id="a"), _bank(again, bank_id="b")])
    assert "a/q0" in str(found["b"][0][2])


def test_a_stock_distractor_and_a_theme_only_distractors_use():
    stock = [sc(f"Question {n} about the ties?", ["Trade", "Faith", "A military pact"],
                "Faith" if n % 2 else "Trade") for n in range(4)]
    assert _rules(*stock).count("stock-distractor") == 4
    varied = [sc(f"Question {n} about the ties?", ["Faith", f"Tea {n}", f"Salt {n}"], "Faith")
              for n in range(4)]
    assert "stock-distractor" not in _rules(*varied)
    themed = [sc(f"What links them, {n}?", ["Faith", "Trade", f"Military drill {n}"], "Faith")
              for n in range(4)]
    assert _rules(*themed).count("stock-distractor") == 4  # "military", in no question


def test_a_waiver_with_a_reason_silences_one_rule():
    waived = {"type": "true_false", "prompt": "The author never mentions trade.",
              "answer": False, "waive": {"absolute-cue": "the article's own word"}}
    assert "absolute-cue" not in _rules(waived)


def test_every_rule_is_documented_and_waivable():
    assert set(lint.RULES) == set(LintRule.__args__)
    text = (Path(lint.__file__).parents[2] / "questions" / "README.md").read_text("utf-8")
    assert all(f"`{rule}`" in text for rule in lint.RULES)
