"""Measuring one step: a command's wall time and peak memory, a folder's size, and the machine it ran on."""

from __future__ import annotations

import os
import platform
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Run:
    """What a child process took: wall seconds, peak resident memory (MiB), its exit code and output."""

    seconds: float
    peak_rss_mib: float
    returncode: int
    stdout: str
    stderr: str


def run(command: list[str], *, env: dict[str, str] | None = None, timeout: float | None = None) -> Run:
    """Runs ``command`` to its end (killed after ``timeout`` seconds) and measures it; the peak RSS is the
    kernel's accounting of that child alone (wait4)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=err, text=True, env={**os.environ, **(env or {})})
        timer = threading.Timer(timeout, child.kill) if timeout else None
        if timer:
            timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if timer:
            timer.cancel()
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(seconds, usage.ru_maxrss / 1024, child.returncode, out.read(), err.read())


def size_bytes(path: Path) -> int:
    """Bytes on disk under ``path`` (a file or a folder)."""
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def machine() -> dict[str, object]:
    """Cores, memory, processor, Python and the versions of the libraries that matter to the figures."""
    memory = 0
    try:
        with open("/proc/meminfo") as meminfo:
            memory = int(meminfo.readline().split()[1]) // 1024
    except OSError:
        pass
    model = ""
    try:
        model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if "model name" in line), "")
    except OSError:
        pass
    versions = {}
    for package in ("kg", "pyoxigraph", "rdflib", "lxml", "oc-ocdm"):
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {"cores": os.cpu_count(), "memory_mib": memory, "processor": model, "system": platform.platform(),
            "python": platform.python_version(), "versions": versions}
