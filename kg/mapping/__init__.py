"""Mapping: records → RDF triples with the SPAR/OCDM vocabulary and deterministic IRIs."""
