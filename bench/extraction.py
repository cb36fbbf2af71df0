"""Extraction benchmark: `strategy: auto`, no options, from each district's HOME PAGE, against labelled truth.

    python bench/extraction.py [--only sample|unseen] [--site SLUG] [--verbose] [--json]

Two corpora, served on loopback:
- sample: every sample site (crawler.samplesites, state 1); truth: `ExpectedPosting.fields` (title,
  deadline, reference, place, pay, working time, term, career level as each page states them).
- unseen: the held-out corpus tests/crawler/fixtures/unseen/ (five district sites in shapes the
  extractors were not written against, a vendor portal on a second loopback address); truth:
  its truth.json.

One real `stellenboerse crawl` (a subprocess, politeness off) of a districts.yaml that gives every site
one source with `strategy: auto`, its home page "/" as the only start URL and no options, into a fresh
SQLite store: the records compared are exactly what a crawl stores.

Matching, per district (all its sources): a stored record matches a truth posting by URL (canonicalised,
fragment kept) or, failing that, by title. Reported per site and overall: truth postings, found, missed,
false postings (records matching no truth posting: navigation pages taken as postings), duplicates (a
second record of a posting already matched), and per field right / stated over the postings found.
A district's second source on a vendor host (an interamt account its website does not link) stays as
configured. Targets (issue 14): ≥ 98 % of postings found, ≥ 95 % of fields right, 0 false postings.
Exit 0 whatever it measures (it is a measurement); 2 on usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import threading
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNSEEN_DIR = ROOT / "tests" / "crawler" / "fixtures" / "unseen"
TARGET_FOUND, TARGET_FIELDS, TARGET_FALSE = 98.0, 95.0, 0
# The day the crawl believes it is (STELLEN_TODAY, as tests pin it): the held-out corpus states fixed
# deadlines (January/February 2027), so on the real calendar its postings would expire one by one.
TODAY = date(2026, 12, 2)
FIELDS = ("title", "deadline", "reference", "postal_code", "city", "pay_scale", "pay_grade_max",
          "working_time", "fixed_term", "career_level")  # fmt: skip
UNSEEN_NET = "127.0.3"  # the sample sites use 127.0.0.2 …; these sites 127.0.3.1 …, the vendor last


# ------------------------------------------------------------------------------------ held-out corpus


class UnseenSites:
    """The held-out corpus on loopback: one threaded HTTP server per site (127.0.3.1 …) and one per vendor
    portal. A URL with a query is the file path@query; "{{vendor-…}}" (a vendor directory's name in
    braces) and "{{SITE}}" in a text file become that vendor's and the site's base URL."""

    def __init__(self, directory: Path = UNSEEN_DIR) -> None:
        self.directory = directory
        self.truth = json.loads((directory / "truth.json").read_text(encoding="utf-8"))
        self.slugs: list[str] = list(self.truth["sites"])
        self.bases: dict[str, str] = {}
        self._servers: list[ThreadingHTTPServer] = []

    def base_url(self, name: str) -> str:
        """The base URL of a site (its slug) or of a vendor (its directory, "vendor-interamt")."""
        return self.bases[name]

    def _placed(self, text: str, site: str) -> str:
        for vendor in self.truth["vendors"]:
            text = text.replace("{{" + vendor + "}}", self.bases[vendor])
        return text.replace("{{SITE}}", self.bases[site])

    def start(self) -> UnseenSites:
        names = [*self.slugs, *self.truth["vendors"]]
        for index, name in enumerate(names, start=1):
            server = ThreadingHTTPServer((f"{UNSEEN_NET}.{index}", 0), _handler(self, name))
            server.daemon_threads = True
            self._servers.append(server)
            host, port = server.server_address[:2]
            self.bases[name] = f"http://{host}:{port}"
        for server in self._servers:
            threading.Thread(target=server.serve_forever, name="unseen-sites", daemon=True).start()
        return self

    def stop(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()
        self._servers = []

    def __enter__(self) -> UnseenSites:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def file_for(self, name: str, path: str) -> Path | None:
        """The fixture file that answers `path` (with its query) on site `name`, or None."""
        path, _, query = path.partition("?")
        relative = path.lstrip("/")
        if not relative or relative.endswith("/"):
            relative += "index.html"
        if query:
            relative += "@" + query
        candidate = (self.directory / name / relative).resolve()
        if candidate.is_dir():  # /stellenangebote when /stellenangebote/214-… exist too (see build.py)
            candidate = candidate / "index.html"
        root = (self.directory / name).resolve()
        if root not in candidate.parents or not candidate.is_file():
            return None
        return candidate

    def response(self, name: str, path: str) -> tuple[int, str, bytes]:
        found = self.file_for(name, path)
        if found is None:
            return 404, "text/html; charset=utf-8", b"<html><body><h1>Nicht gefunden</h1></body></html>"
        body = found.read_bytes()
        kind = self._content_type(name, found.name, body)
        if not body.startswith(b"%PDF"):
            for marker in {*self.truth["vendors"], "SITE"}:
                value = self.bases[name if marker == "SITE" else marker]
                body = body.replace(b"{{" + marker.encode("ascii") + b"}}", value.encode("ascii"))
        return 200, kind, body

    def _content_type(self, name: str, filename: str, body: bytes) -> str:
        if body.startswith(b"%PDF"):
            return "application/pdf"
        if filename == "robots.txt":
            return "text/plain; charset=utf-8"
        if filename.endswith(".js"):
            return "text/javascript"
        if body.lstrip().startswith((b"{", b"[")):
            return "application/json; charset=utf-8"
        if body.startswith(b"<?xml"):
            return "application/xml"
        site = self.truth["sites"].get(name)
        return site["html_content_type"] if site else "text/html; charset=utf-8"

    def expected(self) -> dict[str, list[dict[str, Any]]]:
        """district slug -> truth postings with absolute URLs."""
        out = {}
        for slug, site in self.truth["sites"].items():
            postings = []
            for posting in site["postings"]:
                url = self._placed(posting["url"], slug)
                if url.startswith("/"):
                    url = self.bases[slug] + url
                postings.append({**posting, "url": url})
            out[slug] = postings
        return out

    def districts(self) -> list[dict[str, Any]]:
        return [
            {**site["district"], "member": True, "website": self.bases[slug] + "/",
             "sources": [home_source(unseen_source_key(slug), self.bases[slug])]}
            for slug, site in self.truth["sites"].items()
        ]  # fmt: skip


def _handler(sites: UnseenSites, name: str) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "Apache"
        sys_version = ""

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            self._answer(with_body=True)

        def do_HEAD(self) -> None:  # noqa: N802
            self._answer(with_body=False)

        def _answer(self, with_body: bool) -> None:
            status, kind, body = sites.response(name, self.path)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body:
                self.wfile.write(body)

        def log_message(self, *args: Any) -> None:  # quiet: the crawl's own log says what it fetched
            pass

    return Handler


# ------------------------------------------------------------------------------------ the crawl


def unseen_source_key(slug: str) -> str:
    """A held-out site's source key (the sample sites keep their own keys, "<slug>-web")."""
    return f"{slug}-unseen"


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def home_source(key: str, base: str) -> dict[str, Any]:
    """What an operator onboarding a district writes: its home page and `strategy: auto`, nothing else."""
    return {"key": key, "strategy": "auto", "start_urls": [base + "/"]}


