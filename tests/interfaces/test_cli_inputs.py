"""Inputs that are not plain files, as real `kg load` processes get them: a process substitution and a named pipe
load their content (read once, hashed as they are read); /dev/zero and a pipe that never ends stop at --max-bytes
with one line; `kg load .` leaves the store's own folder alone; names that are not UTF-8 or hold a newline are shown
with escapes, in the report and in `kg sources`."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import pytest

MEDLINE = "medline_nbib/biopython__pubmed_result2.txt"  # 4 records
OTHER = "medline_nbib/nbib__single.nbib"


def _kg(*args: str, cwd: Path | None = None, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "kg", *args], capture_output=True, cwd=cwd, timeout=120, **options)


def _sources(store: Path) -> list[list[str]]:
    done = _kg("sources", "--store", str(store), "--format", "csv")
    assert done.returncode == 0, done.stderr
    return list(csv.reader(io.StringIO(done.stdout.decode())))[1:]


@pytest.fixture(scope="module")
def triples(shared: Path, tmp_path_factory) -> str:
    """The triples MEDLINE's graph holds when it is loaded as a plain file."""
    store = tmp_path_factory.mktemp("plain") / "store"
    assert _kg("load", "--store", str(store), str(shared / "data" / MEDLINE)).returncode == 0
    return _sources(store)[0][3]


def test_a_process_substitution_loads_its_content(shared: Path, tmp_path: Path, triples: str) -> None:
    done = subprocess.run(["bash", "-c", f'"$0" -m kg load --store "$1" <(cat "$2")', sys.executable,
                           str(tmp_path / "store"), str(shared / "data" / MEDLINE)], capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert b"4 records read, 4 articles" in done.stderr
    [(label, format, status, count, *_)] = _sources(tmp_path / "store")
    assert (format, status, count) == ("medline", "complete", triples) and label.isdigit()  # /dev/fd/63


def test_a_named_pipe_loads_its_content_and_again_is_unchanged(shared: Path, tmp_path: Path, triples: str) -> None:
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    for _ in range(2):
        writer = threading.Thread(target=lambda: pipe.write_bytes((shared / "data" / MEDLINE).read_bytes()))
        writer.start()
        done = _kg("load", "--store", str(tmp_path / "store"), str(pipe))
        writer.join(timeout=10)
        assert done.returncode == 0, done.stderr
    assert done.stderr.decode().startswith(f"{pipe}: unchanged since its last load")  # its content's checksum
    assert _sources(tmp_path / "store")[0][1:4] == ["medline", "complete", triples]


@pytest.mark.parametrize(("args", "message"), [
    (["--format", "medline", "/dev/zero"], "kg: /dev/zero: the input goes on past 1 MB, the most kg reads of one "
                                          "source (--max-bytes)"),
    (["/dev/zero"], "kg: /dev/zero: unrecognised format (known: pubmed-xml, jats-xml, medline, article-page, "
                    "crossref-json, opencitations-csv, ris, bibtex); use --format"),
])
def test_dev_zero_stops_with_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    done = _kg("load", "--store", str(tmp_path / "store"), "--max-bytes", "1M", "--quiet", *args)
    assert (done.returncode, done.stderr.decode()) == (1, message + "\n")
    assert _sources(tmp_path / "store") == []  # nothing marked: the input failed before the store was touched


def test_a_pipe_that_never_ends_stops_at_the_limit(tmp_path: Path) -> None:
    endless = subprocess.Popen(["yes", "PMID- 12345"], stdout=subprocess.PIPE)
    (tmp_path / "tmp").mkdir()
    try:
        done = _kg("load", "--store", str(tmp_path / "store"), "--max-bytes", "2M", "-", stdin=endless.stdout,
                   env={**os.environ, "TMPDIR": str(tmp_path / "tmp")})
    finally:
        endless.kill()
        endless.wait()
    assert done.returncode == 1
    assert done.stderr.decode().splitlines()[-1] == ("kg: -: the input goes on past 2 MB, the most kg reads of one "
                                                     "source (--max-bytes)")
    assert list((tmp_path / "tmp").iterdir()) == []  # the copy of what was read is gone


def test_a_file_over_the_limit_is_refused(shared: Path, tmp_path: Path) -> None:
    done = _kg("load", "--store", str(tmp_path / "store"), "--max-bytes", "1K", "--quiet",
               str(shared / "data" / MEDLINE))
    assert (done.returncode, done.stderr.decode()) == (
        1, f"kg: {shared / 'data' / MEDLINE}: the file is 9.1 KB, over the 1 KB kg reads of one source (--max-bytes)\n")


def test_loading_the_current_folder_leaves_the_store_alone(shared: Path, tmp_path: Path) -> None:
    for name in (MEDLINE, OTHER):
        shutil.copy(shared / "data" / name, tmp_path)
    first = _kg("load", ".", cwd=tmp_path)  # the store: ./kg-store, inside the folder loaded
    again = _kg("load", ".", cwd=tmp_path)
    assert first.returncode == 0 and again.returncode == 0, first.stderr + again.stderr
    assert b"kg-store" not in first.stderr + again.stderr
    assert again.stderr.decode().count("unchanged since its last load") == 2
    assert sorted(row[0] for row in _sources(tmp_path / "kg-store")) == sorted(Path(n).name for n in (MEDLINE, OTHER))


def test_names_that_are_not_utf8_or_hold_a_newline_are_escaped(shared: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for raw, name in ((b"bad\xffname.txt", MEDLINE), (b"new\nline\x1b[31m.nbib", OTHER)):
        shutil.copy(shared / "data" / name, os.path.join(os.fsencode(folder), raw))
    done = _kg("load", "--store", str(tmp_path / "store"), str(folder))
    assert done.returncode == 0, done.stderr
    report = done.stderr.decode("utf-8")
    assert f"{folder}/bad\\xffname.txt: medline, 4 records read" in report
    assert f"{folder}/new\\nline\\x1b[31m.nbib: medline, 1 records read" in report
    assert sorted(row[0] for row in _sources(tmp_path / "store")) == ["bad\\xffname.txt", "new\\nline\\x1b[31m.nbib"]
