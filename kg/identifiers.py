"""Normalise and validate identifiers: DOI, PMID, PMCID, PII, ISSN, ORCID, NLM journal id."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from kg.errors import IdentifierError
from kg.records import Identifier, Scheme

_DOI = re.compile(r"10\.\d{4,9}/\S+")
_DOI_PREFIXES = ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi.org/",
                 "doi:")
_PMID = re.compile(r"[1-9]\d{0,9}")
_PMCID = re.compile(r"(?:PMC)?([1-9]\d{0,9})", re.IGNORECASE)
# "pmc-id: PMC123;" (PubMed's older ArticleId form) and a versioned "PMC123.2" name the same article
_PMCID_LABEL = re.compile(r"\s*pmc-id:", re.IGNORECASE)
_PMCID_VERSION = re.compile(r"(?<=\d)\.\d+$")
_ISSN = re.compile(r"(\d{4})-?(\d{3}[\dX])")
_ORCID = re.compile(r"(?:https?://orcid\.org/)?(\d{4})-?(\d{4})-?(\d{4})-?(\d{3}[\dX])")
_NLM = re.compile(r"[0-9A-Z]{4,12}")
_PII = re.compile(r"[\x21-\x7e][\x20-\x7e]{0,126}")


def _doi(text: str) -> str:
    low = text.strip().lower()
    for prefix in _DOI_PREFIXES:
        if low.startswith(prefix):
            low = low[len(prefix):].strip()
            break
    if not _DOI.fullmatch(low):
        raise IdentifierError(f"not a DOI: {text!r}")
    return low


def _pmid(text: str) -> str:
    value = text.strip()
    if not _PMID.fullmatch(value):
        raise IdentifierError(f"not a PMID (digits, no leading zero): {text!r}")
    return value


def _pmcid(text: str) -> str:
    value = text.strip()
    label = _PMCID_LABEL.match(value)
    value = value[label.end():] if label else value
    end = len(value)
    while end and (value[end - 1].isspace() or value[end - 1] == ";"):  # a regex ("[\s;]+$") is quadratic here
        end -= 1
    match = _PMCID.fullmatch(_PMCID_VERSION.sub("", value[:end]).strip())
    if not match:
        raise IdentifierError(f"not a PMCID: {text!r}")
    return f"PMC{match.group(1)}"


def _issn(text: str) -> str:
    match = _ISSN.fullmatch(text.strip().upper())
    if not match:
        raise IdentifierError(f"not an ISSN: {text!r}")
    digits = match.group(1) + match.group(2)
    total = sum(int(d) * w for d, w in zip(digits[:7], range(8, 1, -1)))
    check = (11 - total % 11) % 11
    if digits[7] != ("X" if check == 10 else str(check)):
        raise IdentifierError(f"ISSN check digit is wrong: {text!r}")
    return f"{digits[:4]}-{digits[4:]}"


def _orcid(text: str) -> str:
    match = _ORCID.fullmatch(text.strip().upper().replace("HTTPS://ORCID.ORG/", "").replace("HTTP://ORCID.ORG/", ""))
    if not match:
        raise IdentifierError(f"not an ORCID: {text!r}")
    digits = "".join(match.groups())
    total = 0
    for d in digits[:15]:
        total = (total + int(d)) * 2
    check = (12 - total % 11) % 11
    if digits[15] != ("X" if check == 10 else str(check)):
        raise IdentifierError(f"ORCID check digit is wrong: {text!r}")
    return "-".join(match.groups())


def _nlm(text: str) -> str:
    value = text.strip().upper()
    if not _NLM.fullmatch(value):
        raise IdentifierError(f"not an NLM unique id: {text!r}")
    return value


def _pii(text: str) -> str:
    value = text.strip()
    if not _PII.fullmatch(value):
        raise IdentifierError(f"not a publisher item identifier: {text!r}")
    return value


_NORMALISERS = {
    Scheme.DOI: _doi, Scheme.PMID: _pmid, Scheme.PMCID: _pmcid, Scheme.ISSN: _issn,
    Scheme.ORCID: _orcid, Scheme.NLM: _nlm, Scheme.PII: _pii,
}


def normalise(scheme: Scheme, text: str) -> str:
    """The canonical form of ``text`` in ``scheme``; raises IdentifierError if it does not validate."""
    return _NORMALISERS[scheme](text)


_dropped: ContextVar[list[str] | None] = ContextVar("kg_dropped_identifiers", default=None)


@contextmanager
def dropped() -> Iterator[list[str]]:
    """Collects what ``normalise_or_none`` drops while the block runs (the loader asks around each record, so
    that a bad ISSN or ORCID, dropped while the rest of its record loads, is named in the load report)."""
    found: list[str] = []
    token = _dropped.set(found)
    try:
        yield found
    finally:
        _dropped.reset(token)


def normalise_or_none(scheme: Scheme, text: str | None) -> str | None:
    """The canonical form of ``text``, or None when it is absent or does not validate (readers drop those, and
    ``dropped`` hears of it)."""
    if not text:
        return None
    try:
        return normalise(scheme, text)
    except IdentifierError as exc:
        if (found := _dropped.get()) is not None:
            found.append(f"{exc.message} (dropped; the rest of the record is kept)")
        return None


def parse(scheme: Scheme, text: str) -> Identifier:
    """An Identifier from raw text; raises IdentifierError if it does not validate."""
    return Identifier(scheme, normalise(scheme, text))


def parse_curie(text: str) -> Identifier:
    """``pmid:123``, ``pmcid:PMC9``, ``doi:10.1/x``, ``issn:...``, ``orcid:...``; a bare DOI URL works too."""
    stripped = text.strip()
    if stripped.lower().startswith(("https://doi.org/", "http://doi.org/", "https://dx.doi.org/")):
        return parse(Scheme.DOI, stripped)
    if stripped.lower().startswith(("https://orcid.org/", "http://orcid.org/")):
        return parse(Scheme.ORCID, stripped)
    prefix, sep, rest = stripped.partition(":")
    if not sep:
        raise IdentifierError(f"expected scheme:value (pmid:, pmcid:, doi:, issn:, orcid:), got {text!r}")
    try:
        scheme = Scheme(prefix.lower())
    except ValueError:
        known = ", ".join(s.value for s in Scheme)
        raise IdentifierError(f"unknown identifier scheme {prefix!r} (known: {known})") from None
    return parse(scheme, rest)
