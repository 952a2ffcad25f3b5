"""Content negotiation: a request's Accept header (or ``?format=``) as the media types kg offers, best first."""

from __future__ import annotations

from kg.workers import GRAPH_TYPES, SOLUTION_TYPES

RESULTS = tuple(SOLUTION_TYPES)  # SPARQL JSON first: the default of a client that accepts anything
GRAPHS = GRAPH_TYPES             # Turtle first
HTML = "text/html"
FORMATS = {"json": ("application/sparql-results+json", "application/ld+json"),
           "xml": ("application/sparql-results+xml", "application/rdf+xml"), "csv": ("text/csv",),
           "tsv": ("text/tab-separated-values",), "turtle": ("text/turtle",), "ttl": ("text/turtle",),
           "ntriples": ("application/n-triples",), "nt": ("application/n-triples",),
           "nquads": ("application/n-quads",), "trig": ("application/trig",), "jsonld": ("application/ld+json",),
           "rdfxml": ("application/rdf+xml",), "html": (HTML,)}
ALIASES = {"application/json": ("application/sparql-results+json", "application/ld+json"),
           "application/xml": ("application/sparql-results+xml", "application/rdf+xml"),
           "text/xml": ("application/sparql-results+xml", "application/rdf+xml"),
           "text/plain": ("application/n-triples", "text/tab-separated-values"),
           "application/x-turtle": ("text/turtle",)}


def preferences(accept: str | None, offers: tuple[str, ...], *, format: str | None = None) -> tuple[str, ...]:
    """The offered media types the client takes, best first: ``format`` (a short name such as ``csv``) wins;
    no Accept header takes every offer in the order given. Wildcards match offers in that order."""
    if format:
        return tuple(m for m in FORMATS.get(format.lower(), ()) if m in offers)
    if not accept:
        return offers
    ranked: list[tuple[float, int, str]] = []
    for index, item in enumerate(accept.split(",")):
        media, *options = [part.strip() for part in item.split(";")]
        quality = 1.0
        for option in options:
            key, _, value = option.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0 and media:
            ranked.append((-quality, index, media.lower()))
    chosen: list[str] = []
    for _, _, media in sorted(ranked):
        for candidate in _expand(media, offers):
            if candidate not in chosen:
                chosen.append(candidate)
    return tuple(chosen)


def _expand(media: str, offers: tuple[str, ...]) -> tuple[str, ...]:
    if media == "*/*":
        return offers
    if media.endswith("/*"):
        return tuple(o for o in offers if o.startswith(media[:-1]))
    return tuple(o for o in ALIASES.get(media, (media,)) if o in offers)
