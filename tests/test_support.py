"""The guard that makes missing services fail in CI and skip only on a developer machine."""

from __future__ import annotations

import pytest
from _pytest.outcomes import Failed, Skipped

from tests.support import unavailable


def test_missing_service_fails_when_required(monkeypatch):
    monkeypatch.setenv("STELLEN_REQUIRE_X", "1")
    with pytest.raises(Failed, match=r"required here \(STELLEN_REQUIRE_X=1\): kein Server"):
        unavailable("kein Server", "STELLEN_REQUIRE_X")


def test_missing_service_skips_when_not_required(monkeypatch):
    monkeypatch.delenv("STELLEN_REQUIRE_X", raising=False)
    with pytest.raises(Skipped, match="kein Server"):
        unavailable("kein Server", "STELLEN_REQUIRE_X")
