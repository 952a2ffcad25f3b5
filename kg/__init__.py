"""kg: bibliographic records (PubMed XML, article pages, ...) into one OpenCitations-model RDF graph."""

from __future__ import annotations

from kg.version import __version__
from kg.errors import KgError, QueryError, ReaderError, StoreError  # noqa: E402
from kg.graph import KnowledgeGraph  # noqa: E402
from kg.pipeline import LoadReport  # noqa: E402
from kg.results import Result  # noqa: E402

__all__ = ["KnowledgeGraph", "LoadReport", "Result", "KgError", "QueryError", "ReaderError", "StoreError",
           "__version__"]
