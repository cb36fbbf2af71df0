"""Every branch in which the pipelines drop a posting: its German reason lands in the source's books,
and the posting still counts as seen, so the lifecycle does not expire it for being "missing".

The stages run as the crawl runs them: built by `from_crawler` on a Scrapy test crawler whose spider is
a real DistrictSpider with a real SQLite board and SaveBatch (as `crawler.runner._crawl` passes them).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.config import SourceConfig
from crawler.items import RawPosting
from crawler.pipelines import (
    DedupePipeline,
    NormalisePipeline,
    SanitisePipeline,
    SaveBatch,
    StorePipeline,
    ValidatePipeline,
)
from crawler.spider import DistrictSpider, SourceCrawl
from tests.search.helpers import make_board
from vacancies.model import Vacancy

TODAY = date(2026, 11, 27)
DISTRICT = "miltenberg"


def source(key: str) -> SourceConfig:
    return SourceConfig(key=key, district=DISTRICT, strategy="structured",
                        start_urls=[f"https://www.{key}.example/stellen"])  # fmt: skip


def raw(source_key: str = "lra-web", **changes: Any) -> RawPosting:
    base = dict(source_id="4711", url=f"https://www.{source_key}.example/stellen/4711",
                title="Sachbearbeiter (m/w/d) Kämmerei", deadline="15.01.2027",
                description_html="<p>Ihre Aufgaben: Haushalt und Kasse.</p>",
                source=source_key, district=DISTRICT)  # fmt: skip
    return RawPosting(**{**base, **changes})


class Crawl:
    """The pipeline chain of one crawl over the given sources of one district."""

    def __init__(self, tmp_path, *keys: str) -> None:
        self.board = make_board("sqlite", tmp_path)
        self.crawls = {key: SourceCrawl(source(key)) for key in keys}
        self.batch = SaveBatch(self.board, self.crawls)
        crawler = get_crawler(DistrictSpider)
        crawler.spider = DistrictSpider.from_crawler(
            crawler, crawls=list(self.crawls.values()), today=TODAY, board=self.board, batch=self.batch
        )
        stages = (NormalisePipeline, ValidatePipeline, SanitisePipeline, DedupePipeline, StorePipeline)
        self.stages = [stage.from_crawler(crawler) for stage in stages]
        for stage in self.stages:
            if hasattr(stage, "open_spider"):
                stage.open_spider()

    def run(self, item: Any) -> Vacancy:
        """One item through every stage, as Scrapy passes it on; DropItem ends it."""
        for stage in self.stages:
            item = stage.process_item(item)
        return item

    def dropped(self, item: Any) -> str:
        with pytest.raises(DropItem) as caught:
            self.run(item)
        return str(caught.value)

    def stored(self) -> dict[str, str]:
        """Every stored posting's whole record, to show that a drop changed nothing."""
        return {v.id: v.model_dump_json() for v, _ in self.board.store.iter_all()}


def test_an_invalid_field_is_dropped_as_invalid_and_still_seen(tmp_path):
    crawl = Crawl(tmp_path, "lra-web")
    books = crawl.crawls["lra-web"]
    reason = crawl.dropped(raw(structured={"weekly_hours": 500}))  # as a site states it, not guessed
    assert reason == "ungültig: weekly_hours"
    assert books.drop_reasons == {"ungültig: weekly_hours": 1}
    assert books.seen_ids == {"lra-web:4711"}
    assert crawl.stored() == {}


def test_a_posting_without_title_is_dropped_and_still_seen(tmp_path):
    crawl = Crawl(tmp_path, "lra-web")
    books = crawl.crawls["lra-web"]
    assert crawl.dropped(raw(title="  ")) == "Titel fehlt"
    assert books.drop_reasons == {"Titel fehlt": 1}
    # The id comes from source and source_id alone: a stored posting whose title the site lost for a
    # while must not expire as if it had been taken down.
    assert books.seen_ids == {"lra-web:4711"}


def test_an_unknown_element_is_dropped_on_its_source(tmp_path):
    crawl = Crawl(tmp_path, "lra-web")
    books = crawl.crawls["lra-web"]
    assert crawl.dropped({"source": "lra-web", "title": "kein RawPosting"}) == "unbekanntes Element"
    assert books.drop_reasons == {"unbekanntes Element": 1}
    assert books.seen_ids == set()  # no id to keep: nothing a stored posting could be matched by


def test_a_posting_linked_twice_in_one_source_is_stored_once(tmp_path):
    crawl = Crawl(tmp_path, "lra-web")
    books = crawl.crawls["lra-web"]
    crawl.run(raw())
    assert crawl.dropped(raw()) == "doppelt verlinkt"
    crawl.batch.flush()
    assert books.drop_reasons == {"doppelt verlinkt": 1}
    assert books.seen_ids == {"lra-web:4711"}
    assert books.totals == {"new": 1}


def test_the_twin_from_a_second_source_of_the_district_is_dropped(tmp_path):
    crawl = Crawl(tmp_path, "lra-web", "lra-portal")
    crawl.run(raw("lra-web"))
    crawl.batch.flush()
    before = crawl.stored()
    assert list(before) == ["lra-web:4711"]
    # Same district, title and deadline reached through the other source, with its own id and text.
    twin = raw("lra-portal", source_id="A-17", description_html="<p>Andere Fassung.</p>")
    assert crawl.dropped(twin) == "Duplikat aus Quelle lra-web"
    crawl.batch.flush()
    portal = crawl.crawls["lra-portal"]
    assert portal.drop_reasons == {"Duplikat aus Quelle lra-web": 1}
    assert portal.seen_ids == {"lra-portal:A-17"}
    assert crawl.crawls["lra-web"].drop_reasons == {}
    assert crawl.stored() == before


def test_a_crawled_posting_never_overwrites_the_hr_posting_of_its_id(tmp_path):
    crawl = Crawl(tmp_path, "lra-web")
    hr = Vacancy.model_validate({"id": "lra-web:4711", "origin": "hr", "district": DISTRICT,
                                 "title": "Kassenverwalter (m/w/d)", "description": "<p>HR</p>"})  # fmt: skip
    crawl.board.save([hr])
    before = crawl.stored()
    crawl.run(raw())  # the collision shows when the batch is saved, not before
    crawl.batch.flush()
    books = crawl.crawls["lra-web"]
    assert books.drop_reasons == {"von HR verwaltet": 1}
    assert books.seen_ids == {"lra-web:4711"}
    assert books.totals == {}
    assert crawl.stored() == before
