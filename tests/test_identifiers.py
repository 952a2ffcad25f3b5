"""Identifier normalisation and validation, with the schemes' own check digits."""

import pytest

from kg.errors import IdentifierError
from kg.identifiers import normalise, parse_curie
from kg.records import Scheme


@pytest.mark.parametrize(("scheme", "raw", "expected"), [
    (Scheme.DOI, "https://doi.org/10.1107/S1600576724011750", "10.1107/s1600576724011750"),
    (Scheme.DOI, "doi:10.3390/IJMS26041528", "10.3390/ijms26041528"),
    (Scheme.PMID, " 21933757 ", "21933757"),
    (Scheme.PMCID, "11855589", "PMC11855589"),
    (Scheme.PMCID, "pmc11855589", "PMC11855589"),
    (Scheme.ISSN, "0021-8898", "0021-8898"),
    (Scheme.ISSN, "16005767", "1600-5767"),
    (Scheme.ORCID, "https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
    (Scheme.ORCID, "0000-0001-5109-3700", "0000-0001-5109-3700"),
    (Scheme.NLM, "0372711", "0372711"),
])
def test_valid_identifiers_are_normalised(scheme, raw, expected):
    assert normalise(scheme, raw) == expected


@pytest.mark.parametrize(("scheme", "raw"), [
    (Scheme.DOI, "11.1000/x"), (Scheme.DOI, "10.1000/"), (Scheme.PMID, "0123"), (Scheme.PMID, "12a"),
    (Scheme.PMCID, "PMCX1"), (Scheme.ISSN, "0021-8897"), (Scheme.ISSN, "0021-88"),
    (Scheme.ORCID, "0000-0002-1825-0098"), (Scheme.ORCID, "0000-0002-1825"),
])
def test_invalid_identifiers_raise(scheme, raw):
    with pytest.raises(IdentifierError):
        normalise(scheme, raw)


def test_curies_and_urls():
    assert str(parse_curie("PMID:21933757")) == "pmid:21933757"
    assert str(parse_curie("https://doi.org/10.1000/ABC")) == "doi:10.1000/abc"
    with pytest.raises(IdentifierError, match="unknown identifier scheme"):
        parse_curie("isbn:123")
    with pytest.raises(IdentifierError, match="scheme:value"):
        parse_curie("21933757")
