"""`stellenboerse serve --workers N`: N server processes, each listening on its own socket.

uvicorn's own workers share one listening socket, and the worker that wakes first accepts a whole burst
of new connections (asyncio accepts up to the backlog per wake-up). Keep-alive connections stay with the
worker that accepted them, so now and then one worker served most of 20 clients while the other idled
(110 instead of 230 requests/s in bench/load.py). With SO_REUSEPORT every worker has a socket of its own
on the same port and the kernel spreads new connections over them evenly.

The supervisor (this process) starts the workers, starts a new one when one dies (but gives up when
they keep dying at once, e.g. from a bad setting), and on SIGTERM or Ctrl-C stops them all. Workers end
with it even when it is killed (vacancies.lifeline).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from multiprocessing.process import BaseProcess

STOP_TIMEOUT = 30.0  # seconds a worker gets to finish its requests after SIGTERM
QUICK_DEATH = 5.0  # a worker that dies this soon after its start counts towards giving up
MAX_QUICK_DEATHS = 3
METRICS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"


class PortBusy(RuntimeError):
    """The port is taken by another program (German message)."""


def check_port(host: str, port: int) -> None:
    """Refuse a port someone else listens on: with SO_REUSEPORT alone a second server of ours would
    quietly share it (and a foreign one would make every worker fail)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise PortBusy(
                f"Port {port} auf {host} ist belegt ({exc.strerror}). Läuft die Stellenbörse schon? "
                "Beenden Sie das andere Programm oder wählen Sie einen anderen Port mit --port."
            ) from None


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int, options: dict, parent: int) -> None:
    """One server process: its own socket, the app built from the environment (api.app:create_app)."""
    import uvicorn

    from vacancies.lifeline import die_with_parent

    die_with_parent(parent, signal.SIGTERM)
    sock = listening_socket(host, port)
    config = uvicorn.Config("api.app:create_app", factory=True, **options)
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    def __init__(self, host: str, port: int, workers: int, options: dict) -> None:
        self.host, self.port, self.count = host, port, workers
        self.options = {k: v for k, v in options.items() if k not in ("host", "port")}
        self.context = multiprocessing.get_context("spawn")  # a fresh interpreter: no copied locks
        self.workers: list[tuple[BaseProcess, float]] = []
        self.stopping = threading.Event()
        self.quick_deaths = 0
        self.failed = False

    def run(self) -> int:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stopping.set())
        self.workers = [self._start() for _ in range(self.count)]
        _say(f"{self.count} Server-Prozesse auf http://{self.host}:{self.port}")
        while not self.stopping.wait(0.5):
            if not self._replace_dead():
                break
        return self._stop_all()

    def _start(self) -> tuple[BaseProcess, float]:
        arguments = (self.host, self.port, self.options, os.getpid())
        process = self.context.Process(target=_worker, args=arguments, name="stellenboerse-worker")
        process.start()
        return process, time.monotonic()

    def _replace_dead(self) -> bool:
        """Start a new worker for each dead one; False when they keep dying right after their start."""
        for index, (process, started) in enumerate(self.workers):
            if process.is_alive():
                continue
            if time.monotonic() - started < QUICK_DEATH:
                self.quick_deaths += 1
                if self.quick_deaths >= MAX_QUICK_DEATHS:
                    _say("Server-Prozesse enden gleich nach dem Start — siehe die Meldungen oben.")
                    self.failed = True
                    return False
            _say(f"Server-Prozess {process.pid} endete (Status {process.exitcode}), starte einen neuen")
            self.workers[index] = self._start()
        return True

    def _stop_all(self) -> int:
        for process, _ in self.workers:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes open requests, then exits
        deadline = time.monotonic() + STOP_TIMEOUT
        for process, _ in self.workers:
            process.join(max(0.1, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(5)
        return 1 if self.failed else 0


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def serve(host: str, port: int, workers: int, options: dict) -> int:
    check_port(host, port)
    with shared_metrics():
        return Supervisor(host, port, workers, options).run()


@contextlib.contextmanager
def shared_metrics() -> Iterator[None]:
    """The workers' request counters in one directory (prometheus_client's multiprocess mode), so that
    /metrics answers the sum of all workers, whichever of them is asked (api/metrics.py). Set before
    the workers start: each reads it when it imports prometheus_client. A fresh directory per start,
    since the files of an earlier run would be counted again; one the operator set is used as it is."""
    if os.environ.get(METRICS_DIRECTORY):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="stellenboerse-metrics-") as directory:
        os.environ[METRICS_DIRECTORY] = directory
        try:
            yield
        finally:
            os.environ.pop(METRICS_DIRECTORY, None)