def sample_districts(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The sample sites' districts.yaml entries, each district's own website read from its home page.

    A source on the district's own host becomes `strategy: auto` from the home page with no options; a
    second source on a vendor's host (a district's interamt account, which its website does not link)
    stays as configured: it is no site to onboard from a home page, and the twin it shares with the
    website is part of the truth."""
    districts = []
    for district in config["districts"]:
        website = _origin(district.get("website") or district["sources"][0]["start_urls"][0])
        sources = [
            home_source(source["key"], website) if _origin(source["start_urls"][0]) == website else source
            for source in district.get("sources", [])
        ]
        districts.append({**district, "sources": sources})
    return districts


def merge_districts(districts: list[dict[str, Any]], more: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Both corpora in one districts.yaml; a district in both could not be scored apart."""
    if clash := {d["slug"] for d in districts} & {d["slug"] for d in more}:
        raise SystemExit(f"held-out districts are sample sites too: {', '.join(sorted(clash))}")
    return districts + more


def run_crawl(districts: list[dict[str, Any]], workdir: Path, only_district: str | None) -> dict[str, Any]:
    """One `stellenboerse crawl` into a fresh SQLite store; the stored records and run rows per district."""
    import yaml

    from vacancies.store import make_engine, migrate

    config = workdir / "districts.yaml"
    text = yaml.safe_dump({"defaults": {"schedule": "30 2 * * *"}, "districts": districts},
                          allow_unicode=True, sort_keys=False)  # fmt: skip
    config.write_text(text, encoding="utf-8")
    database = workdir / "extraction.db"
    engine = make_engine(f"sqlite:///{database}")
    migrate(engine)
    engine.dispose()
    env = {**os.environ, "STELLEN_DATABASE_URL": f"sqlite:///{database}", "STELLEN_SEARCH_BACKEND": "sqlite",
           "STELLEN_DISTRICTS_FILE": str(config), "STELLEN_TODAY": TODAY.isoformat()}  # fmt: skip
    command = [sys.executable, "-m", "cli.main", "crawl", "--districts-file", str(config), "--impolite",
               "--http-cache", str(workdir / "cache")]  # fmt: skip
    if only_district:
        command += ["--district", only_district]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    records: dict[str, list[dict[str, Any]]] = {}
    runs: dict[str, list[dict[str, Any]]] = {}
    with sqlite3.connect(database) as conn:
        for district, data in conn.execute("SELECT district, data FROM vacancies WHERE origin = 'crawled'"):
            records.setdefault(district, []).append(json.loads(data))
        for district, source, status, flag, pages, found, dropped, reasons in conn.execute(
            "SELECT district, source, status, flag, pages, found, dropped, drop_reasons FROM crawl_runs "
            "ORDER BY id"
        ):
            runs.setdefault(district, []).append(
                {"source": source, "status": status, "flag": flag, "pages": pages, "found": found,
                 "dropped": dropped, "drop_reasons": json.loads(reasons or "{}")}
            )  # fmt: skip
    return {"records": records, "runs": runs, "exit": done.returncode, "stderr": done.stderr[-3000:]}


