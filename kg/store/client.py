"""Talking to a SPARQL 1.1 server: queries and updates through SPARQLWrapper, Graph Store Protocol requests,
credentials (digest or basic, or a bearer token), retries with back-off on transient failures, and results read
into rdflib terms as the embedded store gives them."""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import TypeVar

from rdflib.term import BNode, Literal, Node, URIRef
from SPARQLWrapper import BASIC, DIGEST, JSON, POST, TURTLE, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from kg.errors import QueryError, StoreError

XSD = "http://www.w3.org/2001/XMLSchema#"
# Virtuoso turns xsd:duration into a number of months or seconds ("P1Y2M3D" comes back as "14"; its issue 936):
# on Virtuoso kg writes time spans with this datatype instead, and reads them back as xsd:duration.
KEPT_DURATION = "https://w3id.org/kg-loader/ns#lexicalDuration"
_INTEGERS = {XSD + t for t in ("integer", "positiveInteger", "nonNegativeInteger", "negativeInteger",
                               "nonPositiveInteger", "long", "int", "short", "byte", "unsignedLong", "unsignedInt",
                               "unsignedShort", "unsignedByte")}
_TRANSIENT = re.compile(r"40001|deadlock|SR172|transaction.*(timed out|killed)|checkpoint|atomic", re.IGNORECASE)
T = TypeVar("T")


class Cut(QueryError):
    """The server cut an answer at its row limit (Virtuoso's ResultSetMaxRows) or its time limit."""

    def __init__(self, message: str, *, limit: int | None = None) -> None:
        super().__init__(message)
        self.limit = limit


