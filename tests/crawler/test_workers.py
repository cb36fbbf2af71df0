"""Splitting a crawl over worker processes: balanced shares, and a host never split between workers."""

from __future__ import annotations

from crawler.workers import BundleQueue, partition, run_forked, wait_all


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


def test_bundle_queue_hands_out_host_sharing_sources_together_heaviest_first():
    weights = {"a": 1, "b": 5, "c": 2, "d": 2, "e": 3}
    queue = BundleQueue(list("abcde"), hosts=HOSTS.__getitem__, weight=weights.__getitem__)
    claimed = []
    while (bundle := queue.claim()) is not None:
        claimed.append(bundle)
    assert claimed == [["b"], ["c", "d"], ["e"], ["a"]]  # c and d share the API host: weight 4
    assert queue.claim() is None


def test_each_bundle_goes_to_exactly_one_forked_worker(tmp_path):
    """Workers race for the queue after the fork: none may crawl a source twice, none may be left out."""
    items = [f"s{i}" for i in range(60)]
    queue = BundleQueue(items, hosts=lambda x: {x}, weight=lambda _: 1)

    def work(worker: int) -> None:
        with open(tmp_path / f"claims-{worker}.txt", "w") as out:
            while (bundle := queue.claim()) is not None:
                out.write(f"{bundle[0]}\n")
                out.flush()

    assert wait_all(run_forked([1, 2, 3], work)) == [0, 0, 0]
    work(0)  # the parent takes part like the crawl's own process does
    claims = [line for w in range(4) for line in (tmp_path / f"claims-{w}.txt").read_text().split()]
    assert sorted(claims) == sorted(items)


def _source(key: str, **options):
    from crawler.config import SourceConfig

    return SourceConfig(key=key, district=key, strategy="html", start_urls=[f"https://www.{key}.example/"],
                        options={"link_selector": "a", **options})  # fmt: skip


def test_weights_are_last_nights_pages_and_a_new_paginated_source_counts_double(tmp_path):
    from crawler.runner import source_weights
    from vacancies.runs import RunStore
    from vacancies.store import make_engine, migrate

    engine = make_engine(f"sqlite:///{tmp_path / 'runs.db'}")
    migrate(engine)
    runs = RunStore(engine)
    for key, pages in (("a", 40), ("b", 100), ("c", 300)):
        run = runs.start(key, key)
        run.status, run.pages = "success", pages
        runs.finish(run)
    failed = runs.start("d", "d")
    failed.status, failed.pages = "failed", 900  # a failed run says nothing about the size
    runs.finish(failed)
    sources = [_source("a"), _source("b"), _source("c"), _source("d"), _source("e", next_selector="a.next")]
    assert source_weights(sources, runs) == {"a": 40, "b": 100, "c": 300, "d": 100, "e": 200}


def test_a_first_crawl_starts_the_paginated_sources_first():
    from crawler.runner import source_weights

    class NoHistory:
        def last_success(self, source):
            return None

    sources = [_source("a"), _source("b", next_selector="a.next"), _source("c")]
    weights = source_weights(sources, NoHistory())
    queue = BundleQueue(sources, hosts=lambda s: {s.key}, weight=lambda s: weights[s.key])
    assert [s.key for s in queue.claim()] == ["b"]


def test_politeness_off_lifts_the_limit_per_host_and_as_shipped_keeps_it():
    from crawler.config import CrawlDefaults
    from crawler.runner import IMPOLITE_CONCURRENCY, CrawlOptions, scrapy_settings
    from vacancies.settings import Settings

    defaults, settings = CrawlDefaults(), Settings()
    polite = scrapy_settings(defaults, settings, CrawlOptions(polite=True))
    impolite = scrapy_settings(defaults, settings, CrawlOptions(polite=False))
    assert polite.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == defaults.concurrent_requests_per_domain <= 2
    assert polite.getbool("ROBOTSTXT_OBEY") and polite.getbool("AUTOTHROTTLE_ENABLED")
    assert impolite.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == IMPOLITE_CONCURRENCY
    assert impolite.getbool("ROBOTSTXT_OBEY")  # robots.txt is obeyed even then
