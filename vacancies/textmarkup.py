"""The small text markup of the HR editor: what a clerk types becomes a small HTML subset, and back.

A clerk types plain text, not HTML. `text_to_html` keeps its form:

    Ihre Aufgaben:                    →  <p>Ihre Aufgaben:</p>
    - Haushaltsplanung                →  <ul><li>Haushaltsplanung</li>
    - Kassenprüfung                   →      <li>Kassenprüfung</li></ul>

    ## Ihr Profil                     →  <h2>Ihr Profil</h2>
    1. Abschluss als VFA              →  <ol><li>Abschluss als VFA</li>
    2. **Teamgeist**                  →      <li><strong>Teamgeist</strong></li></ol>

Step by step:
1. Lines are grouped into blocks. A blank line ends a block. A line starting with "- ", "* ", "• " or
   "– " is an item of a bulleted list; "1. " or "1) " starts a numbered list and "2. ", "3) " … continue
   it (a lone "3. Qualifikationsebene" stays text: the list would show it as "1."). An indented line
   continues the item above it. "## " (or "# ") starts a heading, "### " a smaller one. Other lines
   form a paragraph; a single line break inside it stays a line break.
2. Inside a block everything is escaped, then `**fett**` becomes <strong>, and web addresses
   (http/https) and e-mail addresses become links. Single asterisks are left alone: German gender forms
   ("Mitarbeiter*innen") use them.
3. The result goes through the allow-list sanitiser like every stored description (vacancies.html).

`html_to_text` turns a stored description back into this markup for the editor's text field. HTML that
the markup cannot say (tables, italics, links with their own text …) comes back as its text;
`round_trips` tells the editor so, and an unchanged text field keeps the stored HTML as it was.
Descriptions without a single tag (typed before the markup existed, or sent as text by an
applicant-tracking system) are markup text already: `as_html` renders them on the pages.
"""

from __future__ import annotations

import re
from html import escape, unescape
from html.parser import HTMLParser

from vacancies.html import sanitise_html

BULLET = re.compile(r"^[-*•–]\s+(.*)$")
NUMBERED = re.compile(r"^(\d{1,3})[.)]\s+(.*)$")
HEADING = re.compile(r"^(#{1,3})\s+(.*)$")
BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
LINK = re.compile(r"(https?://[^\s<>\"]+[^\s<>\".,;:!?)\]])|([\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,})")


# -- text → HTML ---------------------------------------------------------------------------------------------


def text_to_html(text: str) -> str:
    """The clerk's text as sanitised HTML (paragraphs, lists, headings, bold, links)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return sanitise_html("".join(_render(block) for block in _blocks(lines)))


def as_html(description: str) -> str:
    """A stored description as HTML: HTML stays as it is; text without any tag is markup text."""
    if "<" in description:
        return description
    return text_to_html(unescape(description))  # stored text is escaped ("&amp;"): the markup reads it raw


def _blocks(lines: list[str]) -> list[tuple[str, list[str]]]:
    """(kind, items): kind is p, ul, ol, h2 or h3; a paragraph's items are its lines."""
    blocks: list[tuple[str, list[str]]] = []
    for line in lines:
        kind, content = _line_kind(line, blocks[-1] if blocks else None)
        if kind == "blank":
            blocks.append(("blank", []))
        elif kind == "more":  # continues the last list item or paragraph line
            blocks[-1][1][-1] += ("\n" if blocks[-1][0] == "p" else " ") + content
        elif blocks and blocks[-1][0] == kind and kind in ("p", "ul", "ol"):
            blocks[-1][1].append(content)
        else:
            blocks.append((kind, [content]))
    return [block for block in blocks if block[0] != "blank"]


def _line_kind(line: str, last: tuple[str, list[str]] | None) -> tuple[str, str]:
    stripped = line.strip()
    if not stripped:
        return "blank", ""
    last_kind = last[0] if last else "blank"
    if match := BULLET.match(stripped):
        return "ul", match.group(1)
    if (match := NUMBERED.match(stripped)) and (match.group(1) == "1" or last_kind == "ol"):
        return "ol", match.group(2)
    if match := HEADING.match(stripped):
        return ("h3" if len(match.group(1)) == 3 else "h2"), match.group(2)
    if last_kind in ("ul", "ol") and line[:1].isspace():
        return "more", stripped
    if last_kind == "p":
        return "more", stripped
    return "p", stripped


def _render(block: tuple[str, list[str]]) -> str:
    kind, items = block
    if kind in ("ul", "ol"):
        return f"<{kind}>" + "".join(f"<li>{_inline(item)}</li>" for item in items) + f"</{kind}>"
    body = "<br>".join(_inline(line) for line in "\n".join(items).split("\n"))
    return f"<{kind}>{body}</{kind}>"


