"""Item statistics from sums, as Moodle's quiz statistics define them. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..problems import N_, Words

LOW_FACILITY = 0.2
MIN_ATTEMPTS = 5  # fewer first attempts than this say too little to flag an item


@dataclass(frozen=True)
class ItemSums:
    """Sums over first attempts: x = score on the item (0..1), y = score on the rest."""

    n: int
    sx: float
    sxx: float
    sy: float
    syy: float
    sxy: float


@dataclass(frozen=True)
class ItemStats:
    attempts: int
    facility: float | None  # mean item score as a fraction of the maximum (1)
    discrimination: float | None  # Pearson r between item score and rest-of-quiz score

    @property
    def enough(self) -> bool:
        return self.attempts >= MIN_ATTEMPTS

    @property
    def flags(self) -> list[Words]:
        if not self.enough:
            return []
        notes = []
        if self.discrimination is not None and self.discrimination < 0:
            notes.append(Words(N_("negative discrimination: stronger students do worse on "
                                  "it")))
        if self.facility is not None and self.facility < LOW_FACILITY:
            notes.append(Words(N_("very low facility: almost nobody gets it right")))
        return notes


def item_stats(s: ItemSums) -> ItemStats:
    if s.n == 0:
        return ItemStats(0, None, None)
    facility = s.sx / s.n
    var_x = s.n * s.sxx - s.sx * s.sx
    var_y = s.n * s.syy - s.sy * s.sy
    if s.n < 2 or var_x <= 1e-12 or var_y <= 1e-12:
        return ItemStats(s.n, facility, None)  # undefined when everyone scored the same
    r = (s.n * s.sxy - s.sx * s.sy) / math.sqrt(var_x * var_y)
    return ItemStats(s.n, facility, max(-1.0, min(1.0, r)))