# ------------------------------------------------------------------------------------ scoring


def canonical_url(url: str) -> str:
    from w3lib.url import canonicalize_url

    return canonicalize_url(url, keep_fragments=True).rstrip("/")


def _text(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def record_value(record: dict[str, Any], name: str) -> Any:
    """A field of a stored record in the truth's form."""
    if name in ("postal_code", "city"):
        return (record.get("location") or {}).get(name)
    if name == "working_time":
        return sorted(record.get("working_time") or [])
    return record.get(name)


def same(name: str, expected: Any, got: Any) -> bool:
    if got is None:
        return False
    if name in ("title", "reference", "city"):
        return _text(expected) == _text(got)
    if name == "working_time":
        return sorted(expected) == sorted(got)
    return expected == got


@dataclass
class SiteScore:
    slug: str
    corpus: str
    truth: int = 0
    found: int = 0
    missed: list[dict[str, Any]] = field(default_factory=list)
    false: list[dict[str, Any]] = field(default_factory=list)
    duplicates: list[dict[str, Any]] = field(default_factory=list)
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    stated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FIELDS, 0))
    wrong: list[dict[str, Any]] = field(default_factory=list)
    run: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "site": self.slug, "corpus": self.corpus, "truth": self.truth, "found": self.found,
            "missed": len(self.missed), "false": len(self.false), "duplicates": len(self.duplicates),
            "found_pct": pct(self.found, self.truth),
            "fields_right": sum(self.right.values()), "fields_stated": sum(self.stated.values()),
            "fields_pct": pct(sum(self.right.values()), sum(self.stated.values())),
            "fields": {n: {"right": self.right[n], "stated": self.stated[n]} for n in FIELDS},
            "run_status": self.run.get("status"), "run_flag": self.run.get("flag"),
            "missed_postings": self.missed, "false_postings": self.false,
            "duplicate_postings": self.duplicates, "wrong_fields": self.wrong,
        }  # fmt: skip


def pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def score_site(
    slug: str, corpus: str, truth: list[dict[str, Any]], records: list[dict[str, Any]]
) -> SiteScore:
    score = SiteScore(slug, corpus, truth=len(truth))
    urls = [
        (canonical_url(url), i) for i, t in enumerate(truth) for url in [t["url"], *t.get("alt_urls", [])]
    ]
    counts = Counter(url for url, _ in urls)
    # A URL several postings share (one page, no anchors) names none of them: those match by title.
    by_url = {url: i for url, i in urls if counts[url] == 1}
    by_title: dict[str, list[int]] = {}
    for i, t in enumerate(truth):
        by_title.setdefault(_text(t["title"]), []).append(i)
    matched: dict[int, dict[str, Any]] = {}
    unmatched = []
    # URL matches first, for every record, so a title match cannot take a posting another record's URL names.
    for record in records:
        i = by_url.get(canonical_url(record.get("source_url") or ""))
        if i is not None and i not in matched:
            matched[i] = record
        elif i is not None:
            score.duplicates.append(_brief(record))
        else:
            unmatched.append(record)
    for record in unmatched:
        candidates = by_title.get(_text(record.get("title") or ""), [])
        free = [i for i in candidates if i not in matched]
        if free:
            matched[free[0]] = record
        elif candidates:
            score.duplicates.append(_brief(record))
        else:
            score.false.append(_brief(record))
    score.found = len(matched)
    for i, posting in enumerate(truth):
        record = matched.get(i)
        if record is None:
            score.missed.append({"title": posting["title"], "url": posting["url"]})
            continue
        for name in FIELDS:
            if name not in posting or posting[name] is None:
                continue
            score.stated[name] += 1
            got = record_value(record, name)
            if same(name, posting[name], got):
                score.right[name] += 1
            else:
                score.wrong.append({"title": posting["title"], "field": name, "expected": posting[name],
                                    "got": got})  # fmt: skip
    return score


def _brief(record: dict[str, Any]) -> dict[str, Any]:
    return {"title": record.get("title"), "url": record.get("source_url")}


