"""`kg serve`: the graph as a SPARQL 1.1 endpoint, the catalogue as a web API, linked data, and pages."""
