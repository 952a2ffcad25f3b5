"""The field rules every reader shares (kg.readers.fields), on literal inputs: text, dates, names, pages."""

from __future__ import annotations

import pytest

from kg.readers.fields import (clean, date_fields, date_from_parts, date_from_text, family_first, given_and_suffix,
                               medline_pages, month_of, person, split_initials_name)
from kg.records import Pages, PartialDate

# --- text -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("\n      Glucose\n      tolerance\n    ", "Glucose tolerance"),          # XML layout: line breaks, indentation
    ("73\u00a0131 Individuals", "73\u00a0131 Individuals"),                  # a no-break space stays
    ("10\u2009mg \u2013 20\u2009mg", "10\u2009mg \u2013 20\u2009mg"),        # thin spaces and an en dash stay
    ("Caf\u00e9  au\tlait", "Caf\u00e9 au lait"),                            # runs of spaces and tabs: one space
    ("\u00a0lead", "\u00a0lead"),                                            # only layout whitespace is trimmed
    (" \n\t ", None), ("", None), (None, None),
])
def test_only_layout_whitespace_is_collapsed(text: str | None, expected: str | None) -> None:
    assert clean(text) == expected


# --- dates ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("1998 Dec-1999 Jan", PartialDate(1998, 12)),
    ("2000 Spring", PartialDate(2000, 4)),        # a season: the first month of its quarter
    ("Spring 2000", PartialDate(2000, 4)),
    ("2011 Winter", PartialDate(2011, 1)),
    ("2011 Summer", PartialDate(2011, 7)),
    ("2011 Autumn", PartialDate(2011, 10)),
    ("2011 Sep-Oct", PartialDate(2011, 9)),
    ("2011 Apr-Jun", PartialDate(2011, 4)),
    ("1999-2000", PartialDate(1999)),
    ("2003-2004 Fall", PartialDate(2003, 10)),
    ("2019 May/June", PartialDate(2019, 5)),
    ("2019 Apr 12-18", PartialDate(2019, 4, 12)),   # a range of days gives its first, as a range of months
    ("2011 Sep 22", PartialDate(2011, 9, 22)),
    ("2011 Sept. 5", PartialDate(2011, 9, 5)),
    ("2011-09-22", PartialDate(2011, 9, 22)),
    ("2011-09", PartialDate(2011, 9)),
    ("2011 Feb 30", PartialDate(2011, 2)),       # an impossible day is dropped, the month kept
    ("Summer", None), ("", None), (None, None),
])
def test_dates_written_out(text: str | None, expected: PartialDate | None) -> None:
    assert date_from_text(text) == expected


@pytest.mark.parametrize(("parts", "season", "expected"), [
    (("2011", "Sep", "22"), None, PartialDate(2011, 9, 22)),
    (("2011", "09", "22"), None, PartialDate(2011, 9, 22)),
    (("2011", None, "22"), None, PartialDate(2011)),              # a day needs a month
    (("2011", None, None), "Spring", PartialDate(2011, 4)),       # PubMed's <Season>, JATS <season>
    (("2011", None, None), "Apr-Jun", PartialDate(2011, 4)),
    (("2011", "Apr-Jun", "5"), None, PartialDate(2011, 4)),       # a range of months takes no day
    ((2011, 22, 3), None, PartialDate(2011, 7)),                  # Crossref's numeric season 22 (summer)
    ((2011, 13, None), None, PartialDate(2011)),
    (("", "Sep", None), None, None),
])
def test_dates_in_parts(parts: tuple, season: str | None, expected: PartialDate | None) -> None:
    assert date_from_parts(*parts, season=season) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("2020///", (2020, None, None)), ("2016/09//", (2016, 9, None)), ("2018-06-21", (2018, 6, 21)),
    ("SEP 10", (None, 9, 10)), ("2020 Jun", (2020, 6, None)), ("2011 Spring", (2011, 4, None)), ("soon", None),
])
def test_reference_manager_dates(text: str, expected: tuple | None) -> None:
    assert date_fields(text) == expected


@pytest.mark.parametrize(("text", "month"), [
    ("Sep", 9), ("09", 9), ("9", 9), ("September", 9), ("sept", 9), ("Spring", 4), ("fall", 10), ("Apr-Jun", 4),
    ("May/June", 5), ("13", None), ("", None), ("Soon", None)])
def test_months(text: str, month: int | None) -> None:
    assert month_of(text) == month


# --- names ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("De Caro L", ("De Caro", "L", None)),
    ("Wise JP Sr", ("Wise", "JP", "Sr")),          # a suffix is part of the name, apart from the initials
    ("Moore WE Jr", ("Moore", "WE", "Jr")),
    ("Smith J 3rd", ("Smith", "J", "3rd")),
    ("Rovira \u00c0", ("Rovira", "\u00c0", None)),  # accented initials parse like any other
    ("\u00d6zt\u00fcrk \u00c7E", ("\u00d6zt\u00fcrk", "\u00c7E", None)),
    ("Smith IV", ("Smith", "IV", None)),            # with nothing before it, IV is the initials
    ("WHO Collaborating Centre", ("WHO Collaborating Centre", None, None)),
])
def test_family_and_initials(text: str, expected: tuple) -> None:
    assert split_initials_name(text) == expected


def test_suffixes_stay_out_of_given_names() -> None:
    assert given_and_suffix("John Pierce Sr") == ("John Pierce", "Sr")
    assert given_and_suffix("Jr") == ("Jr", None)  # a given name is never emptied
    wise = family_first("Wise, John P., Jr.")
    assert (wise.family, wise.given, wise.suffix) == ("Wise", "John P.", "Jr.")
    assert family_first("World Health Organization").name == "World Health Organization"
    assert person("\u00d6lund", "\u00c9. J.").initials == "\u00c9J"
    assert person("Smith", "Erin").initials is None


# --- pages ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "first", "last"), [
    ("233-50", "233", "250"),
    ("1519-23", "1519", "1523"),
    ("S92-100", "S92", "S100"),
    ("1519841", "1519841", None),
    ("e123", "e123", None),
    ("1-10; 20-30", "1", "10"),
    ("123-33, 140", "123", "133"),
    ("NP12-NP15", "NP12", "NP15"),
    ("e99\u2013e102", "e99", "e102"),
    ("1234-1245.e5", "1234", "1245.e5"),
    ("123.e1-5", "123.e1", "123.e5"),
    ("Suppl 2:12-5", "Suppl 2:12", "Suppl 2:15"),
    ("vii-xxii", "vii", "xxii"),
    ("87-5", "87", None),  # a real MedlinePgn of pubmed20n0014: the last page would precede the first
])
def test_medline_page_ranges(text: str, first: str, last: str | None) -> None:
    assert medline_pages(text) == Pages(first, last)


def test_medline_page_range_without_pages() -> None:
    assert medline_pages("") is None
    assert medline_pages(" - ") is None
