"""The spider end to end: real HTTP against a local server, one crawl per subprocess.

Scrapy's reactor cannot restart inside the test process, so every crawl runs in `python -c`; the server
runs in a thread here and serves files from a temporary directory (plus forced error statuses).
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.crawler.test_strategies_common import FIXTURES, REPO_ROOT
from tests.crawler.test_strategies_pdf import LINES, make_pdf

CRAWL = """
import json, sys
from crawler.probe import run_probe
args = json.loads(sys.argv[1])
fast = {"AUTOTHROTTLE_ENABLED": False, "DOWNLOAD_DELAY": 0, "RETRY_TIMES": 1, "LOG_LEVEL": "CRITICAL"}
result = run_probe(args["url"], args["strategy"], args.get("options"), timeout=30, settings=fast)
print(json.dumps(result.__dict__, default=list))
"""


class Handler(SimpleHTTPRequestHandler):
    statuses: dict[str, int] = {}

    def do_GET(self):  # noqa: N802 (http.server's naming)
        if self.path == "/langsam":  # answers after the probe's time is up
            time.sleep(8)
        if self.path in self.statuses:
            self.send_error(self.statuses[self.path])
            return
        super().do_GET()

    def log_message(self, *args):  # keep pytest output quiet
        pass


@pytest.fixture
def site(tmp_path):
    """A local site in tmp_path; yields (root dir, base URL, status overrides)."""
    statuses: dict[str, int] = {}
    handler = type("SiteHandler", (Handler,), {"statuses": statuses})
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(tmp_path)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield tmp_path, f"http://127.0.0.1:{server.server_port}", statuses
    server.shutdown()
    server.server_close()


def crawl(url: str, strategy: str, options: dict | None = None) -> dict:
    args = json.dumps({"url": url, "strategy": strategy, "options": options})
    done = subprocess.run(
        [sys.executable, "-c", CRAWL, args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def write(root: Path, path: str, content: str | bytes) -> None:
    target = root / path.lstrip("/")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode())


HTML_OPTIONS = {"link_selector": "a.stelle", "fields": {"title": "h1.titel", "deadline": "dd.frist"}}


def html_site(root: Path) -> None:
    links = "".join(f'<a class="stelle" href="/stellen/{n}.html">Stelle {n}</a>' for n in (1, 2, 3, 4))
    write(root, "/stellen/index.html", f"<html><body>{links}</body></html>")
    detail = (FIXTURES / "html" / "detail.html").read_text()
    write(root, "/stellen/1.html", detail)
    write(root, "/stellen/2.html", (FIXTURES / "html" / "truncated.html").read_text())
    write(root, "/stellen/3.html", detail.replace("Kfz-Zulassungsstelle", "Führerscheinstelle"))


def test_a_500_on_the_list_marks_the_list_failed(site):
    root, base, statuses = site
    html_site(root)
    statuses["/stellen/index.html"] = 500
    result = crawl(f"{base}/stellen/index.html", "html", HTML_OPTIONS)
    assert result["list_failed"] is True
    assert [reason for _, reason in result["fetch_errors"]] == ["HTTP 500"]


def test_robots_txt_denial_is_a_fetch_error(site):
    root, base, _ = site
    html_site(root)
    write(root, "/robots.txt", "User-agent: *\nDisallow: /stellen/\n")
    result = crawl(f"{base}/stellen/index.html", "html", HTML_OPTIONS)
    assert result["fetch_errors"] == [[f"{base}/stellen/index.html", "robots.txt verbietet den Abruf"]]
    assert result["list_failed"] is True and result["postings"] == []


@pytest.fixture
def mixed_crawl(site):
    """Four detail pages: two good, one truncated, one missing (404)."""
    root, base, _ = site
    html_site(root)
    return base, crawl(f"{base}/stellen/index.html", "html", HTML_OPTIONS)


def test_a_malformed_detail_page_does_not_stop_the_others(mixed_crawl):
    _, result = mixed_crawl
    assert sorted(p["title"] for p in result["postings"]) == [
        "Sachbearbeiter (m/w/d) Führerscheinstelle",
        "Sachbearbeiter (m/w/d) Kfz-Zulassungsstelle",
    ]


def test_failed_detail_pages_are_error_urls_not_a_failed_list(mixed_crawl):
    base, result = mixed_crawl
    assert set(result["error_urls"]) == {f"{base}/stellen/2.html", f"{base}/stellen/4.html"}
    assert result["list_failed"] is False


def test_bookkeeping_counts_pages_and_errors(mixed_crawl):
    base, result = mixed_crawl
    assert result["pages"] == 4  # the list and three detail pages; the 404 is a fetch error
    assert [url for url, _ in result["parse_errors"]] == [f"{base}/stellen/2.html"]
    assert result["fetch_errors"] == [[f"{base}/stellen/4.html", "HTTP 404"]]


def test_auto_finds_pdf_postings_from_the_home_page(site):
    root, base, _ = site
    write(root, "/index.html", '<a href="/karriere/stellen.html">Karriere</a>')
    write(root, "/karriere/stellen.html", '<a href="/karriere/kaemmerei.pdf">Sachbearbeiter (m/w/d)</a>')
    write(root, "/karriere/kaemmerei.pdf", make_pdf(LINES))
    result = crawl(f"{base}/", "auto")
    assert [p["reference"] for p in result["postings"]] == ["2026/KAE-03"]


def test_probe_command_prints_json_lines_and_a_german_summary(site):
    root, base, _ = site
    write(root, "/stellen/index.html", (FIXTURES / "structured" / "jsonld_graph.html").read_text())
    done = subprocess.run(
        [sys.executable, "-m", "crawler.probe", f"{base}/stellen/index.html", "--strategy", "structured"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    records = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(r["title"], r["source_url"], r["location"]["postal_code"]) for r in records] == [
        ("Erzieher (m/w/d) für die Kreiskita", f"{base}/stellen/index.html", "63739")
    ]
    assert "1 Stellenanzeige(n) gefunden" in done.stderr
    assert done.returncode == 0


def probe_cli(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "cli.main", "probe", *args]
    return subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)


def test_probe_command_takes_the_strategy_options(site):
    root, base, _ = site
    html_site(root)
    done = probe_cli(
        f"{base}/stellen/index.html", "--strategy", "html", "--options", json.dumps(HTML_OPTIONS)
    )
    assert done.returncode == 0, done.stderr  # two of the four pages are broken by design, the list is fine
    assert len(done.stdout.splitlines()) == 2 and "2 Stellenanzeige(n) gefunden" in done.stderr


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (None, "options.link_selector: fehlt"),
        ('{"link_selector": "a[[["}', "Selektor „a[[[“ ist ungültig"),
        ("{kein json", "--options: kein gültiges JSON-Objekt"),
    ],
)
def test_probe_command_refuses_bad_options_with_exit_2(site, options, message):
    _, base, _ = site
    args = [f"{base}/stellen/index.html", "--strategy", "html"] + (["--options", options] if options else [])
    done = probe_cli(*args)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_probe_decodes_windows_1252_without_charset_as_the_crawl_does(site):
    root, base, _ = site
    page = (
        (FIXTURES / "structured" / "jsonld_graph.html")
        .read_text()
        .replace("Erzieher", "Gärtner für Grünflächen")
    )
    write(root, "/stellen/index.html", page.replace('charset="utf-8"', "").encode("cp1252", "replace"))
    done = probe_cli(f"{base}/stellen/index.html", "--strategy", "structured")
    assert "Gärtner für Grünflächen" in json.loads(done.stdout.splitlines()[0])["title"]


def test_probe_exits_1_when_nothing_could_be_read_or_time_ran_out(site):
    root, base, _ = site
    write(root, "/pdf/index.html", '<a href="/pdf/1.pdf">Stelle 1</a><a href="/pdf/2.pdf">Stelle 2</a>')
    write(root, "/pdf/1.pdf", b"%PDF-1.4 kaputt")
    write(root, "/pdf/2.pdf", b"%PDF-1.4 auch kaputt")
    broken = probe_cli(f"{base}/pdf/index.html", "--strategy", "pdf")
    assert broken.returncode == 1 and "Lesefehler: 2" in broken.stderr
    slow = probe_cli(f"{base}/langsam", "--strategy", "structured", "--timeout", "2")
    assert slow.returncode == 1 and "die Zeit (--timeout) ist abgelaufen" in slow.stderr
