"""Identifiers: ISSN and ORCID check digits, and the ORCID, PMCID, PII and DOI fixed by a person or a PMID.

Every per-PMID fact is recomputable by any later record, so nothing per article is kept.
"""

from __future__ import annotations

import functools

_M64 = (1 << 64) - 1


def mix(x: int) -> int:
    """The splitmix64 finaliser: a well-spread 64-bit hash of an int."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def permute(i: int, modulus: int, salt: int) -> int:
    """A bijection of 0..modulus-1 (7919 is a prime not dividing any modulus used here): distinct i, distinct out."""
    return (i * 7919 + salt) % modulus


def issn(body: int) -> str:
    """The ISSN ``NNNN-NNNC`` for a 7-digit body, with its mod-11 check character."""
    digits = f"{body:07d}"
    total = sum(int(d) * w for d, w in zip(digits, range(8, 1, -1)))
    check = (11 - total % 11) % 11
    return f"{digits[:4]}-{digits[4:]}{'X' if check == 10 else check}"


def orcid(body: int) -> str:
    """The ORCID ``NNNN-NNNN-NNNN-NNNC`` for a 15-digit body, with its ISO 7064 11,2 check character."""
    digits = f"{body:015d}"
    total = 0
    for d in digits:
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    full = digits + ("X" if check == 10 else str(check))
    return "-".join(full[i:i + 4] for i in range(0, 16, 4))


@functools.lru_cache(maxsize=1 << 14)  # the busiest ORCID holders sign thousands of articles
def orcid_of(person: int) -> str:
    """Person ``person``'s ORCID: 0000-000k-… (or the newer 0009-000k-…), distinct for distinct persons."""
    h = mix(person ^ 0x5EED)
    block = 900_000_000_000 if h % 10 == 0 else 0
    return orcid(block + (1 + h % 3) * 10_000_000 + permute(person, 10_000_000, 1_234_567))


def pmcid_of(pmid: int, hashed: int | None = None) -> str | None:
    """About 30% of articles are in PMC; the number is distinct for any 9,000,000 consecutive PMIDs.

    ``hashed`` is ``mix(pmid)`` when the caller has it already.
    """
    hashed = mix(pmid) if hashed is None else hashed
    return f"PMC{pmid * 7 % 9_000_000 + 1_000_000}" if (hashed >> 40) % 100 < 30 else None


def pii_of(pmid: int, journal_issn: str, year: int) -> str | None:
    """An Elsevier-style PII for about a quarter of the articles (``journal_issn``: 8 characters, no hyphen)."""
    h = mix(pmid ^ 0xBADA55)
    if h % 4:
        return None
    return f"S{journal_issn}({year % 100:02d}){pmid % 100_000:05d}-{'X' if h % 11 == 10 else h % 11 % 10}"


def doi_of(prefix: int, pmid: int) -> str:
    """The DOI of a corpus article, under its publisher's prefix."""
    return f"10.{prefix}/bench.{pmid}"
