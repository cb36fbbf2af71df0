"""Split one crawl over worker processes (`stellenboerse crawl --workers N`).

A crawl that is not held back by politeness is CPU-bound in one Python process. Workers are forked
after start-up, so they share the imported code and loaded data instead of paying for it again; each
runs its own Scrapy crawler on its share of the sources and records their runs itself.

A polite crawl gives each worker a fixed share (`partition`): its sources all run at once, since each
one's pace is set by its delays. An impolite crawl is CPU-bound instead, and a fixed share of sources of
unknown size leaves one core idle while the other worker finishes (5 of 19 s for the ×10 sample sites):
there the workers take bundles from a `BundleQueue` one at a time, a few at once, as they get done.

Sources that share a host always stay in one worker: Scrapy's per-domain limits and delays only hold
within one process.

Workers never outlive the crawl that forked them: each asks the kernel for SIGKILL when its parent
ends (vacancies.lifeline). The parent owns the runs (their process identity is the parent's), so a
new crawl takes them over at once; a worker finishing them meanwhile would only race it. SIGTERM of
the parent reaches the workers too (`forward`, `signals_forwarded`): each stops its crawl cleanly.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import TypeVar

from vacancies.lifeline import die_with_parent

log = logging.getLogger(__name__)
T = TypeVar("T")


def partition(items: Sequence[T], workers: int, hosts: Callable[[T], set[str]],
              weight: Callable[[T], float]) -> list[list[T]]:  # fmt: skip
    """At most `workers` non-empty groups of `items`, balanced by `weight`; items sharing a host together.

    Greedy: the heaviest bundle of host-sharing items goes to the lightest group; order within a group
    follows `items`.
    """
    bundles = _bundles(items, hosts)
    loads = [0.0] * max(1, min(workers, len(bundles)))
    members: list[list[int]] = [[] for _ in loads]
    for bundle in sorted(bundles, key=lambda b: -sum(weight(items[i]) for i in b)):
        lightest = loads.index(min(loads))
        members[lightest] += bundle
        loads[lightest] += sum(weight(items[i]) for i in bundle)
    return [[items[i] for i in sorted(group)] for group in members if group]


class BundleQueue:
    """Bundles of host-sharing items, handed out one at a time to whichever process asks first.

    Made before the fork: the position lives in shared memory, so each bundle goes to exactly one worker.
    """

    def __init__(
        self, items: Sequence[T], hosts: Callable[[T], set[str]], weight: Callable[[T], float]
    ) -> None:
        bundles = _bundles(items, hosts)
        # Heaviest first: the ones left for the end are the small ones, so the workers finish together.
        bundles.sort(key=lambda b: -sum(weight(items[i]) for i in b))
        self.items = list(items)
        self.bundles = [[items[i] for i in sorted(bundle)] for bundle in bundles]
        self._next = multiprocessing.get_context("fork").Value("i", 0)

    def claim(self) -> list | None:
        """The next bundle, or None when all are taken."""
        with self._next.get_lock():
            index = self._next.value
            if index >= len(self.bundles):
                return None
            self._next.value = index + 1
        return self.bundles[index]


def _bundles(items: Sequence[T], hosts: Callable[[T], set[str]]) -> list[list[int]]:
    """Indexes of `items`, grouped transitively by shared hosts (union-find)."""
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[Hashable, int] = {}
    for index, item in enumerate(items):
        for host in hosts(item):
            if host in owner:
                parent[root(index)] = root(owner[host])
            else:
                owner[host] = index
    bundles: dict[int, list[int]] = {}
    for index in range(len(items)):
        bundles.setdefault(root(index), []).append(index)
    return list(bundles.values())


def run_forked(groups: Sequence[T], work: Callable[[T], None]) -> list[int]:
    """Start `work(group)` in a forked child process per group; their pids, to pass to `wait_all`.

    A child ends with exit code 1 when `work` raised (the error is logged), 0 otherwise.
    """
    sys.stdout.flush()
    sys.stderr.flush()
    parent = os.getpid()
    pids = []
    for group in groups:
        pid = os.fork()
        if pid == 0:  # the worker: never return into the caller's code
            code = 1
            try:
                die_with_parent(parent, signal.SIGKILL)
                work(group)
                code = 0
            except BaseException:
                log.exception("Crawl-Prozess %s gescheitert", os.getpid())
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        pids.append(pid)
    return pids


def forward(pids: list[int], sig: int = signal.SIGTERM) -> None:
    """Send `sig` to the workers that are still there."""
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, sig)


@contextmanager
def signals_forwarded(pids: list[int]) -> Iterator[None]:
    """While the parent waits for its workers: SIGTERM stops them (each closes its crawl cleanly) instead
    of going nowhere. SIGINT is left alone: from a terminal it reaches every worker by itself."""
    previous = signal.signal(signal.SIGTERM, lambda signum, _frame: forward(pids, signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def wait_all(pids: list[int]) -> list[int]:
    """Wait for the workers; their exit codes (negative: killed by that signal)."""
    codes = []
    for pid in pids:
        _, status = os.waitpid(pid, 0)
        codes.append(os.waitstatus_to_exitcode(status))
        if codes[-1] != 0:
            log.error("Crawl-Prozess %s endete mit %s", pid, codes[-1])
    return codes
