"""Berufsfeld (category) of a posting from its title, department, employer and text (issue 15).

The taxonomy fits Landratsämter and other public employers. Each category maps to its Berufsbereich
(1-digit level) of the Bundesagentur für Arbeit's Klassifikation der Berufe 2010 (KldB 2010), so that
exports and other portals can use it (`KLDB_BERUFSBEREICH`).

Matching works on words, never on arbitrary substrings ("hauptamtlicher Gerätewart" is no "Hauptamt",
"Beamtin auf Probe" no Verwaltung when the title names a Staatsanwältin). A keyword is written either

* ``"Stem*"``  – matches where a word starts, with any continuation ("Sozialpädagog*" → "Sozialpädagogin"),
* ``"Wort!"``  – matches as a whole word only, with an inflection ending ("Rektor!" is no "Direktor"),
* ``"Wort"``   – matches as a whole word or as the head (last part) of a German compound, followed only by
  an inflection ending ("Jugendamt" → "Kreisjugendamt", "Lehrkraft" → "Vertretungslehrkraft",
  "Konrektor" → "Konrektorin"). Umlaut plurals are listed on their own ("Lehrkräfte").

Umlauts are folded before matching, so "Kaemmerei" equals "Kämmerei".
When several keywords match, the one that starts first wins, then the longest keyword.

Decisions worth knowing:
* "Entwässerung" (Kanal, Stadtentwässerung) is Bauen & Technik: Landratsämter post it as Tiefbau work;
  Gewässer and Wasserwirtschaft stay Umwelt.
* Trainee posts (Ausbildung, duales Studium, Praktikum, Anwärter) are "Ausbildung & Studium" whatever the
  occupation, so school leavers find them in one place.
* "Verwaltung" is generic: it only counts when no more specific field matched in the same text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from vacancies.model import PostingType

__all__ = ["CATEGORIES", "CATEGORY_KEYWORDS", "KLDB_BERUFSBEREICH", "category_for"]

CATEGORIES: tuple[str, ...] = (
    "Verwaltung",
    "Bauen & Technik",
    "IT & Digitalisierung",
    "Soziales & Jugend",
    "Gesundheit & Veterinärwesen",
    "Schule & Bildung",
    "Kita & Erziehung",
    "Umwelt, Natur & Landwirtschaft",
    "Sicherheit, Ordnung & Feuerwehr",
    "Finanzen & Steuern",
    "Recht",
    "Straßen & Verkehr",
    "Handwerk & Betrieb",
    "Ausbildung & Studium",
    "Sonstiges",
)

_KLDB_NAMES = {
    "1": "Land-, Forst- und Tierwirtschaft und Gartenbau",
    "2": "Rohstoffgewinnung, Produktion und Fertigung",
    "3": "Bau, Architektur, Vermessung und Gebäudetechnik",
    "4": "Naturwissenschaft, Geografie und Informatik",
    "5": "Verkehr, Logistik, Schutz und Sicherheit",
    "7": "Unternehmensorganisation, Buchhaltung, Recht und Verwaltung",
    "8": "Gesundheit, Soziales, Lehre und Erziehung",
}

# Category → (KldB 2010 Berufsbereich code, official name). "Sonstiges" has no Berufsbereich.
# Where a category spans two Bereiche the one most of its posts belong to is named:
# Umwelt, Natur & Landwirtschaft → 1 (Umweltschutz-Ingenieure alone would be 4, Hauptgruppe 42);
# Straßen & Verkehr → 5 (Straßenbau-Ingenieure and Straßenwärter alone would be 3, Hauptgruppe 32);
# Handwerk & Betrieb → 2 (Tischler, Elektro, Kfz; Hausmeister alone would be 3, Hauptgruppe 34);
# Ausbildung & Studium → 7 (most public trainee posts are Verwaltung: Verwaltungsfachangestellte, QE 2/3).
KLDB_BERUFSBEREICH: dict[str, tuple[str, str]] = {
    category: (code, _KLDB_NAMES[code])
    for category, code in {
        "Verwaltung": "7",
        "Bauen & Technik": "3",
        "IT & Digitalisierung": "4",
        "Soziales & Jugend": "8",
        "Gesundheit & Veterinärwesen": "8",
        "Schule & Bildung": "8",
        "Kita & Erziehung": "8",
        "Umwelt, Natur & Landwirtschaft": "1",
        "Sicherheit, Ordnung & Feuerwehr": "5",
        "Finanzen & Steuern": "7",
        "Recht": "7",
        "Straßen & Verkehr": "5",
        "Handwerk & Betrieb": "2",
        "Ausbildung & Studium": "7",
    }.items()
}

CATEGORY_KEYWORDS: dict[str, tuple[str, ...]] = {
    "Soziales & Jugend": (
        "Sozialpädagog*", "Sozialarbeit*", "Soziale Arbeit", "sozialen Dienst*", "sozialer Dienst", "ASD",
        "Sozialamt", "Sozialhilfe", "Sozialverwaltung", "Schulsozialarbeit*", "Jugendamt", "Jugendhilfe",
        "Jugendarbeit", "Jugendpfleg*", "Jugendsozial*", "Kinderschutz", "Pflegekinder*", "Adoption*",
        "Vormund*", "Betreuungsstelle", "Betreuungsbehörde", "Eingliederungshilfe", "Wohngeld*",
        "Teilhabe*", "Senioren*", "Inklusion*", "Integration*", "Asyl*", "Jobcenter", "Elterngeld*",
        "Unterhaltsvorschuss*", "Grundsicherung", "Vormund", "Vormundin", "Heilpädagog*", "Heilerziehung*",
        "Streetwork*",
        "Familienhilfe", "Familienberat*", "Familienbildung*", "Familienstützpunkt*", "Pflegefamilie",
        "Jugend*", "Soziales", "Sozialwesen", "Sozialplan*", "Sozialraum*", "Sozialberat*", "Sozialdienst*",
        "Heilerzieh*",
        "Pflegestützpunkt", "Schuldnerberatung",
        "Erziehungsberatung*", "Migration*", "Ehrenamt*", "Quartiersmanag*",
    ),
    "Kita & Erziehung": (
        "Erzieher", "Erzieherin", "Erzieherinnen", "Kita", "Kitas", "Kindertages*", "Kindergarten*",
        "Kindergärten", "Krippe", "Kinderkrippe", "Hort", "Kinderhort", "Kinderpfleger*", "Kinderbetreuung",
        "Kindertagespflege", "Kitaleitung", "Kita-Leitung", "Fachberatung Kita*", "Pädagogische Fachkraft",
        "Pädagogische Fachkräfte", "Tagespflege*",
    ),
    "Schule & Bildung": (
        "Lehrer", "Lehrerin", "Lehrerinnen", "Lehrkraft", "Lehrkräfte", "Rektor!", "Konrektor!",
        "Schulleiter", "Schulleitung", "Studienrat", "Studienrätin", "Oberstudienrat", "Oberstudienrätin",
        "Studiendirektor", "Fachlehrer", "Förderlehrer", "Dozent", "Dozentin", "Dozenten", "Professur",
        "Professor", "Professorin", "Hochschullehrer", "Wissenschaftliche Mitarbeit*", "Lektor!",
        "Bildungsbüro", "Bildungskoordinat*", "Bildungsregion", "Bildungsberat*", "Volkshochschule",
        "VHS", "Musikschule", "Bibliothek", "Bücherei", "Schulbegleit*", "Schulassist*",
        "Schulpsycholog*", "Schulsekretär*", "Schule", "Schulen", "Gymnasium", "Realschule", "Mittelschule",
        "Grundschule", "Förderschule", "Berufsschule", "Fachoberschule", "Hochschule", "Universität",
        "Schulverwaltung", "Schulamt", "Unterricht*",
    ),
    "Bauen & Technik": (
        "Bauingenieur*", "Ingenieur", "Architekt*", "Hochbau", "Tiefbau", "Bautechni*", "Bauleit*",
        "Bauamt", "Bauaufsicht*", "Bauverwaltung", "Baukontroll*", "Bauantr*", "Baugenehmig*", "Bauwesen",
        "Techniker", "Technikerin", "Vermessung*", "Stadtplan*", "Bauleitplan*", "Kreisbaumeister*",
        "Denkmal*", "Gebäudemanagement", "Elektrotechnik*", "Versorgungstechnik*", "Entwässerung",
        "Kanal*", "Siedlungswasserwirtschaft", "Bauordnung*", "Baurecht*",
        "Bauüberwach*", "Bauunterhalt*", "Bautechnik", "Bauen",
        "Baureferendar", "Planer", "Planerin", "Regionalplan*", "Energiemanag*",
        "Liegenschaft*", "Facility*", "Technisch*", "Geodät*", "Baukoordinat*",
    ),
    "IT & Digitalisierung": (
        "IT", "IKT", "EDV", "Informatik*", "Informatiker", "Informatikerin", "Administrator",
        "Administratorin", "Netzwerk*", "Software*", "Digitalisierung*", "Digital*", "E-Government",
        "eGovernment", "Datenbank*", "Informationssicherheit*", "Informationstechnik*", "Anwendungsbetreu*",
        "Programmier*", "OZG", "GIS", "Geoinformation*", "Fachverfahren", "Systemadministrat*",
        "Systembetreu*", "Netzwerkadministrat*", "Webentwickl*", "Entwickler", "Entwicklerin",
        "Applikationsbetreu*", "Anwenderbetreu*", "Client*", "Rechenzentrum", "Cyber*",
    ),
    "Gesundheit & Veterinärwesen": (
        "Gesundheit*", "Arzt", "Facharzt", "Fachärztin", "Ärztin", "Ärzte", "Ärztinnen", "Amtsarzt",
        "Amtsärztin", "Medizin*",
        "Pflegefach*", "Pflegekraft", "Pflegekräfte", "Altenpfleg*", "Krankenpfleg*", "Pflegedienst*",
        "Hygiene*", "Hebamme", "Psychiat*", "Psychotherapeut*", "Psycholog*", "Veterinär*", "Tierarzt",
        "Tierärztin", "Amtstierarzt", "Amtstierärztin", "Lebensmittelkontroll*", "Lebensmittelüberwach*",
        "Lebensmittelchemiker*", "Rettungsdienst*", "Notfallsanitäter*", "Sanitäter", "Infektionsschutz",
        "Tierschutz", "Tiergesundheit", "Fleischkontroll*", "Fleischhygiene*", "Zahnarzt", "Zahnärztin",
        "Sozialmedizin*", "Epidemiolog*", "Gesundheitsamt", "Veterinäramt", "Klinik*",
        "Krankenhaus", "Apotheke*", "Physiotherapeut*", "Ergotherapeut*", "Logopäd*",
    ),
    "Umwelt, Natur & Landwirtschaft": (
        "Naturschutz*", "Umwelt*", "Abfall*", "Immissionsschutz*", "Klimaschutz*", "Klimamanag*", "Klima*",
        "Energieberat*", "Landschaft*", "Forst*", "Förster", "Försterin", "Gewässer*", "Wasserwirtschaft",
        "Wasserrecht", "Bodenschutz*", "Artenschutz*", "Biodiversität*", "Landwirtschaft*", "Wertstoff*",
        "Kreislaufwirtschaft", "Ranger", "Rangerin", "Gebietsbetreu*", "Deponie*", "Landwirt", "Landwirtin",
        "Agrar*", "Tierhaltung", "Pflanzenbau", "Pflanzenschutz", "Gartenbau*", "Fischerei*", "Jagd*",
        "Ökolog*", "Altlasten*", "Wasserschutz*", "Hochwasserschutz", "Biolog*", "Geolog*", "Geograf*",
        "Nachhaltigkeit*", "Landesanstalt für Landwirtschaft", "Ernährung*",
    ),
    "Sicherheit, Ordnung & Feuerwehr": (
        "Ordnungsamt", "öffentliche Sicherheit", "Öffentliche Sicherheit und Ordnung",
        "Sicherheit und Ordnung",
        "Ordnungsrecht*", "Ausländerbehörde", "Ausländerwesen", "Ausländeramt", "Waffenrecht*",
        "Waffenbehörde", "Gewerbeamt", "Gewerbeaufsicht*", "Gewerbe", "Gewerbewesen", "Brandschutz*",
        "Katastrophenschutz*", "Bevölkerungsschutz*", "Zivilschutz*", "Feuerwehr*", "Kreisbrandrat",
        "Kreisbrandmeister*", "Gerätewart", "Gerätewartin", "Atemschutz*", "Krisenmanag*", "Leitstelle",
        "Integrierte Leitstelle", "Einsatzleit*", "Polizei*", "Polizist", "Polizistin", "Justizvollzug*",
        "Sicherheitsdienst*", "Staatsangehörigkeit*", "Einbürgerung*", "Standesamt*", "Standesbeamt*",
        "Bußgeld*",
        "Gefahrenabwehr", "Veranstaltungssicherheit", "Vollzugsdienst*", "Kommunaler Ordnungsdienst*",
        "Ordnungsdienst*",
    ),
    "Finanzen & Steuern": (
        "Kämmerei", "Kämmerer", "Kämmerin", "Kreiskämmerei", "Kasse", "Kreiskasse", "Stadtkasse",
        "Buchhalt*", "Steuer", "Steuern", "Steuerfach*", "Steuerberat*", "Steuerverwalt*", "Steuerrecht*",
        "Steuerbeamt*", "Steuersekretär*", "Steuerinspektor*", "Steueramt*", "Finanz*", "Haushalt",
        "Haushalts*", "Controlling",
        "Controller", "Controllerin", "Rechnungsprüf*", "Rechnungswesen", "Vollstreckung*", "Bilanz*",
        "Doppik", "Anlagenbuchhalt*", "Zahlstelle", "Finanzbuchhalt*", "Kassenverwalt*", "Forderungsmanag*",
        "Beitragswesen", "Gebühren*", "Abgaben*", "Grundsteuer", "Gewerbesteuer", "Kommunale Finanzen",
        "Finanzamt", "Finanzämter", "Fördermittel*", "Zuschusswesen",
    ),
    "Recht": (
        "Jurist", "Juristin", "Juristen", "Volljurist", "Volljuristin", "Rechtsamt", "Rechtsabteil*",
        "Justiziar", "Justiziarin", "Justitiar", "Justitiarin", "Rechtsreferendar*", "Staatsanwalt",
        "Staatsanwältin", "Staatsanwälte", "Staatsanwaltschaft", "Richter", "Richterin", "Rechtspfleger*",
        "Rechtsanwalt", "Rechtsanwältin", "Anwalt", "Anwältin", "Notar*", "Rechtsangelegenheit*",
        "Rechtsreferent*", "Befähigung zum Richteramt",
        "Widerspruchsstelle", "Justiz*", "Gericht", "Amtsgericht", "Landgericht", "Verwaltungsgericht",
        "Rechtswissenschaft*", "Rechtsberat*", "Rechtsstelle", "Datenschutz*",
    ),
    "Straßen & Verkehr": (
        "Straßenbau*", "Straßenwärter*", "Straßenmeister*", "Straßenunterhalt*", "Kreisstraße*",
        "Straßenbetrieb*", "Straßen*", "Brückenbau*", "Brückenprüf*", "Verkehr", "Verkehrs*",
        "ÖPNV", "Nahverkehr*", "Zulassungsstelle", "Kfz-Zulassung*", "Kfz Zulassung*", "Zulassung*",
        "Führerschein*", "Fahrerlaubnis*", "Mobilität*", "Radverkehr*", "Verkehrsbehörde",
        "Verkehrsüberwachung", "Verkehrsplan*", "Schülerbeförderung", "Winterdienst", "Straßenverkehr*",
        "Fuhrpark*", "Busfahrer*", "Omnibusfahrer*", "Radwege*",
    ),
    "Handwerk & Betrieb": (
        "Hausmeister*", "Bauhof", "Bauhof*", "Kfz", "Kfz-Mechatroniker*", "Mechatroni*", "Mechaniker",
        "Mechanikerin",
        "Elektriker", "Elektrikerin", "Elektroniker*", "Elektromeister*", "Elektrofachkraft",
        "Elektroinstallateur*", "Schreiner*", "Tischler*", "Zimmerer", "Maurer", "Maler", "Malerin",
        "Gärtner", "Gärtnerin", "Landschaftsgärtner*", "Reinigung*", "Reinigungskraft", "Reinigungskräfte",
        "Hauswirtschaft*", "Koch", "Köchin", "Küche", "Küchenhilfe", "Fahrer", "Fahrerin", "Kraftfahrer*",
        "Handwerk*", "Handwerker", "Haustechnik*", "Betriebshof", "Werkstatt*", "Maschinist*", "Schlosser*",
        "Installateur*", "Anlagenmechaniker*", "Lagerist*", "Lagerlogistik", "Hausdienst*", "Pförtner*",
        "Klärwerk*", "Kläranlage*", "Abwassertechnik", "Fachkraft für Abwassertechnik", "Wasserversorgung*",
        "Schulhausmeister*", "Hausmeisterin", "Metallbauer*", "Schweißer*", "Baumpfleg*", "Friedhof*",
        "Gebäudereinig*", "Heizung*", "Sanitär*", "Vorarbeiter*", "Facharbeiter*",
    ),
    "Verwaltung": (
        "Verwaltung", "Verwaltungs*", "Sachbearbeit*", "Verwaltungsfachangestellt*", "Verwaltungswirt*",
        "Verwaltungsangestellt*", "Sekretär*", "Sekretariat*", "Assistenz", "Assistent", "Assistentin",
        "Büro", "Büro*", "Registratur*", "Poststelle", "Bürgerbüro", "Personal", "Personal*", "Organisation",
        "Hauptamt", "Zentrale Dienste", "Beamt*", "Inspektor", "Inspektorin", "Sachgebiet*", "Kanzlei",
        "Vorzimmer", "Empfang", "Bürgerservice", "Sachbearbeitung", "Referent", "Referentin",
        "Fachangestellte", "Fachangestellter", "Verwaltungsfachwirt*", "Bürokaufmann", "Bürokauffrau",
        "Kaufmann für Büromanagement", "Kauffrau für Büromanagement", "Landratsamt", "Geschäftsstelle",
        "Geschäftsführung", "Amtsleitung", "Abteilungsleitung", "Sachgebietsleitung", "Projektmanag*",
        "Pressesprecher*", "Öffentlichkeitsarbeit", "Kommunikation", "Wirtschaftsförder*",
        "Regionalmanag*", "Kreisentwicklung", "Statistik*", "Wahlen", "Gleichstellung*", "Meldewesen",
        "Einwohnermeldeamt", "Passamt", "Passwesen",
    ),
}  # fmt: skip

# Job names that say little about the field: "Ingenieur (m/w/d) Straßenbau" is Straßen & Verkehr,
# "Pädagogische Fachkraft … Jugendsozialarbeit an Schulen" is Soziales & Jugend, so
# these only count when no other specific keyword of the same text matched.
_WEAK_KEYWORDS = frozenset(
    {"Ingenieur", "Techniker", "Technikerin", "Planer", "Planerin", "Technisch*", "Pädagogische Fachkraft",
     "Pädagogische Fachkräfte"}
)  # fmt: skip
_GENERIC_CATEGORY = "Verwaltung"
_TRAINING_CATEGORY = "Ausbildung & Studium"
_FALLBACK_CATEGORY = "Sonstiges"
# Inflection and motion endings a whole-word keyword may carry: "Konrektor|in", "Jugendamt|es".
_ENDINGS = r"(?:e|en|er|ern|es|s|n|nen|in|innen|r|m|em|ns)?"
# The text of a posting only decides when its title, department and employer say nothing: its head is
# read, and a field must be named at least twice, so one stray word ("Jugendamt" in a footer) is no signal.
_TEXT_HEAD = 2500
_TEXT_MIN_HITS = 2


def _fold(text: str) -> str:
    """Lower case with umlauts spelled out, so "Kämmerei" and "Kaemmerei" compare equal."""
    text = unicodedata.normalize("NFC", text).lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    return text


def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    """A stem ("Stem*") where a word starts; a word ("Wort!") whole; a word ("Wort") whole or as a
    compound's head. Short words and abbreviations ("IT", "Kfz", "Hort") are whole words without endings."""
    if keyword.endswith("*"):
        return re.compile(rf"(?<![a-z0-9]){re.escape(_fold(keyword[:-1]))}")
    whole = keyword.endswith("!")
    folded = re.escape(_fold(keyword.rstrip("!"))).replace(r"\ ", r"\s+")
    if len(keyword) <= 4:
        return re.compile(rf"(?<![a-z0-9]){folded}(?![a-z0-9])")
    start = r"(?<![a-z0-9])" if whole else ""
    return re.compile(rf"{start}{folded}{_ENDINGS}(?![a-z0-9])")


