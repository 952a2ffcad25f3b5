"""Small writers for tests: one article record rendered in the formats kg reads (MEDLINE, JATS, Crossref JSON, an
article page), as each format writes it, so that the same real record can come into the graph by every reader."""

from __future__ import annotations

import json
import textwrap
from xml.sax.saxutils import escape

from kg.records import Article, Author, Scheme

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
JATS_TYPES = {"Review": "review-article", "Letter": "letter", "Editorial": "editorial", "Case Reports": "case-report"}


def initials(author: Author) -> str:
    return author.initials or "".join(p[0] for p in (author.given or "").replace("-", " ").split())


def medline(articles: list[Article]) -> str:
    """PubMed's MEDLINE text: one ``TAG - value`` field per line, values wrapped at 80 columns and continued
    with six spaces."""
    return "\n".join(_medline_record(a) for a in articles)


def _medline_record(a: Article) -> str:
    fields = [("PMID", a.identifier(Scheme.PMID))]
    j = a.journal
    fields += [("IS", f"{issn} ({kind})") for issn, kind in ((j.issn_print, "Print"), (j.issn_electronic, "Electronic"),
                                                             (j.issn_linking, "Linking")) if issn]
    fields += [("VI", a.volume), ("IP", a.issue), ("DP", _written_date(a)), ("TI", a.title)]
    if a.pages:
        fields.append(("PG", "-".join(p for p in (a.pages.first, a.pages.last) if p)))
    fields += [("LID", f"{a.identifier(Scheme.DOI)} [doi]"), ("AB", " ".join((a.abstract or "").split("\n")))]
    for author in a.authors:
        fields.append(("FAU", f"{author.family}, {author.given}" + (f" {author.suffix}" if author.suffix else "")))
        fields.append(("AU", " ".join(p for p in (author.family, initials(author), author.suffix) if p)))
        if author.orcid:
            fields.append(("AUID", f"ORCID: {author.orcid}"))
        fields += [("AD", affiliation) for affiliation in author.affiliations]
    fields += [("LA", language) for language in a.languages] + [("PT", kind) for kind in a.publication_types]
    fields += [("TA", j.nlm_abbreviation), ("JT", j.title), ("JID", j.nlm_id), ("PMC", a.identifier(Scheme.PMCID))]
    lines = []
    for tag, value in fields:
        if value:
            wrapped = textwrap.wrap(value, 74, break_long_words=False, break_on_hyphens=False) or [value]
            lines.append(f"{tag:<4}- {wrapped[0]}")
            lines += [f"      {more}" for more in wrapped[1:]]
    return "\n".join(lines) + "\n"


def jats(articles: list[Article]) -> str:
    """An efetch ``<pmc-articleset>`` of JATS articles: front matter only, laid out with indentation."""
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<pmc-articleset>\n' + "".join(_jats_article(a) for a in articles)
            + "</pmc-articleset>\n")


def _jats_article(a: Article) -> str:
    j, date = a.journal, a.date
    kind = next((JATS_TYPES[t] for t in a.publication_types if t in JATS_TYPES), "research-article")
    issns = "".join(f'      <issn pub-type="{kind}">{issn}</issn>\n' for issn, kind in
                    ((j.issn_print, "ppub"), (j.issn_electronic, "epub")) if issn)
    contribs = "".join(_jats_contrib(author) for author in a.authors)
    ids = "".join(f'      <article-id pub-id-type="{kind}">{escape(value)}</article-id>\n' for kind, value in
                  (("pmid", a.identifier(Scheme.PMID)), ("pmc", a.identifier(Scheme.PMCID)),
                   ("doi", a.identifier(Scheme.DOI))) if value)
    day = f"<day>{date.day:02d}</day>" if date.day else ""
    month = f"<month>{date.month:02d}</month>" if date.month else ""
    pages = f"      <fpage>{a.pages.first}</fpage>\n" + (f"      <lpage>{a.pages.last}</lpage>\n" if a.pages.last else "")
    paragraphs = "".join(f"        <p>\n          {escape(p)}\n        </p>\n" for p in (a.abstract or "").split("\n"))
    return (f'<article article-type="{kind}">\n  <front>\n    <journal-meta>\n'
            f'      <journal-id journal-id-type="nlm-ta">{escape(j.nlm_abbreviation or "")}</journal-id>\n'
            f'      <journal-title-group>\n        <journal-title>{escape(j.title or "")}</journal-title>\n'
            f'      </journal-title-group>\n{issns}    </journal-meta>\n    <article-meta>\n{ids}'
            f'      <title-group>\n        <article-title>\n          {escape(a.title or "")}\n        </article-title>\n'
            f'      </title-group>\n      <contrib-group>\n{contribs}      </contrib-group>\n'
            f'      <pub-date pub-type="ppub">{day}{month}<year>{date.year}</year></pub-date>\n'
            f'      <volume>{a.volume}</volume>\n      <issue>{a.issue}</issue>\n{pages}'
            f'      <abstract>\n{paragraphs}      </abstract>\n    </article-meta>\n  </front>\n</article>\n')


