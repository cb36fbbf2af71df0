"""The vacancy editor's fields: German labels and help, and the mapping between form and VacancyInput.

Form inputs are named by the field path ("location.postal_code"), so a validation error's path names the
input it belongs to. Only the fields listed here are read from a form (no mass assignment).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from starlette.datastructures import FormData

from vacancies import textmarkup
from vacancies.hr_postings import to_input_dict
from vacancies.model import Vacancy

POSTING_TYPES = [
    ("job", "Arbeitsstelle"),
    ("apprenticeship", "Ausbildung"),
    ("dual_study", "Duales Studium"),
    ("internship", "Praktikum"),
    ("trainee", "Anwärter/in (Beamtenausbildung)"),
]
WORKING_TIMES = [("full_time", "Vollzeit"), ("part_time", "Teilzeit")]
STATUSES = [("employee", "Tarifbeschäftigte"), ("civil_servant", "Beamtinnen und Beamte")]
PAY_SCALES = [("", "– keine Angabe –"), ("TVöD", "TVöD"),
              ("TVöD-SuE", "TVöD-SuE (Sozial- und Erziehungsdienst)"),
              ("TV-L", "TV-L"), ("BayBesG", "BayBesG (Besoldung)")]  # fmt: skip
CAREER_LEVELS = [("", "– keine Angabe –"), ("1", "1. Qualifikationsebene"), ("2", "2. Qualifikationsebene"),
                 ("3", "3. Qualifikationsebene"), ("4", "4. Qualifikationsebene")]  # fmt: skip
REMOTE = [("none", "Kein Homeoffice"), ("hybrid", "Teilweise Homeoffice"), ("remote", "Überwiegend mobil")]
LABELS = dict(POSTING_TYPES + WORKING_TIMES + STATUSES + REMOTE)
STATE_LABELS = {
    "draft": "Entwurf",
    "published": "Veröffentlicht",
    "expired": "Abgelaufen",
    "withdrawn": "Zurückgezogen",
}


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: str = "text"  # text | textarea | select | checkboxes | checkbox | number | date | url | email
    help: str = ""
    choices: list[tuple[str, str]] = field(default_factory=list)
    required: bool = False
    attrs: dict[str, str] = field(default_factory=dict)


SECTIONS: list[tuple[str, list[FormField]]] = [
    ("Die Stelle", [
        FormField("title", "Stellentitel", required=True, attrs={"maxlength": "300"},
                  help="So wie er veröffentlicht wird, z. B. „Sachbearbeiter (m/w/d) Kämmerei“."),
        FormField("department", "Organisationseinheit", help="Amt oder Sachgebiet, z. B. „Kreisjugendamt“."),
        FormField("employer", "Arbeitgeber", help="Leer lassen für „Landratsamt <Landkreis>“."),
        FormField("posting_type", "Art der Stelle", "select", choices=POSTING_TYPES),
        FormField("category", "Berufsfeld",
                  help="z. B. Verwaltung, Soziales & Jugend, Bauen & Technik, Schule & Bildung, Recht. "
                  "Leer: aus dem Titel abgeleitet."),
        FormField("description", "Beschreibung", "textarea",
                  help="Aufgaben, Profil, Angebot als Text. Eine Leerzeile beginnt einen neuen Absatz. "
                  "Zeilen, die mit „- “ beginnen, werden eine Aufzählung, mit „1. “, „2. “ … eine "
                  "nummerierte Liste; „## “ am Zeilenanfang macht eine Zwischenüberschrift, **so** wird "
                  "fett. Web- und E-Mail-Adressen werden Links. Die Vorschau zeigt die Stelle so, wie sie "
                  "erscheint."),
    ]),
    ("Arbeitszeit und Vertrag", [
        FormField("working_time", "Arbeitszeit", "checkboxes", choices=WORKING_TIMES,
                  help="Beides ankreuzen bei „Vollzeit, teilzeitfähig“."),
        FormField("weekly_hours", "Wochenstunden", "number", attrs={"step": "0.5", "min": "1", "max": "60"},
                  help="Nur bei Teilzeit nötig, z. B. 19,5."),
        FormField("fixed_term", "Befristet", "checkbox"),
        FormField("term_months", "Dauer der Befristung (Monate)", "number", attrs={"min": "1", "max": "120"}),
        FormField("status", "Beschäftigungsverhältnis", "checkboxes", choices=STATUSES),
        FormField("remote", "Homeoffice", "select", choices=REMOTE),
        FormField("start_date", "Beginn", "date", help="Leer lassen für „zum nächstmöglichen Zeitpunkt“."),
    ]),
    ("Bezahlung und Qualifikation", [
        FormField("pay_scale", "Tarif / Besoldung", "select", choices=PAY_SCALES),
        FormField("pay_grade_min", "Entgelt-/Besoldungsgruppe von", attrs={"maxlength": "40"},
                  help="z. B. E9a, EG 10, S 11b, A 9 – wird vereinheitlicht."),
        FormField("pay_grade_max", "bis", attrs={"maxlength": "40"},
                  help="Nur bei einer Spanne, z. B. A 9 bis A 11."),
        FormField("career_level", "Qualifikationsebene", "select", choices=CAREER_LEVELS,
                  help="Bayerisches Leistungslaufbahngesetz, 1. bis 4. Qualifikationsebene."),
        FormField("salary_min", "Gehalt von (€ brutto/Monat)", "number", attrs={"min": "100", "step": "1"},
                  help="Nur wenn die Stelle Beträge nennt; sonst zeigt die Seite die Tabellenspanne."),
        FormField("salary_max", "Gehalt bis (€ brutto/Monat)", "number", attrs={"min": "100", "step": "1"}),
    ]),
    ("Arbeitsort", [
        FormField("location.street", "Straße und Hausnummer"),
        FormField("location.postal_code", "Postleitzahl", attrs={"inputmode": "numeric", "maxlength": "5"},
                  help="Fünfstellig; daraus wird der Ort für die Umkreissuche bestimmt."),
        FormField("location.city", "Ort", help="Leer: aus der Postleitzahl."),
    ]),
    ("Bewerbung", [
        FormField("deadline", "Bewerbungsfrist", "date",
                  help="Nach diesem Tag verschwindet die Stelle automatisch aus der Suche."),
        FormField("reference", "Kennziffer"),
        FormField("apply_url", "Bewerbungsadresse (Web)", "url",
                  help="Link zum Online-Bewerbungsformular (https://…). Web-Adresse oder E-Mail ist nötig."),
        FormField("apply_email", "Bewerbungs-E-Mail", "email"),
        FormField("contact.name", "Ansprechperson"),
        FormField("contact.phone", "Telefon", attrs={"inputmode": "tel"}),
        FormField("contact.email", "E-Mail der Ansprechperson", "email"),
    ]),
]  # fmt: skip
ALL_FIELDS = [f for _, fields in SECTIONS for f in fields]
# Field name -> label, for the error summary ("Stellentitel: Pflichtangabe").
FIELD_LABELS = {f.name: f.label for f in ALL_FIELDS}
FIELD_LABELS |= {"attachment": "PDF-Anhang", "publish_at": "Veröffentlichung"}
ERROR_ALIASES = {"location": "location.postal_code", "contact": "contact.email"}


def form_to_data(form: FormData, stored_description: str | None = None) -> dict[str, Any]:
    """The submitted editor form as a VacancyInput-shaped dict (unknown inputs are ignored).

    The description field holds markup text (vacancies.textmarkup), never HTML: it is converted here.
    Left as the editor showed it, the stored description (`stored_description`) stays as it was, so
    HTML the markup cannot say (a table sent by an applicant-tracking system) survives other edits."""
    data: dict[str, Any] = {}
    for item in ALL_FIELDS:
        if item.kind == "checkboxes":
            value: Any = [str(v) for v in form.getlist(item.name)]
        elif item.kind == "checkbox":
            value = form.get(item.name) in ("on", "1", "true")
        else:
            raw = form.get(item.name)
            if not isinstance(raw, str) or not raw.strip():
                continue  # left empty: the default applies (a missing title is reported as such)
            value = raw
        _put(data, item.name, value)
    if "description" in data:
        data["description"] = _description_html(data["description"], stored_description)
    if not any((data.get("contact") or {}).values()):
        data["contact"] = None
    data["state"] = "draft"  # the portal changes the state only through its own buttons
    return data


def _description_html(typed: str, stored: str | None) -> str:
    if stored is not None and textmarkup.same_text(typed, stored):
        return stored
    return textmarkup.text_to_html(typed)


def description_note(vacancy: Vacancy | None) -> str:
    """Why editing the description text would lose formatting, or ''."""
    if vacancy is None or textmarkup.round_trips(vacancy.description):
        return ""
    return (
        "Diese Beschreibung enthält Formatierungen, die das Textfeld nicht darstellen kann (z. B. Tabellen "
        "oder Kursivschrift). Solange Sie den Text nicht ändern, bleibt sie, wie sie ist; ändern Sie ihn, "
        "wird sie aus dem Text neu gebildet, und diese Formatierungen entfallen."
    )


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    head, _, rest = path.partition(".")
    if rest:
        data.setdefault(head, {})[rest] = value
    else:
        data[head] = value


def flat_values(data: dict[str, Any]) -> dict[str, Any]:
    """Nested input dict → {"location.postal_code": "63897", ...} for the form."""
    flat: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, dict):
            for sub, inner in value.items():
                flat[f"{key}.{sub}"] = inner
        else:
            flat[key] = value
    return {k: ("" if v is None else v) for k, v in flat.items()}


def values_of(vacancy: Vacancy) -> dict[str, Any]:
    data = to_input_dict(vacancy)
    data["description"] = textmarkup.html_to_text(vacancy.description)
    data["contact"] = data.get("contact") or {}
    return flat_values(data)


def form_values(form: FormData) -> dict[str, Any]:
    """What the user typed, to show it again next to the errors."""
    values = flat_values({k: v for k, v in form_to_data(form).items() if k != "state"})
    for item in ALL_FIELDS:
        if item.kind not in ("checkboxes", "checkbox"):
            raw = form.get(item.name)
            values[item.name] = raw if isinstance(raw, str) else ""
    return values


def field_errors(errors: dict[str, str]) -> dict[str, str]:
    return {ERROR_ALIASES.get(k, k): v for k, v in errors.items()}