_KEYWORD_PATTERNS: list[tuple[str, bool, int, re.Pattern[str]]] = [
    (category, keyword in _WEAK_KEYWORDS, len(keyword.rstrip("*!")), _keyword_pattern(keyword))
    for category, keywords in CATEGORY_KEYWORDS.items()
    for keyword in keywords
]


def _matches(folded: str, *, generic: bool) -> list[tuple[bool, int, int, str]]:
    """(weak, start, -keyword length, category) of every keyword hit; Verwaltung only when `generic`."""
    hits: list[tuple[bool, int, int, str]] = []
    for category, weak, length, pattern in _KEYWORD_PATTERNS:
        if (category == _GENERIC_CATEGORY) != generic:
            continue
        hits.extend((weak, match.start(), -length, category) for match in pattern.finditer(folded))
    return hits


def _best_category(text: str | None, *, generic: bool) -> str | None:
    """The category whose keyword starts first in the text (longest keyword on a tie; weak ones last)."""
    hits = _matches(_fold(text or ""), generic=generic)
    return min(hits)[-1] if hits else None


def _text_category(text: str | None) -> str | None:
    """The specific field the head of the posting's text names most often (at least twice)."""
    hits = _matches(_fold((text or "")[:_TEXT_HEAD]), generic=False)
    words = {(hit[1], hit[-1]) for hit in hits}  # a word matched by two keywords counts once
    counts = Counter(category for _, category in words).most_common(2)
    if not counts or counts[0][1] < _TEXT_MIN_HITS or (len(counts) > 1 and counts[1][1] == counts[0][1]):
        return None
    return counts[0][0]


