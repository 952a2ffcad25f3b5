"""Fast seeded draws shared by the record builders: uniform integers and word picks."""

from __future__ import annotations

import operator
import random
import sys
from array import array

_BIG_ENDIAN = sys.byteorder == "big"


def draw_int(rng: random.Random, low: int, high: int) -> int:
    """A uniform integer in low..high (several times faster than ``randint``)."""
    return low + int((high - low + 1) * rng.random())


def draw_words(rng: random.Random, table: list[str], count: int) -> tuple[str, ...]:
    """``count`` uniform picks from a 65,536-entry table, indexed in C by 16-bit random numbers."""
    indices = array("H", rng.randbytes(2 * count))
    if _BIG_ENDIAN:
        indices.byteswap()  # the same words on every platform
    return operator.itemgetter(*indices)(table) if count > 1 else tuple(table[i] for i in indices)
