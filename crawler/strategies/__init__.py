"""Extraction strategies: one per site shape, chosen per source in config/districts.yaml.

Each strategy turns configuration alone into requests and RawPostings (see common.Strategy), so a new
district needs no code. The keys are the `strategy` values districts.yaml accepts.
"""

from __future__ import annotations

from crawler.strategies.auto import AutoStrategy
from crawler.strategies.common import Strategy
from crawler.strategies.feed import FeedStrategy
from crawler.strategies.html import HtmlStrategy
from crawler.strategies.interamt import InteramtStrategy
from crawler.strategies.pdf import PdfStrategy
from crawler.strategies.structured import StructuredStrategy
from crawler.strategies.vendors import DvinciStrategy, PersonioStrategy

STRATEGIES: dict[str, type[Strategy]] = {
    "structured": StructuredStrategy,
    "html": HtmlStrategy,
    "feed": FeedStrategy,
    "pdf": PdfStrategy,
    "interamt": InteramtStrategy,
    "auto": AutoStrategy,
    "personio": PersonioStrategy,
    "dvinci": DvinciStrategy,
}

__all__ = ["STRATEGIES", "Strategy"]
