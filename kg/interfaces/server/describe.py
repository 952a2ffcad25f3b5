"""What the endpoint says about itself: the SPARQL 1.1 Service Description (GET /sparql with no query) and the
VoID description of the dataset (/.well-known/void), in the RDF format the client asks for."""

from __future__ import annotations

import asyncio

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, VOID, XSD
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from kg.interfaces.server.negotiate import preferences
from kg.workers import Job

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")
RESULT_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                  "Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD", "RDF_XML")
SERIALIZERS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/ld+json": "json-ld",
               "application/rdf+xml": "xml", "application/n-quads": "nquads", "application/trig": "trig"}
CLASSES = {"articles": "http://purl.org/spar/fabio/Expression", "authors": "http://xmlns.com/foaf/0.1/Agent",
           "journals": "http://purl.org/spar/fabio/Journal", "citations": "http://purl.org/spar/cito/Citation"}


def _root(request: Request) -> str:
    return str(request.base_url)


def _answer(request: Request, graph: Graph) -> Response:
    accept = preferences(request.headers.get("accept"), tuple(SERIALIZERS), format=request.query_params.get("format"))
    if not accept:
        return PlainTextResponse(f"kg: offered: {', '.join(SERIALIZERS)}\n", 406)
    for prefix, namespace in (("sd", SD), ("void", VOID), ("prov", PROV), ("dcterms", DCTERMS)):
        graph.bind(prefix, namespace)
    return Response(graph.serialize(format=SERIALIZERS[accept[0]]), media_type=accept[0])


async def service_description(request: Request) -> Response:
    """sd:Service: the endpoint, the languages (updates only with a token), result formats, the union
    default graph, and the dataset's VoID description."""
    settings, root = request.app.state.settings, _root(request)
    g, service, dataset = Graph(), URIRef(root + "sparql#service"), BNode()
    g.add((service, RDF.type, SD.Service))
    g.add((service, SD.endpoint, URIRef(root + "sparql")))
    g.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if settings.token is not None:
        g.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    for name in RESULT_FORMATS:
        g.add((service, SD.resultFormat, FORMATS[name]))
    g.add((service, SD.feature, SD.UnionDefaultGraph))
    if settings.allow_service:
        g.add((service, SD.feature, SD.BasicFederatedQuery))
    g.add((service, SD.defaultDataset, dataset))
    g.add((dataset, RDF.type, SD.Dataset))
    g.add((dataset, RDFS.seeAlso, URIRef(root + ".well-known/void")))
    default = BNode()
    g.add((dataset, SD.defaultGraph, default))
    g.add((default, RDF.type, SD.Graph))
    g.add((default, RDFS.comment, Literal("the union of every source's named graph")))
    return _answer(request, g)


async def void(request: Request) -> Response:
    """void:Dataset: triples, entities and classes (the counts kept at load time), the named graph of each
    source with its provenance, example resources and the SPARQL endpoint."""
    state, root = request.app.state, _root(request)
    rows = (await state.pool.result(Job(name="dataset-summary"))).dicts()
    summary = {row["metric"]: row.get("value", 0) for row in rows}
    sources = await asyncio.to_thread(state.graph.sources)
    examples = await state.pool.result(Job(text="SELECT DISTINCT ?a WHERE { ?a <http://purl.org/spar/cito/cites> "
                                               "?b } LIMIT 3"))
    g, dataset = Graph(), URIRef(root + ".well-known/void#dataset")
    g.add((dataset, RDF.type, VOID.Dataset))
    g.add((dataset, VOID.sparqlEndpoint, URIRef(root + "sparql")))
    g.add((dataset, VOID.uriSpace, Literal(state.graph.minter.base)))
    g.add((dataset, VOID.triples, Literal(sum(int(s.get("triples") or 0) for s in sources), datatype=XSD.integer)))
    g.add((dataset, VOID.entities, Literal(sum(int(summary.get(k, 0)) for k in CLASSES), datatype=XSD.integer)))
    g.add((dataset, VOID.classes, Literal(len(CLASSES), datatype=XSD.integer)))
    for metric, cls in CLASSES.items():
        partition = URIRef(f"{root}.well-known/void#{metric}")
        g.add((dataset, VOID.classPartition, partition))
        g.add((partition, VOID["class"], URIRef(cls)))
        g.add((partition, VOID.entities, Literal(int(summary.get(metric, 0)), datatype=XSD.integer)))
    for (article,) in examples.rows:
        g.add((dataset, VOID.exampleResource, article))
    for source in sources:
        graph = URIRef(str(source["graph"]))
        g.add((dataset, VOID.subset, graph))
        g.add((graph, RDF.type, VOID.Dataset))
        g.add((graph, RDF.type, PROV.Entity))
        for key, predicate in (("label", RDFS.label), ("format", DCTERMS.format), ("status", URIRef(
                "https://w3id.org/kg-loader/ns#status")), ("triples", VOID.triples), ("loaded", PROV.generatedAtTime)):
            if source.get(key) is not None:
                g.add((graph, predicate, Literal(source[key])))
        if source.get("file"):
            g.add((graph, PROV.wasDerivedFrom, URIRef(str(source["file"]))))
    return _answer(request, g)