# ---------------------------------------------------------------------------------- posting type

# Dual study is named with whole words: "Duales Studium", "Dualer Studiengang", "Studium … (dual)",
# "Bachelor of Laws (dual)". Substrings are not enough: "Oberstudienrat … Duales Lernen" is a teacher's job.
_DUAL_RE = re.compile(r"\bdual(?:e[mnrs]?)?\b")
_STUDY_RE = re.compile(
    r"\b(?:bachelor|verbund|dual)?studi(?:um|ums|engang|engaenge|enplatz|enplaetze|eren|erende[nr]?)\b"
    r"|\bbachelor\b|\bb\.\s?(?:a|sc|eng)\b|\bhochschule"
)
_STUDY_TITLE_RE = re.compile(
    r"^\W*(?:bachelor)?studi(?:um|engang|enplatz)\b|verbundstudium|\bdualstudi(?:um|engang)"
)
_TRAINEE_RE = re.compile(r"anwaerter|trainee|vorbereitungsdienst|referendar|volontaer|volontariat")
_INTERN_RE = re.compile(r"praktik|praxissemester|hospitation")
_APPRENTICE_RE = re.compile(
    r"^\W*ausbildung\b|\bausbildung\s+(?:zu[mr]?|als|im|in\s+der|fuer|ab|20\d\d)\b|[-–|:,(/)]\s*ausbildung\b|"
    r"\bausbildungs(?:platz|plaetze|stelle|stellen|beginn|start|jahr)\b|\bberufsausbildung|"
    r"auszubildende|\bazubi|\blehrstelle|\blehrling"
)
# Jobs *about* training: the trainer is no apprentice.
_TRAINER_RE = re.compile(
    r"ausbilder|ausbildungs(?:leit|beauftragt|koordinat|referent|berat)|praxisanleit|\bleit(?:er|erin|ung)\b"
    r"|\blehrkr|\blehrer|\bdozent"
)


