"""A private Virtuoso for the tests and `kg bench`: its own database folder, loopback ports, a short non-default
dba password, every result row allowed (ResultSetMaxRows), the bulk folder in DirsAllowed; started and stopped."""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import string
import sys
import subprocess
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import StoreError

VSP = Path("/var/lib/virtuoso-opensource-7/vsp")
_INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{isql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
ServerThreads = 20
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., {dir}, {bulk}
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
VADInstallDir = /usr/share/virtuoso-opensource-7/vad/
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 256
MaxMemPoolSize = 200000000
PrefixResultNames = 0
MacSpotlight = 0
MaxQueryMem = 2G
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
MaxClientConnections = 10
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
DefaultMailServer = localhost:25
MaxKeepAlives = 10
KeepAliveTimeout = 10
MaxCachedProxyConnections = 10
ProxyConnectionCacheTimeout = 15
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
MaintenancePage = atomic.html
EnabledGzipContent = 1

[AutoRepair]
BadParentLinks = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[VDB]
ArrayOptimization = 0
NumArrayParameters = 10
VDBDisconnectTimeout = 1000
KeepConnectionOnFixedThread = 0

[Replication]
ServerName = kg-private
ServerEnable = 1
QueueMax = 50000

[Striping]
Segment1 = 100M, db-seg1-1.db, db-seg1-2.db

[Zero Config]
ServerName = kg-private

[Mono]

[URIQA]
DynamicLocal = 0
DefaultHost = 127.0.0.1:{http_port}

[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
DefaultQuery = select distinct ?Concept where {{[] a ?Concept}} LIMIT 100
DeferInferenceRulesInit = 0
"""


def available() -> str | None:
    """Why a private Virtuoso cannot run here (None when it can): Debian's virtuoso-opensource provides
    virtuoso-t and isql-vt."""
    missing = [tool for tool in ("virtuoso-t", "isql-vt") if shutil.which(tool) is None]
    if missing:
        return f"{' and '.join(missing)} not found (Debian: apt-get install virtuoso-opensource)"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Virtuoso:
    """A running private instance: its SPARQL endpoint, the isql port and the dba password."""

    folder: Path
    bulk: Path
    http_port: int
    isql_port: int
    password: str
    process: subprocess.Popen | None = None
    system: set[str] = field(default_factory=set)  # Virtuoso's own graphs, there from the start
    crashes: list[int] = field(default_factory=list)  # exit statuses of the times supervise() restarted it
    _stopped: bool = False
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def endpoint(self) -> str:
        return self.url + "/sparql"

    @property
    def update_endpoint(self) -> str:
        return self.url + "/sparql-auth"

    @property
    def graph_store(self) -> str:
        return self.url + "/sparql-graph-crud-auth"

    @property
    def isql(self) -> str:
        return f"127.0.0.1:{self.isql_port}"

    def stop(self) -> None:
        """Stops the server (and its supervisor: it is not restarted)."""
        with self._lock:
            self._stopped = True
            self._terminate()

    def _terminate(self) -> None:
        """SIGTERM and wait; when the server does not end (seen stuck inside a huge write), raw_exit over isql,
        then SIGKILL."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            subprocess.run(["isql-vt", self.isql, "dba", self.password, "exec=raw_exit();"], capture_output=True,
                           timeout=20, check=False)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def supervise(self) -> None:
        """Restarts the server on the same database and ports whenever it ends without stop(), as a service
        manager would (systemd's Restart=on-failure): Debian's Virtuoso 7.2.9 has been seen to die of a
        segmentation fault, now and then, while answering read queries (README). Virtuoso rolls its transaction
        log forward on restart, so nothing committed is lost, and kg's client retries reads meanwhile. Each
        restart is noted in ``crashes`` (the exit status) and on stderr."""
        def watch() -> None:
            while True:
                time.sleep(0.2)
                with self._lock:
                    if self._stopped:
                        return
                    if self.process is not None and (status := self.process.poll()) is not None:
                        self.crashes.append(status)
                        print(f"kg: the private Virtuoso at {self.url} ended (exit status {status}); restarting it",
                              file=sys.stderr)
                        self.process = _run(self)
        threading.Thread(target=watch, name="kg-virtuoso-supervisor", daemon=True).start()

    def graphs(self) -> set[str]:
        """Every graph holding a triple (Virtuoso's own included)."""
        import json
        import urllib.parse

        query = urllib.parse.urlencode({"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"})
        request = urllib.request.Request(f"{self.endpoint}?{query}",
                                         headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            return {b["g"]["value"] for b in json.load(answer)["results"]["bindings"]}

    def wipe(self) -> None:
        """Drops every graph that was not there when the server was created (Virtuoso's own stay)."""
        for graph in sorted(self.graphs() - self.system):
            self.update(f"DROP SILENT GRAPH <{graph}>")

    def update(self, text: str) -> None:
        """Runs a SPARQL Update as dba (digest authentication)."""
        import urllib.parse

        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, self.update_endpoint, "dba", self.password)
        opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(passwords))
        opener.open(urllib.request.Request(self.update_endpoint, data=urllib.parse.urlencode({"update": text}).encode(),
                                           method="POST"), timeout=600).read()

    def restart(self) -> None:
        """Stops the server and starts it again on the same database and ports."""
        with self._lock:
            self._terminate()
            self.process = _run(self)


