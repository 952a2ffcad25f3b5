"""The server's query workers: processes that each open the store read-only, answer one job at a time, and are
ended (and replaced) when a job passes its deadline or its client goes away; with a cap on waiting jobs."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from kg.errors import KgError
from kg.workers import Job, execute, stream, unwrap

TERMINAL = ("end", "error", "result", "whole")


class Busy(Exception):
    """Every worker is taken and the waiting line is full (503 with Retry-After)."""


@dataclass(eq=False)
class Worker:
    process: multiprocessing.Process
    conn: object
    generation: int


def _serve(store: Path, conn) -> None:
    """A worker process: opens the store read-only and answers jobs until the pipe closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server ends workers itself
    from kg.graph import KnowledgeGraph

    graph = KnowledgeGraph(store, read_only=True)
    conn.send(("ready",))
    while True:
        try:
            message = conn.recv()
        except EOFError:
            return
        if message[0] == "reopen":  # the server wrote: read the new state
            graph.close()
            graph = KnowledgeGraph(store, read_only=True)
            conn.send(("ready",))
            continue
        job: Job = message[1]
        for attempt in (1, 2):
            sent: list[str] = []

            def send(item: tuple) -> None:
                sent.append(item[0])
                conn.send(item)
            try:
                if job.accept:
                    stream(graph, job, send)
                else:
                    send(("result", execute(graph, job)))
                break
            except KgError as exc:
                # the server's compaction removed a file this reader had not opened yet: read a new snapshot
                if attempt == 1 and not sent and "No such file" in str(exc):
                    graph.close()
                    graph = KnowledgeGraph(store, read_only=True)
                    continue
                send(("error", type(exc).__name__, str(exc)))
                break


async def _recv(conn, timeout: float) -> tuple:
    """The next message from a worker, waiting at most ``timeout`` seconds (TimeoutError) without blocking."""
    if not conn.poll():
        loop = asyncio.get_running_loop()
        ready = loop.create_future()
        loop.add_reader(conn.fileno(), lambda: ready.done() or ready.set_result(None))
        try:
            await asyncio.wait_for(ready, max(timeout, 0))
        finally:
            loop.remove_reader(conn.fileno())
            os.set_blocking(conn.fileno(), True)  # uvloop made it non-blocking: a long message comes in parts
    return conn.recv()


class Pool:
    """``workers`` processes on a store; at most ``max_waiting`` jobs wait for one beyond those running."""

    def __init__(self, store: Path, *, workers: int, timeout: float, max_waiting: int) -> None:
        self.store, self.size, self.timeout, self.max_waiting = store, workers, timeout, max_waiting
        self._context = multiprocessing.get_context("forkserver")  # workers never inherit the server's store
        self._context.set_forkserver_preload(["kg.graph", "kg.workers", "kg.interfaces.server.pool"])
        self._idle: asyncio.Queue[Worker] = asyncio.Queue()
        self._all: set[Worker] = set()
        self._active = 0  # jobs running or waiting for a worker
        self.generation = 0
        self._write_lock = asyncio.Lock()
        self._writing = False
        self._reopening = 0
        self._starting: set[asyncio.Task] = set()
        self._stopped = False

    async def start(self) -> None:
        await asyncio.gather(*(self._add() for _ in range(self.size)))

    async def stop(self) -> None:
        self._stopped = True
        for task in list(self._starting):
            task.cancel()
        for worker in list(self._all):
            self._end(worker)

    async def _add(self) -> None:
        receiver, sender = self._context.Pipe()
        process = self._context.Process(target=_serve, args=(self.store, sender), daemon=True)
        await asyncio.to_thread(process.start)
        sender.close()
        worker = Worker(process, receiver, self.generation)
        self._all.add(worker)
        if self._stopped:
            self._end(worker)
            return
        try:
            ready = await _recv(receiver, 120)
        except (EOFError, TimeoutError, OSError):
            ready = None
        if ready != ("ready",):
            self._end(worker)
            if self._stopped:
                return
            raise KgError(f"a query worker could not open the store {self.store}")
        await self._idle.put(worker)

    async def _add_again(self) -> None:
        while self._writing:  # a worker opened during a write would read it half done
            await asyncio.sleep(0.05)
        try:
            await self._add()
        except KgError as exc:  # the server goes on with one worker fewer
            print(f"kg: {exc}", file=sys.stderr)

    def _end(self, worker: Worker) -> None:
        worker.process.kill()
        worker.process.join(1)
        worker.conn.close()
        self._all.discard(worker)

    def _replace(self, worker: Worker) -> None:
        """Ends a worker at once (its CPU is free) and starts another in the background."""
        self._end(worker)
        if not self._stopped:
            task = asyncio.get_running_loop().create_task(self._add_again())
            self._starting.add(task)
            task.add_done_callback(self._starting.discard)

    async def _acquire(self, wait: float) -> Worker:
        try:
            worker = await asyncio.wait_for(self._idle.get(), wait)
        except TimeoutError:
            raise Busy from None
        if worker.generation < self.generation and not self._writing:
            self._reopening += 1
            try:
                worker.conn.send(("reopen",))
                await _recv(worker.conn, 120)
                worker.generation = self.generation
            except (EOFError, TimeoutError, OSError):
                self._replace(worker)
                raise Busy from None
            finally:
                self._reopening -= 1
        return worker

    async def messages(self, job: Job) -> AsyncIterator[tuple]:
        """The worker's messages for ``job``, ending with a terminal one; a job past the deadline ends its worker
        and ends with ("error", "QueryTimeout", ...). Raises Busy when no worker is free in time."""
        if self._active >= self.max_waiting + self.size:
            raise Busy
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        self._active += 1
        try:
            worker: Worker | None = await self._acquire(self.timeout)
        except BaseException:
            self._active -= 1
            raise
        try:
            worker.conn.send(("job", job))
            while True:
                try:
                    message = await _recv(worker.conn, deadline - loop.time())
                except TimeoutError:
                    message = ("error", "QueryTimeout", f"the query ran past the server's {self.timeout:g} s "
                               "time limit and was stopped")
                except (EOFError, OSError):
                    message = ("error", "QueryError", "the query's worker process ended without an answer")
                else:
                    if message[0] in TERMINAL:  # the worker is free again before the caller sees the end
                        self._idle.put_nowait(worker)
                        worker = None
                if message[0] in TERMINAL:
                    yield message
                    return
                yield message
        finally:
            self._active -= 1
            if worker is not None:  # past the deadline, failed, or the client went away: end it
                self._replace(worker)

    async def result(self, job: Job):
        """A job's Result (for pages and descriptions); raises the worker's KgError, QueryTimeout or Busy."""
        async for message in self.messages(job):
            if message[0] in TERMINAL:
                return unwrap(message)
        raise KgError("no answer")

    @asynccontextmanager
    async def writing(self):
        """Held while the server writes to the store: workers keep answering from the state they opened; after
        it, each reopens before its next job (never while a write runs)."""
        async with self._write_lock:
            while self._reopening:
                await asyncio.sleep(0.005)
            self._writing = True
            try:
                yield
            finally:
                self._writing = False
                self.generation += 1
