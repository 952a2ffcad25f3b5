"""Stores: triples in, query results out. Only this package talks to a triple store."""
