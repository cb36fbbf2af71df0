"""Searches while the store is written: every search sees one snapshot, none fails.

Real SQLite file (WAL), real threads and a real second process writing to it. Before searches ran in one
read transaction, a commit between reading the column cache, the FTS matches and the records gave
`ValueError: shape mismatch` / `IndexError`, or result pages with fewer hits than the total promised.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time

from tests.search.corpus import TODAY
from tests.search.helpers import make_board
from vacancies.model import State
from vacancies.sample_data import generate_vacancies
from vacancies.search.contract import SearchQuery

SECONDS = 4.0  # bounded in time and in count
MAX_SEARCHES = 3000
WORDS = ["", "verwaltung", "erzieher", "sachbearbeiter", "ingenieur", "ausbildung", "pflege"]

WRITER = textwrap.dedent(
    """
    import sys, time
    from tests.search.helpers import make_board
    from vacancies.sample_data import generate_vacancies
    from datetime import date
    from pathlib import Path

    board = make_board("sqlite", Path(sys.argv[1]))
    postings = list(generate_vacancies(60, seed=99, today=date.fromisoformat(sys.argv[2])))
    deadline = time.monotonic() + float(sys.argv[3])
    round_ = 0
    while time.monotonic() < deadline and round_ < 400:
        for v in postings[round_ % 12 * 5 : round_ % 12 * 5 + 5]:
            v.title = v.title.split(" #")[0] + f" #{round_}"
        board.save([v.model_copy(deep=True) for v in postings[round_ % 12 * 5 : round_ % 12 * 5 + 5]])
        round_ += 1
    print(round_)
    """
)


def _writer_thread(board, stop: threading.Event, errors: list) -> None:
    postings = list(generate_vacancies(40, seed=7, today=TODAY))
    round_ = 0
    try:
        while not stop.is_set() and round_ < 400:
            batch = postings[round_ % 8 * 5 : round_ % 8 * 5 + 5]
            for v in batch:
                v.id = f"{v.id}-t{round_}"  # new postings: rowids are added and others removed
            board.save([v.model_copy(deep=True) for v in batch])
            board.set_state([batch[0].id], State.withdrawn)
            round_ += 1
    except Exception as exc:  # reported by the test, not swallowed
        errors.append(f"writer: {exc!r}")


def _searcher(board, number: int, stop: threading.Event, errors: list, done: list) -> None:
    count = 0
    while not stop.is_set() and count < MAX_SEARCHES:
        word = WORDS[(number + count) % len(WORDS)]
        try:
            page = board.search(SearchQuery(text=word, per_page=20, today=TODAY))
            expected = min(20, page.total)
            if len(page.items) != expected:
                errors.append(f"{word!r}: {len(page.items)} hits on a page of {page.total}")
        except Exception as exc:
            errors.append(f"{word!r}: {exc!r}")
        count += 1
    done.append(count)


def test_searches_never_fail_while_threads_and_a_process_write(tmp_path):
    board = make_board("sqlite", tmp_path, list(generate_vacancies(400, seed=42, today=TODAY)))
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(tmp_path), TODAY.isoformat(), str(SECONDS)],
        stdout=subprocess.PIPE,
        text=True,
    )
    stop, errors, done = threading.Event(), [], []
    threads = [threading.Thread(target=_writer_thread, args=(board, stop, errors))]
    threads += [threading.Thread(target=_searcher, args=(board, n, stop, errors, done)) for n in range(3)]
    for thread in threads:
        thread.start()
    time.sleep(SECONDS)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    rounds, _ = writer.communicate(timeout=60)
    assert writer.returncode == 0 and int(rounds) > 0
    assert errors == [], errors[:5]
    assert sum(done) > 50  # the searchers really ran alongside the writers
