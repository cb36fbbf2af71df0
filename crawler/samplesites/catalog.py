"""Which member district gets which kind of sample site.

Each site runs on its own loopback address (127.0.0.2 … 127.0.0.34), so robots.txt and per-domain
politeness apply per district, exactly as on the real web; the e-recruiting vendor (interamt) that some
districts use has its own host, VENDOR_IP. `kind` says how the site is built (one of
the render_* modules); the crawler strategy of the districts.yaml entry follows from it.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass

from vacancies.sample_data import landkreise
from vacancies.settings import config_dir

# What a site does in state 2 (the "next night") besides the ordinary changes.
NORMAL, BROKEN, SUSPICIOUS = "normal", "broken", "suspicious"


@dataclass(frozen=True)
class SiteSpec:
    slug: str
    kind: str  # jsonld | microdata | html | pdf | rss | atom | interamt | auto | unseen | twin
    count: int  # postings published in state 1 (including hidden / malformed ones)
    variant: str = ""  # kind-specific flavour, see the render_* modules
    unsafe: bool = False  # some descriptions carry script/style/onclick/javascript: links
    duplicate_link: bool = False  # one posting is linked twice from the list
    hidden: tuple[int, ...] = ()  # positions published under /intern/ (disallowed by robots.txt)
    malformed: tuple[int, ...] = ()  # positions whose detail page is broken
    list_error: bool = False  # the vacancy list answers 500 in every state
    slow: bool = False  # every response is delayed (SampleSites.slow_delay)
    state2: str = NORMAL  # BROKEN: list answers 500 in state 2; SUSPICIOUS: list shows 1 posting
    notes: str = ""


STRATEGY = {
    "jsonld": "structured",
    "microdata": "structured",
    "html": "html",
    "pdf": "pdf",
    "rss": "feed",
    "atom": "feed",
    "interamt": "interamt",
    "auto": "auto",
    "unseen": "auto",  # shapes no strategy option describes: the home page and `auto` must do
    "twin": "structured",  # its own website; its interamt account is a second source
}

# fmt: off
SITES: tuple[SiteSpec, ...] = (
    SiteSpec("miltenberg", "jsonld", 16, "plain", unsafe=True, duplicate_link=True,
             notes="JSON-LD als einfaches Objekt; Beschreibungen mit Skripten; eine Stelle doppelt verlinkt"),
    SiteSpec("aschaffenburg", "jsonld", 14, "graph", notes="@graph, Organization + JobPosting; 2 Seiten"),
    SiteSpec("bad-toelz-wolfratshausen", "jsonld", 12, "array",
             notes="Array von Objekten; mehrere jobLocation; baseSalary"),
    SiteSpec("starnberg", "html", 26, "dl", unsafe=True, duplicate_link=True,
             notes="CMS-Liste mit 3 Seiten, Fakten als <dl>; Skripte in Beschreibungen; Doppel-Link"),
    SiteSpec("fuerstenfeldbruck", "pdf", 10, notes="nur PDF-Ausschreibungen"),
    SiteSpec("dachau", "microdata", 12, state2=SUSPICIOUS,
             notes="Microdata; in Zustand 2 zeigt die Liste nur 1 Stelle (verdächtiger Lauf)"),
    SiteSpec("ebersberg", "html", 22, "table", state2=BROKEN,
             notes="CMS-Liste mit 3 Seiten, Fakten als Tabelle; in Zustand 2 antwortet die Liste 500"),
    SiteSpec("erding", "rss", 14, "jsonld", unsafe=True, notes="RSS 2.0, Detailseiten mit JSON-LD"),
    SiteSpec("freising", "atom", 12, "html", notes="Atom, Detailseiten ohne strukturierte Daten"),
    SiteSpec("landsberg-am-lech", "interamt", 15, notes="interamt-Widget mit JSON-Schnittstelle"),
    SiteSpec("miesbach", "html", 10, "latin1",
             notes="windows-1252 ohne charset im Content-Type und ohne meta charset; keine robots.txt"),
    SiteSpec("rosenheim", "jsonld", 15, "plain", hidden=(3, 6, 9),
             notes="robots.txt sperrt /intern/, 3 verlinkte Stellen liegen dort"),
    SiteSpec("weilheim-schongau", "jsonld", 10, "plain", list_error=True,
             notes="Stellenliste antwortet immer 500"),
    SiteSpec("garmisch-partenkirchen", "jsonld", 5, "plain", slow=True, notes="jede Antwort verzögert"),
    SiteSpec("traunstein", "jsonld", 13, "plain", malformed=(4,),
             notes="eine Detailseite mit kaputtem HTML und ungültigem JSON-LD"),
    SiteSpec("berchtesgadener-land", "auto", 10, "jsonld",
             notes="Startseite → Karriere → Stellenangebote (zwei Klicks), JSON-LD"),
    SiteSpec("altoetting", "jsonld", 12, "nested",
             notes="hiringOrganization mit address; Links ohne Selektor, nur link_pattern"),
    SiteSpec("muehldorf-am-inn", "pdf", 8, notes="nur PDF-Ausschreibungen"),
    SiteSpec("neu-ulm", "jsonld", 8, "onepage",
             notes="alle JobPostings als @graph auf der Listenseite, keine Detailseiten"),
    SiteSpec("pfaffenhofen-an-der-ilm", "html", 21, "dl", notes="CMS-Liste mit 3 Seiten, <dl>"),
    SiteSpec("kelheim", "microdata", 10, notes="Microdata"),
    SiteSpec("regensburg", "rss", 12, "html", notes="RSS 2.0, Detailseiten ohne strukturierte Daten"),
    SiteSpec("passau", "interamt", 14, notes="interamt-Widget mit JSON-Schnittstelle"),
    SiteSpec("wuerzburg", "html", 23, "table", notes="CMS-Liste mit 3 Seiten, Tabelle"),
    SiteSpec("bamberg", "pdf", 9, notes="nur PDF-Ausschreibungen"),
    SiteSpec("lindau", "auto", 10, "microdata", notes="Startseite → Karriere → Stellenangebote, Microdata"),
    # Shapes of real district sites, each read from its home page with `auto` and no options
    # (render_unseen; issue 14): the new sites come after the first 26, whose addresses stay.
    SiteSpec("cham", "unseen", 12, "cms1252",
             notes="CMS-Tabelle in windows-1252 (nur meta http-equiv), Blättern nur über „weiter »“"),
    SiteSpec("deggendorf", "unseen", 9, "teaser",
             notes="Teaser-Karten mit „mehr“-Links, Detailseiten nur Fließtext"),
    SiteSpec("straubing-bogen", "unseen", 7, "pdfnews",
             notes="PDF-Ausschreibungen unter „Aktuelles“, Linktexte mit (PDF, 120 KB), [PDF], Download:"),
    SiteSpec("landshut", "unseen", 8, "vendor",
             notes="interamt-Widget (iframe) auf dem Anbieter-Host, JSON im echten Umschlag"),
    SiteSpec("forchheim", "unseen", 9, "jsonldtext",
             notes="JSON-LD ohne Vergütung, Entgeltgruppe nur im Text; Beschreibung doppelt escaped"),
    SiteSpec("ansbach", "unseen", 8, "sitemap",
             notes="Stellen nur über robots.txt → sitemap.xml erreichbar, kein Link von der Startseite"),
    SiteSpec("augsburg", "twin", 8,
             notes="eigene Website mit JSON-LD und interamt; eine Stelle in beiden Quellen (Zwilling)"),
)
# fmt: on

REGIONS = {
    "091": "Oberbayern",
    "092": "Niederbayern",
    "093": "Oberpfalz",
    "094": "Oberfranken",
    "095": "Mittelfranken",
    "096": "Unterfranken",
    "097": "Schwaben",
}


VENDOR_IP = "127.0.0.60"  # the e-recruiting vendor's host (interamt), shared by the districts using it


def ip_of(index: int) -> str:
    return f"127.0.0.{index + 2}"


@dataclass(frozen=True)
class DistrictInfo:
    slug: str
    key: str
    name: str
    lat: float
    lon: float

    @property
    def region(self) -> str:
        return REGIONS[self.key[:3]]

    @property
    def office(self) -> str:
        return f"Landratsamt {self.name}"


@functools.cache
def _coordinates() -> dict[str, tuple[float, float]]:
    with open(config_dir() / "geo" / "districts_bayern.csv", encoding="utf-8", newline="") as handle:
        return {
            row["district_key"]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(handle)
        }


def district_info(slug: str) -> DistrictInfo:
    district = landkreise()[slug]
    lat, lon = _coordinates()[district.key]
    return DistrictInfo(slug, district.key, district.name, lat, lon)


def profile(info: DistrictInfo) -> str:
    return (
        f"Der Landkreis {info.name} im Regierungsbezirk {info.region} ist Mitglied im Bayerischen "
        f"Innovationsring. Das {info.office} bietet sichere Arbeitsplätze in Verwaltung, Sozialem, "
        "Technik und Umwelt – nah an den Menschen der Region."
    )
