"""A tiny run of the next-card benchmark, so it cannot rot; no assertion here is about time.

What it does check is what the latency target stands on: the due-card query, as the app
sends it, is an index search in due order with no sort step, on the sizes it generates.
"""

from collections import Counter
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bench import next_card
from bench.data import populate
from quizapp.extensions import db
from quizapp.models import CardState

pytestmark = pytest.mark.bench


def test_tiny_next_card_run_reads_an_index_in_due_order():
    result = next_card.main(["--sizes", "2x20", "6x20", "--calls", "40", "--rounds", "2"])
    sizes = result["next_card"]["sizes"]
    assert [s["card_states"] for s in sizes] == [40, 120]
    for size in sizes:
        assert size["plan_index_no_sort"], size["plan"]
        assert len(size["rounds"]) == 2 and size["p50_ms"] > 0
    assert set(result["next_card"]["ratio"]) == {"p50", "p95"}


def test_every_generated_student_has_the_same_shares_of_cards(app):
    """So that ten students are a fair sample of ten thousand in the size comparison: of each
    student's cards, 12% learning and 9% overdue reviews, whichever cards are still new."""
    now = datetime.now(UTC)
    populate(5, 50, now, new_share=0.2)
    seen, learning, overdue = Counter(), Counter(), Counter()
    for user_id, state, due in db.session.execute(
            select(CardState.user_id, CardState.state, CardState.due)):
        seen[user_id] += 1
        learning[user_id] += state == 1
        overdue[user_id] += state == 2 and due <= now
    assert len(seen) == 5 and len(set(seen.values())) > 1  # new cards still fall at random
    for user_id, cards in seen.items():
        assert (learning[user_id], overdue[user_id]) == (round(cards * 0.12),
                                                         round(cards * 0.09)), user_id
