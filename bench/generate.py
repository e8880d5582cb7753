"""Generated data for benchmarks: large banks in the real format."""

from __future__ import annotations

import random

import yaml

KINDS = ["single_choice", "multiple_choice", "true_false", "short_answer", "cloze",
         "matching", "ordering", "flashcard"]


def _question(i: int, rng: random.Random, kinds: list[str]) -> dict:
    kind = kinds[i % len(kinds)]
    base = {"id": f"q{i:06d}", "type": kind, "source": {"paragraphs": [rng.randint(1, 22)]},
            "tags": [f"theme:t{i % 12}", f"project:p{i % 17}"]}
    words = " ".join(rng.choice(["energy", "trade", "culture", "youth", "bridge", "corridor",
                                 "partnership", "exchange"]) for _ in range(12))
    explanation = f"Because paragraph {i % 22 + 1} says so: {words}."
    if kind == "flashcard":
        return base | {"front": f"Term {i}", "back": words}
    body = {"prompt": f"Question {i}: {words}?", "explanation": explanation}
    choices = [f"Choice {i}-{n} {words[:20]}" for n in range(4)]
    if kind == "single_choice":
        body |= {"choices": choices, "answer": choices[i % 4]}
    elif kind == "multiple_choice":
        body |= {"choices": choices, "answers": choices[:2]}
    elif kind == "true_false":
        body |= {"answer": bool(i % 2)}
    elif kind == "short_answer":
        body |= {"answers": [f"answer {i}", f"alt {i}"]}
    elif kind == "cloze":
        body = {"text": f"The [[bridge|link]] joins [[Europe]] and Asia ({i}).",
                "explanation": explanation}
    elif kind == "matching":
        body |= {"pairs": [{"left": f"L{i}-{n}", "right": f"R{i}-{n}"} for n in range(4)]}
    else:
        body |= {"items": [f"Step {n} of {i}" for n in range(4)]}
    return base | body


def bank_yaml(count: int, bank_id: str = "generated", seed: int = 1,
              kinds: list[str] = KINDS) -> str:
    """A bank of `count` questions, cycling through `kinds` (every type by default)."""
    rng = random.Random(seed)
    doc = {"id": bank_id, "title": f"Generated bank of {count}",
           "questions": [_question(i, rng, kinds) for i in range(count)]}
    return yaml.dump(doc, Dumper=yaml.CSafeDumper, sort_keys=False, width=100)
