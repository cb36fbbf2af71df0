"""The crawl's log output (issue 19, item 6): German lines for people, or JSON lines for log collectors.

`STELLEN_LOG_FORMAT=json` (vacancies.settings) writes one JSON object per line:
{"time": "2026-12-03T02:31:07.412Z", "level": "WARNING", "logger": "crawler.spider",
 "message": "Quelle dachau-web: Abruf fehlgeschlagen: … (Zeitüberschreitung)", "run_id": 812,
 "source": "dachau-web"} — run_id (crawl_runs.id) and source are null on lines of no source; a
traceback, shown at debug level only, comes as "exception".

The standard library's logging and json suffice: a formatter of a dozen lines does not need
python-json-logger as a dependency.

Expected failures (unreachable hosts, HTTP errors, robots.txt) are reported by the spider, one German
line each with the source; Scrapy's own English records of them, with their tracebacks, are moved to
debug level (`DebugOnly`), where whoever debugs the crawl still finds them.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"
TEXT_DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, run_id, source."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.fromtimestamp(record.created, UTC)
        data: dict[str, Any] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "run_id": getattr(record, "run_id", None),
            "source": getattr(record, "source", None),
        }
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


class _CrawlHandler(logging.StreamHandler):
    """The handler `configure` installs (recognised so that a second call replaces it)."""


def configure(log_format: str = "text", level: str | int = "WARNING") -> logging.Handler:
    """One handler on the root logger writing to stderr in `log_format` ("text" or "json")."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _CrawlHandler)]:
        root.removeHandler(old)
    handler = _CrawlHandler(sys.stderr)
    formatter = JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT, TEXT_DATE_FORMAT)
    handler.setFormatter(formatter)
    handler.setLevel(level)
    root.addHandler(handler)
    root.setLevel(level)
    return handler


class DebugOnly(logging.Filter):
    """Moves a logger's records that `wanted` matches to debug level: shown (with their traceback) only
    when the crawl logs at debug level."""

    def __init__(self, wanted: Any) -> None:
        super().__init__()
        self.wanted = wanted

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno > logging.DEBUG and self.wanted(record):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return True