def _inline(text: str) -> str:
    """Escaped text with **bold** and links; bold first, so a link inside bold works too."""
    out, position = [], 0
    for match in BOLD.finditer(text):
        out.append(_links(text[position : match.start()]))
        out.append(f"<strong>{_links(match.group(1))}</strong>")
        position = match.end()
    out.append(_links(text[position:]))
    return "".join(out)


def _links(text: str) -> str:
    out, position = [], 0
    for match in LINK.finditer(text):
        out.append(escape(text[position : match.start()], quote=False))
        url, email = match.group(1), match.group(2)
        href = url or f"mailto:{email}"
        out.append(f'<a href="{escape(href)}">{escape(match.group(0), quote=False)}</a>')
        position = match.end()
    out.append(escape(text[position:], quote=False))
    return "".join(out)


# -- HTML → text ---------------------------------------------------------------------------------------------


def html_to_text(html: str) -> str:
    """A stored description as markup text for the editor's text field."""
    if "<" not in html:
        return unescape(html).strip()
    reader = _MarkupWriter()
    reader.feed(html)
    reader.close()
    return reader.text()


def round_trips(html: str) -> bool:
    """Whether the markup says all this HTML says (else editing the text loses some formatting)."""
    again = text_to_html(html_to_text(html))
    return _squeezed(again) == _squeezed(sanitise_html(as_html(html)))


def same_text(typed: str, stored_html: str) -> bool:
    """Whether the editor's text field still holds what it was given (line endings aside)."""
    return _lines(typed) == _lines(html_to_text(stored_html))


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.replace("\r\n", "\n").strip().split("\n")]


def _squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


class _MarkupWriter(HTMLParser):
    """Walks sanitised HTML and writes the markup: one block per paragraph, list or heading."""

    BLOCKS = {"p", "div", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr", "blockquote", "dl",
              "dt", "dd", "hr"}  # fmt: skip

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.lists: list[list[int]] = []  # per open list: [next number] (0 for bullets)
        self.link: tuple[str, int] | None = None  # href and where its text starts in `current`

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("ul", "ol"):
            self._end_block()
            self.lists.append([1 if tag == "ol" else 0])
        elif tag == "li":
            self._end_line()
            self.current.append(self._marker())
        elif tag in self.BLOCKS and not self.lists:  # a <p> inside an item stays in the item
            self._end_block()
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                self.current.append("### " if tag in ("h4", "h5", "h6", "h3") else "## ")
        elif tag == "br":
            self.current.append(" " if self.lists else "\n")  # an item is one line in the markup
        elif tag in ("strong", "b"):
            self.current.append("**")
        elif tag == "a":
            self.link = (dict(attrs).get("href") or "", len(self.current))
        elif tag in ("td", "th"):
            self.current.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol"):
            self._end_line()
            if self.lists:
                self.lists.pop()
            if not self.lists:
                self._end_block()
        elif tag in ("strong", "b"):
            self.current.append("**")
        elif tag == "a" and self.link:
            self._end_link()
        elif tag in self.BLOCKS and not self.lists:
            self._end_block()

    def handle_data(self, data: str) -> None:
        self.current.append(" ".join(data.split("\n")) if data.strip() else (" " if self.current else ""))

    def _marker(self) -> str:
        """Nested lists come back flat: the markup has one level (round_trips says so)."""
        if not self.lists or self.lists[-1][0] == 0:
            return "- "
        self.lists[-1][0] += 1
        return f"{self.lists[-1][0] - 1}. "

    def _end_link(self) -> None:
        href, start = self.link  # type: ignore[misc]
        self.link = None
        label = "".join(self.current[start:]).strip()
        target = href.removeprefix("mailto:")
        if target and target != label:  # the markup links addresses only: keep the address in the text
            self.current.append(f" ({target})")

    def _end_line(self) -> None:
        line = "".join(self.current).strip()
        self.current = []
        if line.strip():
            self.blocks.append(("\n" if self.blocks and self.lists else "\n\n") + _tidy(line))

    def _end_block(self) -> None:
        self._end_line()

    def text(self) -> str:
        self._end_block()
        return "".join(self.blocks).strip()


def _tidy(line: str) -> str:
    """Runs of blanks from the HTML's own layout collapse; the markup's line breaks stay."""
    return "\n".join(re.sub(r"[ \t]+", " ", part).strip() for part in line.split("\n")).replace("****", "")