def sample_truth(expected: Any, config: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """district slug -> truth postings of the sample sites: `ExpectedPosting.fields` where the sample
    sites state them (else the title, deadline and reference every ExpectedPosting has). A twin (one
    posting in two sources of a district, the crawl keeps either copy) is one posting with both URLs."""
    district_of = {s["key"]: d["slug"] for d in config["districts"] for s in d.get("sources", [])}
    out: dict[str, list[dict[str, Any]]] = {d["slug"]: [] for d in config["districts"]}
    for key, postings in expected.items():
        out[district_of[key]] += [truth_row(p) for p in postings]
    for first, second in getattr(expected, "twins", []):
        out[district_of[first.source]].append({**truth_row(first), "alt_urls": [second.url]})
    return out


def truth_row(p: Any) -> dict[str, Any]:
    facts = dict(getattr(p, "fields", None) or {})
    if not facts:
        facts = {"title": p.title, "deadline": p.deadline.isoformat() if p.deadline else None,
                 "reference": p.reference}  # fmt: skip
    return {**facts, "url": p.url, "title": facts.get("title", p.title)}


def combined_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """One district's crawl runs (one per source) as one: failed if any failed."""
    if not runs:
        return {}
    failed = [r for r in runs if r["status"] != "success"]
    reasons: dict[str, int] = {}
    for run in runs:
        for reason, count in run["drop_reasons"].items():
            reasons[reason] = reasons.get(reason, 0) + count
    return {"status": failed[0]["status"] if failed else "success",
            "flag": "; ".join(f"{r['source']}: {r['flag']}" for r in runs if r["flag"]) or None,
            "sources": [r["source"] for r in runs], "drop_reasons": reasons}  # fmt: skip


# ------------------------------------------------------------------------------------ report


def totals(scores: list[SiteScore]) -> dict[str, Any]:
    truth = sum(s.truth for s in scores)
    found = sum(s.found for s in scores)
    right = {n: sum(s.right[n] for s in scores) for n in FIELDS}
    stated = {n: sum(s.stated[n] for s in scores) for n in FIELDS}
    false = sum(len(s.false) for s in scores)
    found_pct, fields_pct = pct(found, truth), pct(sum(right.values()), sum(stated.values()))
    return {
        "sites": len(scores), "truth": truth, "found": found, "missed": truth - found, "false": false,
        "duplicates": sum(len(s.duplicates) for s in scores), "found_pct": found_pct,
        "fields_right": sum(right.values()), "fields_stated": sum(stated.values()), "fields_pct": fields_pct,
        "fields": {n: {"right": right[n], "stated": stated[n], "pct": pct(right[n], stated[n])}
                   for n in FIELDS},
        "targets": {"found_pct": TARGET_FOUND, "fields_pct": TARGET_FIELDS, "false": TARGET_FALSE},
        "meets_targets": bool(truth) and (found_pct or 0) >= TARGET_FOUND
        and (fields_pct or 0) >= TARGET_FIELDS and false <= TARGET_FALSE,
    }  # fmt: skip


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def table(scores: list[SiteScore]) -> str:
    header = (f"{'corpus':<7} {'site':<36} {'run':<8} {'truth':>5} {'found':>5} {'missed':>6} {'false':>5} "
              f"{'dup':>4} {'fields':>9} {'fields %':>8}")  # fmt: skip
    lines = [header, "-" * len(header)]
    for s in scores:
        right, stated = sum(s.right.values()), sum(s.stated.values())
        lines.append(
            f"{s.corpus:<7} {_label(s):<36} {_status(s.run):<8} {s.truth:5d} {s.found:5d} {len(s.missed):6d} "
            f"{len(s.false):5d} {len(s.duplicates):4d} {f'{right}/{stated}':>9} "
            f"{_cell(pct(right, stated)):>8}"
        )
    groups = sorted({s.corpus for s in scores})
    lines.append("-" * len(header))
    for name in [*groups, "all"] if len(groups) > 1 else ["all"]:
        t = totals([s for s in scores if name in ("all", s.corpus)])
        label = "overall" if name == "all" else f"{name} total"
        lines.append(
            f"{'':<7} {label:<36} {'':<8} {t['truth']:5d} {t['found']:5d} {t['missed']:6d} {t['false']:5d} "
            f"{t['duplicates']:4d} {str(t['fields_right']) + '/' + str(t['fields_stated']):>9} "
            f"{_cell(t['fields_pct']):>8}"
        )
    return "\n".join(lines)


def _label(score: SiteScore) -> str:
    """The district; "*" when it has a second source (its vendor account, as configured)."""
    return score.slug + ("*" if len(score.run.get("sources", [])) > 1 else "")


def _status(run: dict[str, Any]) -> str:
    return {"success": "ok", None: "–"}.get(run.get("status"), "FEHLER")


def field_table(scores: list[SiteScore]) -> str:
    groups = sorted({s.corpus for s in scores})
    names = [*groups, "all"] if len(groups) > 1 else ["all"]
    stats = {name: totals([s for s in scores if name in ("all", s.corpus)]) for name in names}
    header = f"{'field':<14}" + "".join(f" {name:>16}" for name in names)
    lines = [header, "-" * len(header)]
    for n in FIELDS:
        cells = []
        for name in names:
            f = stats[name]["fields"][n]
            cell = f"{f['right']}/{f['stated']} {_cell(f['pct'])}%"
            cells.append(f" {cell:>16}")
        lines.append(f"{n:<14}" + "".join(cells))
    return "\n".join(lines)


def targets_lines(scores: list[SiteScore]) -> list[str]:
    t = totals(scores)

    def verdict(ok: bool) -> str:
        return "OK" if ok else "MISS"

    return [
        f"postings found: {_cell(t['found_pct'])} % ({t['found']}/{t['truth']})   "
        f"target ≥ {TARGET_FOUND:.0f} % "
        f"{verdict((t['found_pct'] or 0) >= TARGET_FOUND)}",
        f"fields right:   {_cell(t['fields_pct'])} % ({t['fields_right']}/{t['fields_stated']}, of the "
        "postings "
        f"found)   target ≥ {TARGET_FIELDS:.0f} % {verdict((t['fields_pct'] or 0) >= TARGET_FIELDS)}",
        f"false postings: {t['false']}   target {TARGET_FALSE} {verdict(t['false'] <= TARGET_FALSE)}",
    ]  # fmt: skip


def details(scores: list[SiteScore]) -> list[str]:
    lines = []
    for s in scores:
        if not (s.missed or s.false or s.duplicates or s.wrong or _status(s.run) == "FEHLER"):
            continue
        lines.append(f"\n[{s.corpus}] {s.slug}: run {s.run.get('status')} {s.run.get('flag') or ''}".rstrip())
        if s.run.get("drop_reasons"):
            lines.append(f"  verworfen: {s.run['drop_reasons']}")
        lines += [f"  missed: {m['title']} – {m['url']}" for m in s.missed]
        lines += [f"  FALSE:  {f['title']} – {f['url']}" for f in s.false]
        lines += [f"  dup:    {d['title']} – {d['url']}" for d in s.duplicates]
        lines += [f"  wrong {w['field']}: {w['title'][:60]}: expected {w['expected']!r}, got {w['got']!r}"
                  for w in s.wrong]  # fmt: skip
    return lines


# ------------------------------------------------------------------------------------ main


def measure(only: str | None, site: str | None, workdir: Path) -> tuple[list[SiteScore], dict[str, Any]]:
    from crawler.samplesites.server import SampleSites

    corpora = [c for c in ("sample", "unseen") if only in (None, c)]
    with ExitStack() as stack:
        districts: list[dict[str, Any]] = []
        truth: dict[str, tuple[str, list[dict[str, Any]]]] = {}  # district slug -> (corpus, postings)
        if "sample" in corpora:
            sample = stack.enter_context(SampleSites(port=0, today=TODAY, slow_delay=0.05))
            config = sample.districts_config()
            districts += sample_districts(config)
            for slug, postings in sample_truth(sample.expected(1), config).items():
                truth[slug] = ("sample", postings)
        if "unseen" in corpora:
            unseen = stack.enter_context(UnseenSites())
            districts = merge_districts(districts, unseen.districts())
            for slug, postings in unseen.expected().items():
                truth[slug] = ("unseen", postings)
        crawl = run_crawl(districts, workdir, site)
    scores = []
    for slug, (corpus, postings) in truth.items():
        if site and slug != site:
            continue
        score = score_site(slug, corpus, postings, crawl["records"].get(slug, []))
        score.run = combined_run(crawl["runs"].get(slug, []))
        scores.append(score)
    return scores, crawl


def known_sites() -> dict[str, str]:
    from crawler.samplesites.catalog import SITES

    truth = json.loads((UNSEEN_DIR / "truth.json").read_text(encoding="utf-8"))
    return {**{s.slug: "sample" for s in SITES}, **dict.fromkeys(truth["sites"], "unseen")}


def main(argv: list[str] | None = None) -> int:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--only", choices=("sample", "unseen"), help="only this corpus")
    parser.add_argument("--site", help="only this site (its slug)")
    parser.add_argument("--verbose", action="store_true", help="list misses, false postings, wrong fields")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    args = parser.parse_args(argv)
    only = args.only
    if args.site:
        corpus = known_sites().get(args.site)
        if corpus is None:
            parser.error(f"unknown site: {args.site}")
        if only and only != corpus:
            parser.error(f"site {args.site} is not in the {only} corpus")
        only = corpus
    with tempfile.TemporaryDirectory() as tmp:
        scores, crawl = measure(only, args.site, Path(tmp))
    if args.json:
        groups = {c: totals([s for s in scores if s.corpus == c]) for c in sorted({s.corpus for s in scores})}
        doc = {"overall": totals(scores), "corpora": groups, "sites": [s.as_dict() for s in scores],
               "crawl_exit": crawl["exit"]}  # fmt: skip
        print(json.dumps(doc, ensure_ascii=False, indent=1))
        return 0
    print(table(scores))
    print()
    print(field_table(scores))
    print()
    print("\n".join(targets_lines(scores)))
    print("\nfound: a stored record matches the posting by URL or title; false: a record matching no posting")
    print(
        "(a navigation page taken as a posting); dup: a second record of a posting; fields: right / stated,"
    )
    print("of the postings found; run: the district's crawl runs (FEHLER: one failed or was suspicious);")
    print(
        "*: the district's vendor account is a second source, as configured (its website does not link it)."
    )
    if args.verbose:
        print("\n".join(details(scores)))
    if not scores or crawl["exit"] == 2:
        print(f"\nthe crawl could not run (exit {crawl['exit']}):\n{crawl['stderr']}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
