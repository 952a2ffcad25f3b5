"""Virtuoso's own bulk loader, driven over isql on kg's N-Quads shards (kg and the server share a disk): each shard
registered with ld_add, rdf_loader_run, checkpoint, then the loader's list checked for errors."""

from __future__ import annotations

import gzip
import shutil
import subprocess
from pathlib import Path

from kg.errors import StoreError
from kg.store.client import KEPT_DURATION
from kg.store.shards import DURATION, Shard

REWRITTEN = "virtuoso"  # the subfolder of shards whose durations are rewritten for Virtuoso


def isql(address: str, user: str, password: str, statements: str, *, timeout: float = 24 * 3600) -> str:
    """Runs SQL statements through ``isql-vt`` and returns its output. Raises StoreError when isql is missing or a
    statement fails (isql-vt exits 0 then: its output says ``*** Error``)."""
    if shutil.which("isql-vt") is None:
        raise StoreError("isql-vt not found (Debian: apt-get install virtuoso-opensource); kg load --bulk needs it")
    try:
        done = subprocess.run(["isql-vt", address, user, password, f"exec={statements}"], capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise StoreError(f"isql did not answer within {timeout:.0f} s", source=address) from None
    output = done.stdout + done.stderr
    if done.returncode != 0 or "*** Error" in output:
        reason = next((line for line in output.splitlines() if "Error" in line), output.strip()[-300:])
        raise StoreError(f"isql: {reason.strip()}", source=address)
    return output


def load(folder: Path, files: list[Shard], *, address: str, user: str, password: str) -> None:
    """Loads the shards in ``folder`` (which must be in the server's DirsAllowed) with Virtuoso's bulk loader.
    Shards with xsd:duration literals are first copied with kg's own duration datatype (Virtuoso's loader turns
    durations into numbers). A rerun loads every shard again: quads are a set, nothing is doubled."""
    folder = folder.resolve()
    paths = [_for_virtuoso(folder, shard) for shard in files]
    quoted = ", ".join(_sql(str(p)) for p in paths)
    registered = "; ".join(f"ld_add({_sql(str(p))}, 'http://kg.invalid/unused')" for p in paths)
    isql(address, user, password, f"DELETE FROM DB.DBA.load_list WHERE ll_file IN ({quoted}); {registered};")
    isql(address, user, password, "rdf_loader_run(); checkpoint;")
    failed = f"FROM DB.DBA.load_list WHERE ll_file IN ({quoted}) AND (ll_error IS NOT NULL OR ll_state <> 2)"
    if _first_value(isql(address, user, password, f"SELECT COUNT(*) {failed};")) != "0":
        reason = _first_value(isql(address, user, password, f"SELECT TOP 1 ll_error {failed};"))
        raise StoreError(f"Virtuoso's bulk loader failed on a shard: {reason}", source=str(folder))


def _for_virtuoso(folder: Path, shard: Shard) -> Path:
    """The shard itself, or (when it holds durations) an uncompressed copy with kg's duration datatype."""
    path = folder / shard.file
    if not shard.durations:
        return path
    copy = folder / REWRITTEN / shard.file.removesuffix(".gz")
    copy.parent.mkdir(exist_ok=True)
    kept = f"<{KEPT_DURATION}>".encode()
    with gzip.open(path, "rb") as source, copy.open("wb") as out:
        rest = b""
        while chunk := source.read(1 << 22):
            chunk = rest + chunk
            end = chunk.rfind(b"\n") + 1
            out.write(chunk[:end].replace(DURATION, kept))
            rest = chunk[end:]
        out.write(rest.replace(DURATION, kept))
    return copy


def _first_value(output: str) -> str:
    """The first value of isql's table output (the line after the row of underscores)."""
    lines = output.splitlines()
    at = next((i for i, line in enumerate(lines) if line.startswith("____")), len(lines))
    return next((line.strip() for line in lines[at + 1:] if line.strip()), "")


def _sql(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
