"""All sample sites in one state: pages, ground truth and districts.yaml entries (pure, no server)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from . import render_feed, render_html, render_interamt, render_pdf, render_structured, render_unseen
from .catalog import BROKEN, SITES, STRATEGY, SUSPICIOUS, SiteSpec, district_info, ip_of, profile
from .chrome import Context, ExpectedPosting, SiteRender, error_page
from .content import site_postings

RENDERERS = {
    "jsonld": render_structured.render,
    "microdata": render_structured.render,
    "auto": render_structured.render,
    "html": render_html.render,
    "pdf": render_pdf.render,
    "rss": render_feed.render,
    "atom": render_feed.render,
    "interamt": render_interamt.render,
    "unseen": render_unseen.render,
    "twin": render_unseen.render_twin,
}

DEFAULTS = {"schedule": "30 2 * * *", "jitter_minutes": 30}


def base_url(index: int, port: int) -> str:
    return f"http://{ip_of(index)}:{port}"


def render_site(spec: SiteSpec, index: int, seed: int, today: date, state: int, port: int) -> SiteRender:
    postings = site_postings(spec, seed, today, state)
    suspicious = state == 2 and spec.state2 == SUSPICIOUS
    if suspicious:
        postings = postings[:1]
    ctx = Context(spec, district_info(spec.slug), base_url(index, port), postings, state, today)
    site = RENDERERS[spec.kind](ctx)
    site.strategy = STRATEGY[spec.kind]
    if spec.list_error or (state == 2 and spec.state2 == BROKEN):
        for path in site.start_paths:
            site.pages[path] = error_page(ctx, 500)
        site.expected, site.failing = [], "error"
    elif suspicious:
        site.failing = "suspicious"
    return site


def render_all(seed: int, today: date, state: int, port: int, scale: int = 1) -> dict[str, SiteRender]:
    """slug -> SiteRender; the same arguments give byte-identical pages.

    `scale` multiplies every site's number of postings (for benchmarks); the first postings of a
    scaled site are those of the unscaled one, so scale 1 is the sample set as tested.
    """
    specs = [replace(spec, count=spec.count * scale) for spec in SITES] if scale != 1 else SITES
    return {spec.slug: render_site(spec, i, seed, today, state, port) for i, spec in enumerate(specs)}


class Expected(dict[str, list[ExpectedPosting]]):
    """source key -> postings a correct crawler finds; `.failing`: source key -> "error" | "suspicious".

    `.twins`: postings one district publishes through two of its sources, as (copy of the one source,
    copy of the other); the crawl stores one copy and drops the other as a twin. Which one it keeps
    depends on which source is stored first, so neither copy is in the lists above.
    """

    failing: dict[str, str]
    twins: list[tuple[ExpectedPosting, ExpectedPosting]]


def expected_of(sites: dict[str, SiteRender]) -> Expected:
    out = Expected()
    out.failing, out.twins = {}, []
    for slug, site in sites.items():
        out[f"{slug}-web"] = list(site.expected)
        if site.failing:
            out.failing[f"{slug}-web"] = site.failing
        for extra in site.extra_sources:
            out[extra.key] = list(extra.expected)
        out.twins += site.twins
    return out


def districts_config(sites: dict[str, SiteRender], port: int) -> dict:
    """The districts.yaml content for the sample sites (validates with DistrictsConfig)."""
    districts = []
    for index, spec in enumerate(SITES):
        info = district_info(spec.slug)
        site = sites[spec.slug]
        base = base_url(index, port)
        districts.append(
            {
                "slug": info.slug,
                "key": info.key,
                "name": info.name,
                "lat": info.lat,
                "lon": info.lon,
                "member": True,
                "website": base + "/",
                "profile": profile(info),
                "sources": [
                    {
                        "key": f"{spec.slug}-web",
                        "strategy": site.strategy,
                        "start_urls": [base + path for path in site.start_paths],
                        "allowed_domains": [ip_of(index)],
                        "options": site.options,
                    }
                ]
                + [
                    {
                        "key": extra.key,
                        "strategy": extra.strategy,
                        "start_urls": list(extra.start_urls),
                        "allowed_domains": list(extra.allowed_domains),
                        "options": dict(extra.options),
                    }
                    for extra in site.extra_sources
                ],
            }
        )
    return {"defaults": dict(DEFAULTS), "districts": districts}