def posting_type_from_title(title: str) -> PostingType:
    """Stelle / Ausbildung / Duales Studium / Praktikum / Anwärter from the posting title."""
    folded = _fold(title or "")
    # Dual study first: its titles often also say "Ausbildung" or "Anwärter".
    if (_DUAL_RE.search(folded) and _STUDY_RE.search(folded)) or _STUDY_TITLE_RE.search(folded):
        return PostingType.dual_study
    if _TRAINEE_RE.search(folded):
        return PostingType.trainee
    if _INTERN_RE.search(folded):
        return PostingType.internship
    if _APPRENTICE_RE.search(folded) and not _TRAINER_RE.search(folded):
        return PostingType.apprenticeship
    return PostingType.job


def _is_training(title: str) -> bool:
    return posting_type_from_title(title) is not PostingType.job


def category_for(
    title: str, department: str | None = None, *, employer: str | None = None, text: str | None = None
) -> str:
    """Berufsfeld of a posting: trainee posts first; then a specific field named by the title, the
    department or the employer ("Sachbearbeiter" at a Gymnasium is Schule & Bildung); then the generic
    "Verwaltung" of title or department; then the head of the text; "Sonstiges" if nothing fits."""
    if title and _is_training(title):
        return _TRAINING_CATEGORY
    return (
        _best_category(title, generic=False)
        or _best_category(department, generic=False)
        or _best_category(employer, generic=False)
        or _best_category(title, generic=True)
        or _best_category(department, generic=True)
        or _text_category(text)
        or _FALLBACK_CATEGORY
    )


