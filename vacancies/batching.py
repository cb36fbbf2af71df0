"""The one batching helper (issue 17, item 7): Python 3.11 has no itertools.batched yet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import TypeVar

T = TypeVar("T")


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """Consecutive lists of `size` items (the last one shorter); lazy, so a stream is never held whole.

    Replace with itertools.batched (which yields tuples) once Python 3.12 is the minimum."""
    if size < 1:
        raise ValueError("size must be at least 1")
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
