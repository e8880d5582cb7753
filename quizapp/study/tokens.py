"""A signed token per presentation of a card: who, which card, at which repetition, when,
and the card's scheduling state as shown.

A rating carries the token back; it is applied only while the card is still at that
repetition, so a double click, a reload, the back button or a second tab cannot rate twice.
Because the token is signed and carries the state it was shown with, a rating needs no read
of the card before its conditional update.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadData, URLSafeSerializer

from ..scheduling import CardSnapshot

SALT = "study-presentation"


@dataclass(frozen=True)
class Presentation:
    user_id: int
    question_id: int
    reps: int  # the card's repetition count when shown
    nonce: str
    shown_at: datetime
    card: CardSnapshot | None = None  # the state shown (None for a new card)
    targets: bool = True  # the student had target days when it was shown (else none to read)

    @property
    def seed(self) -> int:
        """The random source for this presentation's shuffles and interval fuzz."""
        return int(self.nonce[:12], 16)


def new_presentation(user_id: int, question_id: int, card: CardSnapshot | None,
                     now: datetime, targets: bool = True) -> Presentation:
    return Presentation(user_id, question_id, card.reps if card else 0, secrets.token_hex(16),
                        now, card, targets)


def _millis(value: datetime | None) -> int | None:
    return None if value is None else round(value.timestamp() * 1_000_000)


def _time(value: int | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1_000_000, UTC)


def _serializer(secret_key: str) -> URLSafeSerializer:
    return URLSafeSerializer(secret_key, salt=SALT)


def encode(presentation: Presentation, secret_key: str) -> str:
    p, c = presentation, presentation.card
    card = None if c is None else [c.state, c.step, c.stability, c.difficulty, _millis(c.due),
                                   _millis(c.last_review), c.reps, c.lapses]
    payload = [p.user_id, p.question_id, p.reps, p.nonce, _millis(p.shown_at), card,
               int(p.targets)]
    return _serializer(secret_key).dumps(payload)


def decode(token: str, secret_key: str) -> Presentation | None:
    """The presentation, or None for a forged or garbled token."""
    try:
        user_id, question_id, reps, nonce, micros, card, *rest = _serializer(
            secret_key).loads(token)
        snapshot = None if card is None else CardSnapshot(
            int(card[0]), card[1], card[2], card[3], _time(card[4]), _time(card[5]),
            int(card[6]), int(card[7]))
        return Presentation(int(user_id), int(question_id), int(reps), str(nonce),
                            _time(micros), snapshot, bool(rest[0]) if rest else True)
    except (BadData, ValueError, TypeError, IndexError):
        return None
