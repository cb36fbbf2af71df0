"""Splitting a crawl over worker processes: balanced shares, and a host never split between workers."""

from __future__ import annotations

from crawler.workers import partition


def share_of(groups: list[list[str]], item: str) -> int:
    return next(i for i, group in enumerate(groups) if item in group)


HOSTS = {
    "a": {"www.lra-a.example"},
    "b": {"www.lra-b.example"},
    "c": {"www.lra-c.example", "api.interamt.example"},
    "d": {"www.lra-d.example", "api.interamt.example"},
    "e": {"www.lra-e.example"},
}


def test_sources_sharing_a_host_stay_in_one_worker():
    groups = partition(list(HOSTS), 2, hosts=HOSTS.__getitem__, weight=lambda _: 1)
    assert len(groups) == 2 and sorted(sum(groups, [])) == sorted(HOSTS)
    assert share_of(groups, "c") == share_of(groups, "d")  # both call the same API host


def test_shares_are_balanced_by_weight():
    weights = {"a": 10, "b": 1, "c": 1, "d": 1, "e": 8}
    groups = partition(list("abcde"), 2, hosts=lambda x: {x}, weight=weights.__getitem__)
    loads = sorted(sum(weights[x] for x in group) for group in groups)
    assert loads == [10, 11]


def test_never_more_workers_than_independent_sources():
    assert partition(["c", "d"], 4, hosts=HOSTS.__getitem__, weight=lambda _: 1) == [["c", "d"]]
    assert partition(list("abe"), 1, hosts=HOSTS.__getitem__, weight=lambda _: 1) == [["a", "b", "e"]]


def test_order_within_a_share_is_kept():
    groups = partition(list("abcde"), 2, hosts=lambda x: {x}, weight=lambda _: 1)
    assert all(group == sorted(group) for group in groups)
