"""Starting `kg serve`: the update token from the environment or a file (never the command line), then uvicorn
on the application, bound to 127.0.0.1 unless told otherwise."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

from kg.errors import KgError, StoreError
from kg.graph import KnowledgeGraph
from kg.interfaces.server.app import SERVED, Settings, create_app


def token(file: Path | None) -> bytes | None:
    """The update token: ``--update-token-file`` or ``$KG_UPDATE_TOKEN``; None when neither (read-only)."""
    if file is not None:
        try:
            text = file.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise KgError(f"cannot read the update token: {exc}", source=str(file)) from None
    else:
        text = os.environ.get("KG_UPDATE_TOKEN", "").strip()
    if file is not None and len(text) < 16:
        raise KgError("the update token must be at least 16 characters", source=str(file))
    if text and len(text) < 16:
        raise KgError("$KG_UPDATE_TOKEN must be at least 16 characters")
    return text.encode("utf-8") or None


def served_by(store: Path) -> dict[str, object] | None:
    """Who serves ``store`` (pid and url), if a live `kg serve` holds it."""
    try:
        info = json.loads((store / SERVED).read_text(encoding="utf-8"))
        os.kill(int(info["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return info


def load_through(info: dict[str, object], paths: list[str], token: str) -> list[tuple[str, int, str]]:
    """Sends each file to a running server's /load; (file, HTTP status, the server's report or reason) each."""
    import urllib.error
    import urllib.parse
    import urllib.request

    from kg.pipeline import expand

    answers = []
    for path, _ in expand(paths):
        name = "stdin" if path == "-" else Path(path).name
        data = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
        request = urllib.request.Request(f"{info['url']}load?{urllib.parse.urlencode({'name': name})}", data=data,
                                         method="POST", headers={"Authorization": f"Bearer {token}"})
        try:
            with urllib.request.urlopen(request, timeout=3600) as response:
                answers.append((str(path), response.status, json.loads(response.read())["report"]))
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace")
            answers.append((str(path), exc.code, json.loads(body)["report"] if exc.code == 422 else body.strip()))
        except (urllib.error.URLError, OSError) as exc:
            answers.append((str(path), 0, f"cannot reach the server: {exc}"))
    return answers


def serve(settings: Settings) -> None:
    """Serves until interrupted (Ctrl-C or SIGTERM end it cleanly). Raises StoreError when the store is held."""
    import uvicorn

    if settings.remote is None and (info := served_by(settings.store)) is not None:
        raise StoreError(f"kg serve already serves this store at {info['url']} (pid {info['pid']})",
                         source=str(settings.store))
    with socket.socket() as probe:  # a taken port is one kg: line, before the store is opened
        try:
            probe.bind((settings.host, settings.port))
        except OSError as exc:
            raise KgError(f"cannot listen on {settings.host}:{settings.port}: {exc.strerror}") from None
    graph = KnowledgeGraph(settings.target, base_iri=settings.base_iri)  # StoreError here, not in uvicorn
    uvicorn.run(create_app(settings, graph=graph), host=settings.host, port=settings.port, log_level="warning",
                timeout_graceful_shutdown=5)