def _jats_contrib(author: Author) -> str:
    orcid = f'          <contrib-id contrib-id-type="orcid">https://orcid.org/{author.orcid}</contrib-id>\n' \
        if author.orcid else ""
    suffix = f"<suffix>{escape(author.suffix)}</suffix>" if author.suffix else ""
    affiliations = "".join(f"          <aff>{escape(text)}</aff>\n" for text in author.affiliations)
    return (f'        <contrib contrib-type="author">\n{orcid}          <name><surname>{escape(author.family)}</surname>'
            f'<given-names>{escape(author.given or "")}</given-names>{suffix}</name>\n{affiliations}'
            f"        </contrib>\n")


def crossref(articles: list[Article]) -> str:
    """A Crossref dump file (``{"items": [...]}``) of works, abstracts in JATS markup as Crossref gives them."""
    return json.dumps({"items": [_crossref_work(a) for a in articles]}, ensure_ascii=False, indent=1)


def _crossref_work(a: Article) -> dict:
    j, d = a.journal, a.date
    authors = [{"given": au.given, "family": au.family, "sequence": "first" if n == 0 else "additional",
                **({"suffix": au.suffix} if au.suffix else {}),
                **({"ORCID": f"https://orcid.org/{au.orcid}", "authenticated-orcid": True} if au.orcid else {}),
                "affiliation": [{"name": text} for text in au.affiliations]} for n, au in enumerate(a.authors)]
    issns = [(kind, issn) for kind, issn in (("print", j.issn_print), ("electronic", j.issn_electronic)) if issn]
    return {"DOI": a.identifier(Scheme.DOI).upper(), "type": "journal-article", "title": [a.title],
            "container-title": [j.title], "short-container-title": [j.iso_abbreviation or j.nlm_abbreviation],
            "ISSN": [issn for _, issn in issns], "issn-type": [{"type": k, "value": v} for k, v in issns],
            "volume": a.volume, "issue": a.issue, "page": "-".join(p for p in (a.pages.first, a.pages.last) if p),
            "issued": {"date-parts": [[d.year, d.month, d.day][: 1 + bool(d.month) + bool(d.day)]]},
            "author": authors, "abstract": "".join(f"<jats:p>{escape(p)}</jats:p>" for p in (a.abstract or "").split("\n"))}


def page(a: Article) -> str:
    """An article page in text: the article, its overview, authors with numbered affiliations, the abstract."""
    affiliations = list(dict.fromkeys(text for author in a.authors for text in author.affiliations))
    names = []
    for author in a.authors:
        marks = ", ".join(str(affiliations.index(text) + 1) for text in author.affiliations)
        names.append(" ".join(p for p in (author.family, initials(author), author.suffix, marks) if p))
    overview = [("Journal", a.journal.nlm_abbreviation), ("Date", _written_date(a)), ("PMID", a.identifier(Scheme.PMID)),
                ("PMC", a.identifier(Scheme.PMCID)), ("DOI", a.identifier(Scheme.DOI))]
    return (f"» Articles » PMID: {a.identifier(Scheme.PMID)}\n\n{a.title}\n\nOverview\n"
            + "".join(f"{key} {value}\n" for key, value in overview if value)
            + "Authors\n" + "\n".join(names) + "\nAffiliations\n"
            + "\n".join(f"{n} {text}" for n, text in enumerate(affiliations, 1))
            + "\nAbstract\n\n" + "\n\n".join((a.abstract or "").split("\n")) + "\n")


def _written_date(a: Article) -> str:
    d = a.date
    return " ".join(str(p) for p in (d.year, MONTHS[d.month - 1] if d.month else None, d.day) if p)
