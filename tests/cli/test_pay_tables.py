"""`stellenboerse entgelttabellen` and the expired-table notice of other commands (issue 15, item 4)."""

from __future__ import annotations

import shutil

from tests.cli.test_cli import run
from vacancies.settings import REPO_ROOT

PAY = REPO_ROOT / "config" / "pay"


def test_lists_the_tables_and_fails_while_one_is_expired(tmp_path):
    # The committed Bavarian table ended 30.09.2026 (see config/pay/baybesg-a.yaml).
    result = run(["entgelttabellen", "--quellen"], str(tmp_path / "x.db"), STELLEN_TODAY="2026-12-03")
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert any(line.startswith("BayBesG") and line.endswith("ABGELAUFEN") for line in lines)
    assert any(line.startswith("TVöD VKA Entgelttabelle ") and line.endswith("gilt") for line in lines)
    assert "Quelle:" in result.stdout
    assert "Entgelttabelle abgelaufen: BayBesG" in result.stderr and "30.09.2026" in result.stderr


def test_all_tables_in_force_exit_zero(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    (config / "pay" / "baybesg-a.yaml").unlink()
    result = run(
        ["entgelttabellen"],
        str(tmp_path / "x.db"),
        STELLEN_TODAY="2026-12-03",
        STELLEN_CONFIG_DIR=str(config),
    )
    assert result.returncode == 0, result.stderr
    assert "ABGELAUFEN" not in result.stdout and result.stderr == ""


def test_commands_that_show_pay_name_an_expired_table(tmp_path):
    result = run(["reindex"], str(tmp_path / "x.db"), STELLEN_TODAY="2026-12-03")
    assert result.returncode == 0, result.stderr
    assert "Hinweis: Entgelttabelle abgelaufen: BayBesG" in result.stderr


def test_a_broken_table_is_one_german_line(tmp_path):
    config = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config)
    (config / "pay" / "tvoed-vka.yaml").write_text("grades: [kaputt\n", encoding="utf-8")
    result = run(["entgelttabellen"], str(tmp_path / "x.db"), STELLEN_CONFIG_DIR=str(config))
    assert result.returncode == 2
    assert result.stderr.startswith("Entgelttabelle fehlerhaft: tvoed-vka.yaml: nicht lesbar")
    assert "Traceback" not in result.stderr
