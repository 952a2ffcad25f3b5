"""The KgError tree: every error kg raises on purpose, carrying where it happened."""

from __future__ import annotations


class KgError(Exception):
    """Base of every error kg raises on purpose.

    ``source`` is the file (or ``-`` for stdin), ``line`` a line number where the reader knows one,
    ``record`` the record's id (``PMID 123``, ``entry 3``). ``str()`` joins what is known into one line.
    """

    def __init__(self, message: str, *, source: str | None = None, line: int | None = None,
                 record: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source
        self.line = line
        self.record = record

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source if self.line is None else f"{self.source}:{self.line}")
        elif self.line is not None:
            where.append(f"line {self.line}")
        if self.record:
            where.append(self.record)
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ReaderError(KgError):
    """Input that cannot be read: unknown format, malformed file, a record that breaks the format's rules."""


class IdentifierError(ReaderError):
    """An identifier (DOI, PMID, PMCID, ISSN, ORCID) that does not validate."""


class MappingError(KgError):
    """A record that cannot become RDF (for instance an article without any identifier)."""


class StoreError(KgError):
    """The store cannot be opened, read or written."""


class StoreBusy(StoreError):
    """The store is held by another kg process (a load, an unload, kg serve): only one may write at a time."""


class StoreFull(StoreError):
    """The disk that holds the store is full (or a file size limit is reached)."""


class QueryError(KgError):
    """An unknown canned query, a bad parameter, or a query the store rejects."""


class MissingParameter(QueryError):
    """A canned query run without a parameter it needs (a usage error)."""


class QueryRefused(QueryError):
    """A query kg will not run: SERVICE or LOAD (they would reach other machines) unless allowed."""


class QueryTimeout(QueryError):
    """A query stopped at its deadline."""
