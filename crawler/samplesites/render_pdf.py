"""PDF-only postings, and a tiny dependency-free PDF writer (Type1 Helvetica, WinAnsiEncoding).

The PDFs are real: text is extractable (pypdf, pdfminer, pdftotext), umlauts and "€" included, and
the bytes are deterministic (no creation date). Layout of every Ausschreibung:

    Landratsamt <Name> / Stellenausschreibung / <title> / <department> / Kennziffer: … /
    Entgeltgruppe 9c TVöD / Vollzeit, teilzeitfähig / befristet auf 2 Jahre / Beginn: … / Dienstort: … /
    <description> / Bewerbungsfrist: 15.01.2027 / Ansprechpartner: …
"""

from __future__ import annotations

import re
import textwrap
from html import escape, unescape

from .chrome import DEFAULT_ROBOTS, Context, Page, SiteRender, common_pages, html_page
from .content import (
    SitePosting,
    contact_text,
    date_de,
    location_text,
    pay_text,
    start_text,
    term_text,
    working_time_text,
)

LIST_PATH = "/karriere/stellenausschreibungen/"
WIDTH, HEIGHT, MARGIN = 595, 842, 56
STYLES = {"h1": ("F2", 14, 19, 70), "h2": ("F2", 11, 16, 90), "p": ("F1", 10, 13, 100)}


def render(ctx: Context) -> SiteRender:
    pages = common_pages(ctx, LIST_PATH, DEFAULT_ROBOTS)
    items, expected = [], []
    for p in ctx.postings:
        path = pdf_path(p)
        pdf = posting_pdf(ctx, p)
        pages[path] = Page(pdf, "application/pdf")
        size = max(1, round(len(pdf) / 1024))
        items.append(
            f'<li><a href="{path}">{escape(p.title)}</a> <span class="info">(PDF, {size} KB)</span></li>'
        )
        expected.append(ctx.expect(p, ctx.url(path)))
    body = (
        "<h1>Stellenausschreibungen</h1><p>Unsere aktuellen Ausschreibungen als PDF-Dokumente. "
        'Bitte beachten Sie auch unsere <a href="/karriere/">Hinweise zur Bewerbung</a>.</p>'
        f'<ul class="downloads">{"".join(items)}</ul>'
    )
    pages[LIST_PATH] = html_page(ctx, "Stellenausschreibungen", body)
    options = {} if ctx.spec.slug != "bamberg" else {"link_selector": "ul.downloads a"}
    return SiteRender(pages, expected, [LIST_PATH], options)


def pdf_path(p: SitePosting) -> str:
    return f"/fileadmin/user_upload/stellenausschreibungen/stellenausschreibung-{p.site_id}.pdf"


def posting_pdf(ctx: Context, p: SitePosting) -> bytes:
    v = p.v
    blocks: list[tuple[str, str]] = [
        ("h2", ctx.district.office),
        ("p", "Stellenausschreibung"),
        ("h1", v.title),
    ]
    facts = [
        v.department,
        f"Kennziffer: {v.reference}" if v.reference else None,
        pay_text(v),
        working_time_text(v),
        term_text(v),
        f"Beginn: {start_text(v)}",
        f"Dienstort: {location_text(v)}",
    ]
    blocks += [("p", fact) for fact in facts if fact]
    blocks.append(("p", ""))
    blocks += html_to_blocks(p.v.description)
    blocks.append(("p", ""))
    if v.deadline:
        blocks.append(("h2", f"Bewerbungsfrist: {date_de(v.deadline)}"))
    else:
        blocks.append(("h2", "Die Ausschreibung läuft bis zur Besetzung der Stelle."))
    blocks.append(("p", f"Ansprechpartner: {contact_text(v)}"))
    return pdf_document(blocks, title=v.title)


def html_to_blocks(html: str) -> list[tuple[str, str]]:
    text = re.sub(r"<h3>(.*?)</h3>", "\n\x01\\1\n", html)
    text = re.sub(r"<li>", "\n• ", text)
    text = re.sub(r"</p>|</ul>", "\n", text)
    text = unescape(re.sub(r"<[^>]+>", "", text))
    blocks = []
    for line in text.split("\n"):
        line = line.strip()
        if line:
            blocks.append(("h2", line[1:]) if line.startswith("\x01") else ("p", line))
    return blocks


def _pdf_string(text: str) -> str:
    out = []
    for byte in text.encode("cp1252", errors="replace"):
        char = chr(byte)
        if char in "\\()":
            out.append("\\" + char)
        elif 32 <= byte < 127:
            out.append(char)
        else:
            out.append(f"\\{byte:03o}")
    return "(" + "".join(out) + ")"


def _utf16_hex(text: str) -> str:
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def pdf_document(blocks: list[tuple[str, str]], title: str = "") -> bytes:
    """Lay out (style, text) blocks on A4 pages; returns the bytes of a valid PDF 1.4 file."""
    page_streams: list[list[str]] = [[]]
    y = HEIGHT - MARGIN
    for style, text in blocks:
        font, size, leading, width = STYLES[style]
        for line in textwrap.wrap(text, width) or [""]:
            if y - leading < MARGIN:
                page_streams.append([])
                y = HEIGHT - MARGIN
            y -= leading
            if line:
                page_streams[-1].append(f"BT /{font} {size} Tf {MARGIN} {y} Td {_pdf_string(line)} Tj ET")
    objects: list[str] = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "",  # Pages, filled below
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
        f"<< /Title {_utf16_hex(title)} /Producer (Stellenboerse sample sites) >>",
    ]
    kids = []
    for lines in page_streams:
        content = "\n".join(lines).encode("latin-1")
        objects.append(f"<< /Length {len(content)} >>\nstream\n{content.decode('latin-1')}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {WIDTH} {HEIGHT}] "
            f"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R /Info 5 0 R >>"
    out += f"trailer\n{trailer}\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
