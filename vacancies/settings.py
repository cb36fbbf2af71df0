"""Settings from the environment (prefix STELLEN_), validated; never created at import time."""

from __future__ import annotations

import functools
import ipaddress
import os
from datetime import date
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, field_validator, model_validator
from pydantic_settings import SettingsConfigDict

from vacancies.legal import LegalSettings

REPO_ROOT = Path(__file__).resolve().parent.parent


def config_dir() -> Path:
    """The configuration directory: `$STELLEN_CONFIG_DIR`, or `<repo>/config`. The one place that
    resolves it (issue 17, item 7); read on every call, so tests and child processes can point it
    elsewhere without clearing a cache."""
    return Path(os.environ.get("STELLEN_CONFIG_DIR") or REPO_ROOT / "config")


DEV_SECRET = "dev-secret-change-me"
DEV_BASE_URL = "http://127.0.0.1:8000"


class Settings(LegalSettings):  # the operator's legal details: vacancies.legal
    model_config = SettingsConfigDict(env_prefix="STELLEN_", env_file=".env", extra="ignore")

    environment: Literal["development", "production", "test"] = "development"
    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'stellenboerse.db'}"
    search_backend: Literal["sqlite", "elasticsearch"] = "sqlite"
    elasticsearch_url: str = "http://127.0.0.1:9200"
    elasticsearch_alias: str = "stellenboerse-vacancies"
    config_dir: Path = Field(default_factory=config_dir)
    secret_key: str = DEV_SECRET
    cookie_secure: bool = True
    cors_origins: list[str] = []
    contact_url: str = "https://stellenboerse.example/kontakt"
    public_base_url: str = DEV_BASE_URL
    # Addresses (or CIDR networks) of reverse proxies whose X-Forwarded-For is believed; nobody else's.
    trusted_proxies: list[str] = []
    # Mail of the Suchaufträge (issue 18): smtp://host:port, smtps://user:password@host:465; empty: mails
    # stay queued in the outbox until it is set.
    smtp_url: str = ""
    mail_from: str = "Stellenbörse <noreply@stellenboerse.example>"
    alerts_schedule: str = "30 6 * * *"  # crontab in the crawl schedule's time zone (Europe/Berlin)
    alert_mails_per_client_hour: int = 5  # confirmation mails one client address may trigger per hour
    # Operations (issue 19): the bearer token of /metrics (production without one: /metrics is 404), and
    # who gets the operator alerts of broken sources (comma-separated addresses; empty: none are sent).
    metrics_token: str = ""
    operator_emails: str = ""
    # /api/v1/health answers 503 "stale" when a source's last successful crawl is older (issue 19)
    health_max_crawl_age_hours: float = 36.0
    today: date | None = None  # tests pin "today" (vacancies.clock); refused in production
    log_format: Literal["text", "json"] = "text"  # crawl logs; json for log collectors (crawler.logs)

    @field_validator("elasticsearch_url", "public_base_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: str) -> str:
        if value.strip():
            from vacancies.alerts.mail import SmtpTarget

            SmtpTarget.parse(value)  # SmtpUrlError (a ValueError) carries the German message
        return value.strip()

    @field_validator("operator_emails")
    @classmethod
    def _operator_emails(cls, value: str) -> str:
        from email_validator import EmailNotValidError, validate_email

        for address in split_addresses(value):
            try:
                validate_email(address, check_deliverability=False)
            except EmailNotValidError:
                raise ValueError(
                    f"„{address}“ ist keine E-Mail-Adresse (STELLEN_OPERATOR_EMAILS: Adressen durch Kommas "
                    "getrennt, z. B. betrieb@landkreis.de,it@landkreis.de)"
                ) from None
        return value.strip()

    @property
    def operator_addresses(self) -> list[str]:
        return split_addresses(self.operator_emails)

    @field_validator("alerts_schedule")
    @classmethod
    def _crontab(cls, value: str) -> str:
        if len(value.split()) != 5:
            raise ValueError(f"„{value}“ ist keine Crontab-Zeit (fünf Felder, z. B. „30 6 * * *“)")
        return value

    @field_validator("health_max_crawl_age_hours")
    @classmethod
    def _positive_hours(cls, value: float) -> float:
        if not value > 0:
            raise ValueError(f"{value:g} ist kein Zeitraum (Stunden größer als 0, z. B. 36)")
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        for entry in value:
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(f"„{entry}“ ist keine IP-Adresse und kein Netz (z. B. 10.0.0.0/8)") from None
        return value

    @model_validator(mode="after")
    def _secrets_outside_development(self) -> Settings:
        if self.environment == "production" and self.secret_key == DEV_SECRET:
            raise ValueError(
                "STELLEN_SECRET_KEY muss in Produktion gesetzt sein (nicht der Entwicklungswert)"
            )
        if self.environment == "production" and self.today is not None:
            raise ValueError("STELLEN_TODAY dient nur Tests und ist in Produktion nicht erlaubt")
        return self

    # After the secret and "today", so that those are named first (vacancies.legal).
    @model_validator(mode="after")
    def _legal_details_outside_development(self) -> Settings:
        if self.environment == "production":
            self.refuse_placeholders()
        return self

    @model_validator(mode="after")
    def _public_address_in_production(self) -> Settings:
        """Canonical links, JSON-LD, sitemap, feeds and redirects are built from it: in production a
        loopback or example address would send search engines and applicants nowhere. After the legal
        details, whose message lists every missing one."""
        if self.environment == "production" and placeholder_base_url(self.public_base_url):
            raise ValueError(
                "STELLEN_PUBLIC_BASE_URL muss in Produktion die öffentliche Adresse der Stellenbörse sein "
                f"(z. B. https://stellen.example-landkreis.de), nicht „{self.public_base_url}“"
            )
        return self


def split_addresses(value: str) -> list[str]:
    """The addresses of a comma-separated list, without blanks and repeats, in their order."""
    return list(dict.fromkeys(part.strip() for part in value.split(",") if part.strip()))


def placeholder_base_url(url: str) -> bool:
    """True for the development default and for addresses nobody outside this machine can reach."""
    host = (urlsplit(url).hostname or "").lower()
    if not host or host == "localhost" or host.endswith((".example", ".localhost", ".invalid", ".test")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def local_base_url(host: str, port: int) -> str:
    """The address a server started on host:port answers under on this machine (development)."""
    if host in ("", "0.0.0.0", "::"):
        host = "127.0.0.1"  # listening on all addresses: loopback reaches it
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


@functools.cache
def get_settings() -> Settings:
    return Settings()  # fields without default come from the environment
