"""Child processes that end with their parent, and an identity of a process that survives pid reuse.

1. A forked child calls `die_with_parent` first. On Linux it asks the kernel for a signal when its
   parent goes (prctl PR_SET_PDEATHSIG), then compares getppid() with the pid the parent had before
   the fork: a parent that died in between is noticed too.
2. The kernel sends that signal when the *thread* that forked the child ends, not the process. So a
   child must be forked by a thread that lives as long as the process: the main thread, or a keeper
   thread (see vacancies.search.document).
3. A crawl run records who runs it: host name, pid and the process's start time (`process_start`, from
   /proc/<pid>/stat). Pids are reused; a pid with the same start time is the same process. `running`
   tells whether that process still runs on this host.
"""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import sys
from pathlib import Path

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
PARENT_ENV = "STELLEN_PARENT_PID"  # set by a parent that starts a command which must end with it


def _load_prctl():
    """libc's prctl, resolved in the parent: a dlopen in a child forked from a threaded parent can hang."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()


def die_with_parent(parent: int, sig: int = signal.SIGKILL) -> None:
    """In a new child: receive `sig` when the parent (pid `parent` before the fork) ends; exit at once
    when it has ended already."""
    if _PRCTL is not None:
        _PRCTL(PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the kernel could be told
        os._exit(1)


def die_with_parent_from_env(sig: int = signal.SIGTERM) -> None:
    """For a command started by a parent that set STELLEN_PARENT_PID (the scheduler starts `crawl` so)."""
    parent = os.environ.pop(PARENT_ENV, "")
    if parent.isdigit():
        die_with_parent(int(parent), sig)


def host_name() -> str:
    return socket.gethostname()


def process_start(pid: int) -> str | None:
    """When process `pid` started (clock ticks since boot, field 22 of /proc/<pid>/stat), or None when
    it does not exist or this system has no /proc. A zombie (killed, not yet reaped) counts as gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may contain anything
    if fields[0] in ("Z", "X"):
        return None
    return fields[19]


def running(pid: int, started: str | None) -> bool:
    """Whether the process recorded as (`pid`, `started`) still runs on this host."""
    if Path("/proc/self/stat").exists():
        now = process_start(pid)
        return now is not None and (started is None or now == started)
    try:  # no /proc: the pid alone must do
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
