"""The plain triple form the mapper emits and the store consumes: IRIs as str, literals as Lit."""

from __future__ import annotations

from typing import NamedTuple

from kg.mapping.vocab import XSD
from kg.records import PartialDate

XSD_STRING = str(XSD.string)
XSD_DATE = str(XSD.date)
XSD_GYEARMONTH = str(XSD.gYearMonth)
XSD_GYEAR = str(XSD.gYear)
XSD_DURATION = str(XSD.duration)
XSD_NNI = str(XSD.nonNegativeInteger)
XSD_POSITIVE = str(XSD.positiveInteger)
XSD_DATETIME = str(XSD.dateTime)
XSD_INTEGER = str(XSD.integer)


class Lit(NamedTuple):
    """A typed literal: lexical form and datatype IRI."""

    value: str
    datatype: str = XSD_STRING


Object = str | Lit
Triple = tuple[str, str, Object]


def date_literal(date: PartialDate) -> Lit:
    """xsd:date, xsd:gYearMonth or xsd:gYear, by the precision the source gave."""
    if date.day is not None:
        return Lit(date.isoformat(), XSD_DATE)
    if date.month is not None:
        return Lit(date.isoformat(), XSD_GYEARMONTH)
    return Lit(date.isoformat(), XSD_GYEAR)


def timespan(cited: PartialDate, citing: PartialDate) -> Lit:
    """xsd:duration from the cited to the citing date, at the precision both dates share (negative if reversed)."""
    if cited.month is None or citing.month is None:
        return Lit(_duration(citing.year - cited.year, 0, 0), XSD_DURATION)
    months = (citing.year - cited.year) * 12 + citing.month - cited.month
    if cited.day is None or citing.day is None:
        return Lit(_duration(months // 12 if months >= 0 else -(-months // 12),
                             months % 12 if months >= 0 else -(-months % 12), 0), XSD_DURATION)
    import datetime
    start = datetime.date(cited.year, cited.month, cited.day)
    end = datetime.date(citing.year, citing.month, citing.day)
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    months = (end.year - start.year) * 12 + end.month - start.month
    if end.day < start.day:
        months -= 1
    anchor_year, anchor_month = start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1
    last_day = (datetime.date(anchor_year + anchor_month // 12, anchor_month % 12 + 1, 1) - datetime.timedelta(days=1)).day
    days = (end - datetime.date(anchor_year, anchor_month, min(start.day, last_day))).days
    return Lit(_duration(sign * (months // 12), sign * (months % 12), sign * days), XSD_DURATION)


def _duration(years: int, months: int, days: int) -> str:
    negative = years < 0 or months < 0 or days < 0
    years, months, days = abs(years), abs(months), abs(days)
    parts = (f"{years}Y" if years else "") + (f"{months}M" if months else "") + (f"{days}D" if days else "")
    return ("-" if negative else "") + "P" + parts if parts else "PT0S"  # the canonical zero, as Oxigraph stores it
