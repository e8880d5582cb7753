"""A signed token per presentation of a card: who, which card, at which repetition, when.

A rating carries the token back; it is applied only while the card is still at that
repetition, so a double click, a reload, the back button or a second tab cannot rate twice.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "study-presentation"


@dataclass(frozen=True)
class Presentation:
    user_id: int
    question_id: int
    reps: int  # the card's repetition count when shown
    nonce: str
    shown_at: datetime

    @property
    def seed(self) -> int:
        """The random source for this presentation's shuffles and interval fuzz."""
        return int(self.nonce[:12], 16)


def new_presentation(user_id: int, question_id: int, reps: int, now: datetime) -> Presentation:
    return Presentation(user_id, question_id, reps, secrets.token_hex(16), now)


def encode(presentation: Presentation, secret_key: str) -> str:
    p = presentation
    payload = [p.user_id, p.question_id, p.reps, p.nonce, int(p.shown_at.timestamp() * 1000)]
    return URLSafeSerializer(secret_key, salt=SALT).dumps(payload)


def decode(token: str, secret_key: str) -> Presentation | None:
    """The presentation, or None for a forged or garbled token."""
    try:
        user_id, question_id, reps, nonce, millis = URLSafeSerializer(
            secret_key, salt=SALT).loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    return Presentation(int(user_id), int(question_id), int(reps), str(nonce),
                        datetime.fromtimestamp(millis / 1000, UTC))
