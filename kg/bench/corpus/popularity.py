"""Whom an article cites: earlier articles by popularity (a corpus), or an existing corpus (an increment)."""

from __future__ import annotations

import random
from array import array

_EXTERNAL_SHARE = 0.10  # references to works outside the corpus (PMIDs below first_pmid, or DOI/text only)
_HOT_SHARE = 0.5  # citations drawn from the recently written or cited; the rest by preferential attachment


class Popularity:
    """Earlier articles of the corpus to cite, by preferential attachment: ``pool`` holds each written article once
    and again for every second citation it gets, so a uniform pick favours the much cited. Half the picks come
    from the pool's last 5% (recent articles and those cited lately: what is "hot"), which leaves many articles
    uncited, as in real corpora. ``pool`` is the only state growing with the corpus: 4 bytes per article plus 4
    per second citation (about 25 MB for a million articles)."""

    def __init__(self, first_pmid: int) -> None:
        self.first = first_pmid
        self.pool = array("I")  # PMID offsets
        self._tick = 0

    def pick(self, rng: random.Random, pmid: int, count: int) -> list[int]:
        """``count`` distinct earlier PMIDs, or 0 for a reference outside the corpus."""
        earlier, pool, size = pmid - self.first, self.pool, len(self.pool)
        recent = min(size, max(50, size // 20))
        chosen: list[int] = []
        seen: set[int] = set()
        for _ in range(count):
            if rng.random() < _EXTERNAL_SHARE or len(seen) >= earlier:
                chosen.append(0)
                continue
            for _ in range(50):  # bounded retries keep the draws (and so the output) deterministic
                if rng.random() < _HOT_SHARE:
                    target = self.first + pool[size - 1 - int(recent * rng.random())]
                else:
                    target = self.first + pool[int(size * rng.random())]
                if target not in seen:
                    seen.add(target)
                    chosen.append(target)
                    break
            else:
                chosen.append(0)
        return chosen

    def record(self, pmid: int, cited: list[int]) -> None:
        """Add the article just written, and every second citation it made, to the pool."""
        pool = self.pool
        for target in cited:
            if target:
                self._tick ^= 1
                if self._tick:
                    pool.append(target - self.first)
        pool.append(pmid - self.first)


class Existing:
    """Articles of an existing corpus to cite from an increment: old ones (the popular ones there) and recent ones."""

    def __init__(self, first_pmid: int, existing: int) -> None:
        self.first, self.existing = first_pmid, existing

    def pick(self, rng: random.Random, pmid: int, count: int) -> list[int]:
        """Up to ``count`` distinct PMIDs of the existing corpus."""
        existing = self.existing
        window = max(1, existing // 20)
        chosen: list[int] = []
        seen: set[int] = set()
        for _ in range(min(count, existing)):
            for _ in range(50):
                if rng.random() < 0.3:
                    offset = existing - 1 - int(window * rng.random())
                else:
                    offset = int(existing * rng.random() ** 3)
                if offset not in seen:
                    seen.add(offset)
                    chosen.append(self.first + offset)
                    break
        return chosen

    def record(self, pmid: int, cited: list[int]) -> None:
        """Nothing to remember: the increment cites only the existing corpus."""


Citations = Popularity | Existing
