"""Fixtures for the server tests: a loaded store, in-process apps on copies of it, and one real `kg serve`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"

TOKEN = "test-token-0123456789abcdef"


@pytest.fixture(scope="session")
def loaded_store(tmp_path_factory, seed_page: Path) -> Path:
    """A store holding the seed page and one PubMed record; copy it before writing to it."""
    from kg import KnowledgeGraph

    path = tmp_path_factory.mktemp("served") / "store"
    with KnowledgeGraph(path) as kg:
        report = kg.load([seed_page, DATA / "pubmed_39917195.xml"])
        assert not report.failed, report.render()
    return path


def copy_store(source: Path, target: Path) -> Path:
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("LOCK", "kg-serve.json"))
    return target


@pytest.fixture(scope="session")
def store_copy(tmp_path_factory, loaded_store: Path):
    """Makes a fresh copy of the loaded store to serve (and write to)."""
    return lambda: copy_store(loaded_store, tmp_path_factory.mktemp("copy") / "store")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def server(tmp_path_factory, loaded_store: Path):
    """A real `kg serve` process on 127.0.0.1 (update token from a file, 3 s time limit), stopped at the end."""
    folder = tmp_path_factory.mktemp("server")
    store = copy_store(loaded_store, folder / "store")
    token = folder / "token"
    token.write_text(TOKEN)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "KG_UPDATE_TOKEN"}
    process = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", str(store), "--port", str(port),
                                "--timeout", "3", "--workers", "2", "--update-token-file", str(token)],
                               env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url + "sparql?query=ASK%7B%7D", timeout=5):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"kg serve did not start: {process.communicate()[1]}") from None
            time.sleep(0.2)
    yield {"url": url, "store": store, "process": process}
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture()
def listener():
    """An HTTP server on 127.0.0.1 that counts the requests it gets (what SERVICE or LOAD would reach)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(500)
            self.end_headers()

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{http.server_port}/sparql", hits
    http.shutdown()
