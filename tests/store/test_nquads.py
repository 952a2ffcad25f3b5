"""kg's N-Quads serialiser against pyoxigraph's parser: any string survives the trip unchanged."""

import pyoxigraph
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.mapping.terms import XSD_DATE, XSD_STRING, Lit
from kg.store import nquads

G = "https://kg.example.org/graph/test"
S = "https://kg.example.org/br/pmid/1"
P = "http://purl.org/dc/terms/title"


def _parse(text: str) -> list[pyoxigraph.Quad]:
    return list(pyoxigraph.parse(text.encode(), format=pyoxigraph.RdfFormat.N_QUADS))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_any_string_literal_round_trips(value):
    [quad] = _parse(nquads.serialize([(S, P, Lit(value))], G))
    assert quad.object.value == value and quad.object.datatype.value == XSD_STRING
    assert quad.graph_name.value == G


def test_typed_literals_and_iris():
    text = nquads.serialize([(S, P, Lit("2011-09-22", XSD_DATE)), (S, "http://purl.org/spar/cito/cites", S)], G)
    first, second = _parse(text)
    assert (first.object.value, first.object.datatype.value) == ("2011-09-22", XSD_DATE)
    assert second.object == pyoxigraph.NamedNode(S)