@dataclass
class Client:
    """One server: its endpoints, credentials, and how hard to retry."""

    endpoint: str
    update_endpoint: str
    graph_store: str | None = None
    user: str | None = None
    password: str | None = None
    token: str | None = None
    retries: int = 6  # attempts after the first, waiting 0.5, 1, 2, 4, 8, 16 s
    timeout: float = 3600.0
    server: str = ""  # the Server header of the first answer (Virtuoso/07.20.3229 ...)
    _schemes: dict[str, str | None] = field(default_factory=dict, repr=False)

    @property
    def virtuoso(self) -> bool:
        return self.server.lower().startswith("virtuoso")

    # -- queries and updates, through SPARQLWrapper -------------------------------------------------------------
    def query(self, text: str, *, form: str, default_graph: list[str] | None = None,
              named_graphs: list[str] | None = None) -> tuple[dict | bytes, dict[str, str]]:
        """Runs a query; ``form`` is SELECT, ASK, CONSTRUCT or DESCRIBE. Returns the parsed JSON (SELECT, ASK) or the
        Turtle bytes (CONSTRUCT, DESCRIBE) and the response headers. Raises QueryError, Cut."""
        wrapper = self._wrapper(self.endpoint)
        wrapper.queryString, wrapper.queryType = text, form  # kg knows the form; SPARQLWrapper guesses from words
        wrapper.setReturnFormat(JSON if form in ("SELECT", "ASK") else TURTLE)
        for g in default_graph or ():
            wrapper.addDefaultGraph(g)
        for g in named_graphs or ():
            wrapper.addNamedGraph(g)

        def run():
            response = wrapper.query().response
            headers = {k.lower(): v for k, v in response.info().items()}
            return response.read(), headers
        body, headers = self._retrying(run, idempotent=True, what="query")
        self._check_cut(headers)
        if form in ("SELECT", "ASK"):
            try:
                return json.loads(body), headers
            except ValueError as exc:
                raise QueryError(f"the server's answer is not SPARQL JSON: {exc}") from None
        return body, headers

    def update(self, text: str) -> None:
        """Runs a SPARQL Update (one request, which the server runs as one transaction). Raises StoreError."""
        wrapper = self._wrapper(self.update_endpoint)
        wrapper.queryString, wrapper.queryType = text, "INSERT"  # SPARQLWrapper guesses types from the first word
        wrapper.setReturnFormat(JSON)
        self._retrying(lambda: wrapper.query().response.read(), idempotent=False, what="update")

    def _wrapper(self, url: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.endpoint, updateEndpoint=self.update_endpoint)
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)
        wrapper.setTimeout(int(self.timeout))
        if self.token:
            wrapper.addCustomHttpHeader("Authorization", f"Bearer {self.token}")
        elif self.user and self.password and (scheme := self._scheme(url)) is not None:
            wrapper.setHTTPAuth(scheme)
            wrapper.setCredentials(self.user, self.password, realm=self._realm)
        return wrapper

    # -- the Graph Store HTTP Protocol --------------------------------------------------------------------------
    def post_graph(self, graph: str, body: bytes) -> None:
        """Adds Turtle (N-Triples) to ``graph`` by the Graph Store Protocol. Raises StoreError."""
        self._request("POST", graph, body)

    def delete_graph(self, graph: str) -> None:
        """Removes ``graph`` by the Graph Store Protocol; a graph that is not there is no error."""
        try:
            self._request("DELETE", graph, None)
        except StoreError as exc:
            if "404" not in str(exc):
                raise

    def get_graph(self, graph: str) -> Iterator[bytes]:
        """``graph`` as N-Triples by the Graph Store Protocol, in chunks as the server sends them. Raises
        StoreError."""
        url = self._graph_url(graph)
        request = urllib.request.Request(url, headers={"Accept": "application/n-triples"})
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        opener = self._opener(url)
        try:
            answer = self._retrying(lambda: opener.open(request, timeout=self.timeout), idempotent=True,
                                    what="GET of a graph")
        except StoreError as exc:
            if "404" in str(exc):  # an empty graph
                return
            raise
        with answer:
            while chunk := answer.read(1 << 20):
                yield chunk

    def _graph_url(self, graph: str) -> str:
        separator = "&" if "?" in str(self.graph_store) else "?"
        return f"{self.graph_store}{separator}{urllib.parse.urlencode({'graph-uri' if self.virtuoso else 'graph': graph})}"

    def _request(self, method: str, graph: str, body: bytes | None) -> None:
        url = self._graph_url(graph)
        request = urllib.request.Request(url, data=body, method=method)
        if body is not None:
            request.add_header("Content-Type", "text/turtle; charset=utf-8")
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        opener = self._opener(url)
        self._retrying(lambda: opener.open(request, timeout=self.timeout).read(), idempotent=True,
                       what=f"{method} of a graph")

    def _opener(self, url: str):
        if not (self.user and self.password):
            return urllib.request.build_opener()
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, url, self.user, self.password)
        return urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords),
                                           urllib.request.HTTPBasicAuthHandler(passwords))

    def _scheme(self, url: str) -> str | None:
        """DIGEST or BASIC, as the server's challenge at ``url`` asks (Virtuoso: digest only); None when it
        asks for nothing (an open query endpoint)."""
        if url not in self._schemes:
            scheme, self._realm = None, "SPARQL"
            try:
                urllib.request.urlopen(urllib.request.Request(url, data=b"update=", method="POST"), timeout=30)
            except urllib.error.HTTPError as exc:
                challenge = exc.headers.get("WWW-Authenticate", "")
                if exc.code == 401:
                    scheme = DIGEST if challenge.lower().startswith("digest") else BASIC
                    found = re.search(r'realm="([^"]*)"', challenge)
                    self._realm = found.group(1) if found else "SPARQL"
            except (urllib.error.URLError, OSError):
                scheme = BASIC
            self._schemes[url] = scheme
        return self._schemes[url]

    _realm: str = "SPARQL"

    # -- failures ----------------------------------------------------------------------------------------------
    def _retrying(self, call: Callable[[], T], *, idempotent: bool, what: str) -> T:
        """``call()``, tried again with back-off while the failure is transient: the server unreachable
        (refused: it never saw the request), a 502/503/504, a transaction deadlock; for reads and idempotent
        writes also a connection broken mid-answer. Anything else raises at once."""
        for attempt in range(self.retries + 1):
            try:
                result = call()
                return result
            except (SPARQLWrapperException, urllib.error.HTTPError) as exc:
                message, status = _message(exc)
                if attempt < self.retries and (status in (502, 503, 504) or _TRANSIENT.search(message)):
                    time.sleep(0.5 * 2 ** attempt)
                    continue
                raise self._error(what, message, status) from None
            except (urllib.error.URLError, ConnectionError, HTTPException, TimeoutError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                refused = isinstance(reason, ConnectionRefusedError)
                if attempt < self.retries and (refused or idempotent):
                    time.sleep(0.5 * 2 ** attempt)
                    continue
                raise StoreError(f"the {what} failed: cannot reach the server ({reason})",
                                 source=self.endpoint) from None
        raise AssertionError("unreachable")

    def _error(self, what: str, message: str, status: int | None) -> Exception:
        text = " ".join(message.split())[:600]
        if status in (401, 403):
            return StoreError(f"the server refused the {what} ({status}): check the user and $KG_PASSWORD or "
                              f"$KG_TOKEN", source=self.endpoint)
        if status == 413:
            return StoreError(f"the server refused the {what} as too large (413): {text}", source=self.endpoint)
        if what == "query":
            return QueryError(f"the query failed: {text}")
        return StoreError(f"the {what} failed: {text}", source=self.endpoint)

    def _check_cut(self, headers: dict[str, str]) -> None:
        if "x-sparql-maxrows" in headers:
            limit = int(headers["x-sparql-maxrows"])
            raise Cut(f"the server cut the answer at its row limit of {limit} (Virtuoso's ResultSetMaxRows in "
                      f"[SPARQL] of virtuoso.ini): raise it, or narrow the query", limit=limit)
        if "x-sql-state" in headers:  # Virtuoso's partial answer at its time limit
            raise Cut(f"the server stopped the query and would answer only part of it: "
                      f"{headers.get('x-sql-message', headers['x-sql-state'])}")


def _message(exc: Exception) -> tuple[str, int | None]:
    status = getattr(exc, "code", None)
    if isinstance(exc, urllib.error.HTTPError):
        try:
            body = exc.read().decode("utf-8", "replace")
        except OSError:
            body = ""
        return f"{exc.code} {exc.reason}: {body}", exc.code
    text = str(exc)
    statuses = {"QueryBadFormed": 400, "Unauthorized": 401, "EndPointNotFound": 404, "URITooLong": 414,
                "EndPointInternalError": 500}
    return text, status or statuses.get(type(exc).__name__)


# -- results --------------------------------------------------------------------------------------------------
def term(binding: dict | None) -> Node | None:
    """One SPARQL JSON binding as the rdflib term the embedded store gives: integer subtypes as xsd:integer,
    booleans as true/false (Virtuoso says 1/0), kept durations as xsd:duration."""
    if binding is None:
        return None
    kind, value = binding["type"], binding["value"]
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if "xml:lang" in binding:
        return Literal(value, lang=binding["xml:lang"])
    datatype = binding.get("datatype")
    if datatype is None or datatype == XSD + "string":
        return Literal(value)
    if datatype in _INTEGERS:
        try:
            return Literal(str(int(value)), datatype=URIRef(XSD + "integer"), normalize=False)
        except ValueError:
            pass
    elif datatype == XSD + "boolean":
        value = {"1": "true", "0": "false"}.get(value, value)
    elif datatype == KEPT_DURATION:
        datatype = XSD + "duration"
    return Literal(value, datatype=URIRef(datatype), normalize=False)


def rows(answer: dict) -> tuple[tuple[str, ...], list[tuple[Node | None, ...]]]:
    """The columns and rows of a SPARQL JSON SELECT answer."""
    columns = tuple(answer.get("head", {}).get("vars", ()))
    return columns, [tuple(term(b.get(c)) for c in columns) for b in answer.get("results", {}).get("bindings", ())]
