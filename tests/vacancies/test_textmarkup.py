"""The HR editor's text markup (issue 16, item 2): paragraphs and lists survive, nothing typed runs."""

from __future__ import annotations

import pytest

from vacancies.textmarkup import as_html, html_to_text, round_trips, same_text, text_to_html

CLERK = """Ihre Aufgaben:
- Haushaltsplanung
- Kassenprüfung

## Ihr Profil
1. Abschluss als VFA
2. **Teamgeist** im Team der Kämmerei

Wir freuen uns auf Sie.
Ihr Landratsamt"""


def test_the_clerks_lines_become_paragraphs_lists_and_headings():
    assert text_to_html(CLERK) == (
        "<p>Ihre Aufgaben:</p><ul><li>Haushaltsplanung</li><li>Kassenprüfung</li></ul>"
        "<h2>Ihr Profil</h2><ol><li>Abschluss als VFA</li><li><strong>Teamgeist</strong> im Team der "
        "Kämmerei</li></ol><p>Wir freuen uns auf Sie.<br>Ihr Landratsamt</p>"
    )


def test_the_text_comes_back_as_typed():
    html = text_to_html(CLERK)
    assert html_to_text(html) == CLERK and round_trips(html) and same_text(CLERK + "\r\n", html)


@pytest.mark.parametrize(
    ("typed", "html"),
    [
        ("• eins\n– zwei", "<ul><li>eins</li><li>zwei</li></ul>"),
        ("1) eins\n2) zwei", "<ol><li>eins</li><li>zwei</li></ol>"),
        ("- lang\n  weiter", "<ul><li>lang weiter</li></ul>"),
        ("3. Qualifikationsebene", "<p>3. Qualifikationsebene</p>"),  # a list would show it as "1."
        ("Mitarbeiter*innen und Kolleg*innen", "<p>Mitarbeiter*innen und Kolleg*innen</p>"),
        ("- A\nText", "<ul><li>A</li></ul><p>Text</p>"),
        ("Text\n\n\n\nmehr", "<p>Text</p><p>mehr</p>"),
        ("### klein", "<h3>klein</h3>"),
    ],
)
def test_markup_rules(typed, html):
    assert text_to_html(typed) == html


def test_addresses_become_links_and_typed_html_stays_text():
    html = text_to_html('Infos: https://lra.example/stellen. Mail: personal@lra.example <script>x</script>"')
    assert html == (
        '<p>Infos: <a href="https://lra.example/stellen" rel="noopener noreferrer nofollow">'
        "https://lra.example/stellen</a>. Mail: "
        '<a href="mailto:personal@lra.example" rel="noopener noreferrer nofollow">personal@lra.example</a>'
        ' &lt;script&gt;x&lt;/script&gt;"</p>'
    )


def test_a_javascript_address_is_no_link():
    assert "<a" not in text_to_html("javascript:alert(1)//https")


def test_html_descriptions_render_as_before_and_text_ones_get_their_form():
    crawled = "<h2>Aufgaben</h2><p>Kasse</p>\n<p>Prüfung</p>"
    assert as_html(crawled) == crawled
    assert as_html("Aufgaben:\n- A &amp; B") == "<p>Aufgaben:</p><ul><li>A &amp; B</li></ul>"


def test_html_the_markup_cannot_say_is_reported():
    assert not round_trips("<p>Text <em>kursiv</em></p>")
    assert not round_trips("<table><tr><td>E9a</td></tr></table>")
    assert round_trips("<p>Sie buchen <strong>Zahlungen</strong>.</p>\n<ul>\n  <li>Kasse</li>\n</ul>")
    assert (
        html_to_text('<p>Mehr <a href="https://x.example/a">hier</a></p>')
        == "Mehr hier (https://x.example/a)"
    )
    assert html_to_text("<ul><li><p>eins</p></li><li>zwei</li></ul>") == "- eins\n- zwei"