def start(folder: Path, *, bulk: Path | None = None, buffers: int = 100_000, max_rows: int = 1_000_000) -> Virtuoso:
    """Creates a database in ``folder`` (dba's password set without a prompt) and starts the server on loopback
    ports; returns once it answers SPARQL. ``buffers``: 8 KiB pages of cache (100,000: 800 MiB). Raises
    StoreError when it does not start."""
    if (why := available()) is not None:
        raise StoreError(why)
    folder.mkdir(parents=True, exist_ok=True)
    bulk = bulk or folder / "bulk"
    bulk.mkdir(parents=True, exist_ok=True)
    password = "kg" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(10))
    instance = Virtuoso(folder, bulk, _free_port(), _free_port(), password)
    ini = _INI.format(dir=folder, bulk=bulk, isql_port=instance.isql_port, http_port=instance.http_port, vsp=VSP,
                      buffers=buffers, dirty=buffers * 3 // 4, max_rows=max_rows)
    (folder / "virtuoso.ini").write_text(ini, encoding="utf-8")
    done = subprocess.run(["virtuoso-t", "+configfile", str(folder / "virtuoso.ini"), "+foreground",
                           "+pwdold", "dba", "+pwddba", password, "+pwddav", password],
                          cwd=folder, capture_output=True, text=True, timeout=300, check=False)
    if done.returncode != 0:
        raise StoreError(f"virtuoso-t could not create its database: {done.stderr.strip()[-500:]}", source=str(folder))
    instance.process = _run(instance)
    instance.system = instance.graphs()
    return instance


def _run(instance: Virtuoso) -> subprocess.Popen:
    log = open(instance.folder / "stdout.log", "ab")
    process = subprocess.Popen(["virtuoso-t", "+configfile", str(instance.folder / "virtuoso.ini"), "+foreground"],
                               cwd=instance.folder, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                               env={k: v for k, v in os.environ.items() if not k.startswith("KG_")})
    if ledger := os.environ.get("KG_SERVER_PIDS"):  # CI stops what a killed test run left (.ci/run)
        with open(ledger, "a", encoding="utf-8") as pids:
            pids.write(f"{process.pid}\n")
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(instance.endpoint + "?query=ASK%7B%7D", timeout=5):
                return process
        except (urllib.error.URLError, OSError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                tail = (instance.folder / "virtuoso.log").read_text(errors="replace")[-800:]
                raise StoreError(f"Virtuoso did not start: {tail}", source=str(instance.folder)) from None
            time.sleep(0.3)
