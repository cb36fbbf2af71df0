"""The operator's legal details: Impressum (§ 5 DDG), Datenschutzerklärung (Art. 13 DSGVO) and the
Erklärung zur Barrierefreiheit (§ 10 BayDiV, Art. 13 BayBGG), from the environment (STELLEN_LEGAL_…,
STELLEN_ACCESSIBILITY_…, STELLEN_SIGN_LANGUAGE_VIDEO_URL).

Until the operator fills them in, the pages show visible placeholders ("[Bitte eintragen: …]"), which is
right for the demo and the tests; production refuses to start while any placeholder is left, naming
the variables to set. `Settings` (vacancies.settings) inherits these fields and runs that check.
"""

from __future__ import annotations

import re
from datetime import date

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings

PLACEHOLDER = "[Bitte eintragen: "


def placeholder(what: str) -> str:
    return f"{PLACEHOLDER}{what}]"


def lines(text: str) -> list[str]:
    """Addresses come as one variable: lines are separated by a newline or " | "."""
    return [part.strip() for part in re.split(r"\s*\|\s*|\n", text) if part.strip()]


def is_placeholder(value: object) -> bool:
    return value is None or (isinstance(value, str) and PLACEHOLDER in value)


# The Bavarian enforcement body (§ 11 BayDiV): the Durchsetzungs- und Überwachungsstelle at the LDBV.
ENFORCEMENT = "Landesamt für Digitalisierung, Breitband und Vermessung | St.-Martin-Straße 47 | 81541 München"


class LegalSettings(BaseSettings):
    legal_operator: str = placeholder("Name der verantwortlichen Stelle")
    legal_address: str = placeholder("Anschrift (Zeilen mit | trennen)")
    legal_representative: str = placeholder("vertretungsberechtigte Person")
    legal_email: str = placeholder("E-Mail-Adresse")
    legal_phone: str = placeholder("Telefonnummer")
    legal_supervisory_authority: str = ""  # Aufsichtsbehörde, where there is one (optional)
    legal_vat_id: str = ""  # Umsatzsteuer-Identifikationsnummer, where there is one (optional)
    legal_data_protection_officer: str = placeholder("Datenschutzbeauftragte/r mit Anschrift und E-Mail")
    # Server logs: what the operator's setup keeps.
    legal_log_retention_days: int = Field(default=7, ge=1, le=400)
    accessibility_email: str = placeholder("E-Mail-Adresse für Hinweise zur Barrierefreiheit")
    accessibility_phone: str = ""
    accessibility_reviewed: date | None = None  # the statement's date of creation or last review
    accessibility_enforcement: str = ENFORCEMENT
    sign_language_video_url: str = ""  # the DGS video; the page gives its contents in writing anyway

    @field_validator("sign_language_video_url")
    @classmethod
    def _video_address(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://", "/")):
            raise ValueError(f"„{value}“ ist keine Adresse eines Videos (https://… oder /…)")
        return value

    def refuse_placeholders(self) -> None:
        """Settings runs this last in production, so the other checks (secret key …) speak first."""
        missing = [f"STELLEN_{name.upper()}" for name in REQUIRED if is_placeholder(getattr(self, name))]
        if missing:
            raise ValueError(
                "Impressum, Datenschutzerklärung und Erklärung zur Barrierefreiheit enthalten noch "
                f"Platzhalter; in Produktion bitte setzen: {', '.join(missing)}"
            )


REQUIRED = (
    "legal_operator",
    "legal_address",
    "legal_representative",
    "legal_email",
    "legal_phone",
    "legal_data_protection_officer",
    "accessibility_email",
    "accessibility_reviewed",
)