# -- stored postings of the first taxonomy (migration 0012) -------------------------------------------

# The first taxonomy's names and the new categories each may now be; the first is taken when the rules
# do not pick one of them (an HR clerk chose the old name, so the new one must stay within its meaning).
OLD_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Soziales": ("Soziales & Jugend",),
    "Erziehung & Bildung": ("Kita & Erziehung", "Schule & Bildung", "Ausbildung & Studium"),
    "Technik & Bau": ("Bauen & Technik", "Straßen & Verkehr", "Handwerk & Betrieb"),
    "Gesundheit": ("Gesundheit & Veterinärwesen",),
    "Umwelt & Natur": ("Umwelt, Natur & Landwirtschaft",),
    "Finanzen": ("Finanzen & Steuern",),
    "Recht & Ordnung": ("Sicherheit, Ordnung & Feuerwehr", "Recht", "Straßen & Verkehr"),
}


def renamed_category(
    old: str | None, title: str, department: str | None = None, *, employer: str | None = None, text: str = ""
) -> str | None:
    """The category a stored posting gets in the new taxonomy; None when its category is current."""
    if old in CATEGORIES:
        return None
    decided = category_for(title, department, employer=employer, text=text)
    allowed = OLD_CATEGORIES.get(old or "")
    if allowed is None:
        return decided  # no or an unknown category: the rules decide, as for a new posting
    return decided if decided in allowed else allowed[0]
