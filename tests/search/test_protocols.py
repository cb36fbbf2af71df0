"""The index protocols (vacancies/search/protocols.py): each backend states its capabilities, and no code
outside a backend module knows which engine runs or probes a backend for methods."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO_ROOT
from tests.support import free_port
from vacancies.search.elasticsearch_backend import AlertPercolator, ElasticsearchBackend
from vacancies.search.protocols import SearchBackend
from vacancies.search.sqlite_backend import SqliteBackend
from vacancies.store import make_engine, migrate

PACKAGES = ("api", "web", "cli", "vacancies", "crawler", "server")
ENGINE_MODULE = "vacancies/search/elasticsearch_backend.py"
# Choosing the backend from the settings is the factory's job (open_board), and the setting names it.
MAY_NAME_THE_ENGINE = {ENGINE_MODULE, "vacancies/service.py", "vacancies/settings.py"}


def sources() -> dict[str, ast.Module]:
    root = Path(REPO_ROOT)
    out = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")) if (root / package).is_dir() else []:
            relative = path.relative_to(root).as_posix()
            if "/migrations/" not in relative:
                out[relative] = ast.parse(path.read_text(encoding="utf-8"), relative)
    return out


def engine_references(tree: ast.Module) -> list[str]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] == "elasticsearch"]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] == "elasticsearch" or node.module.endswith("elasticsearch_backend"):
                found.append(node.module)
        elif isinstance(node, ast.Compare):  # e.g. backend.name == "elasticsearch"
            parts = [node.left, *node.comparators]
            if any(isinstance(p, ast.Constant) and p.value == "elasticsearch" for p in parts):
                found.append(ast.unparse(node))
    return found


def test_no_elasticsearch_knowledge_outside_its_backend():
    leaks = {
        path: refs
        for path, tree in sources().items()
        if path not in MAY_NAME_THE_ENGINE and (refs := engine_references(tree))
    }
    assert leaks == {}


def test_nothing_probes_a_backend_for_methods():
    probes = [
        f"{path}: {ast.unparse(node)}"
        for path, tree in sources().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("getattr", "hasattr")
        and node.args
        and "backend" in ast.unparse(node.args[0])
    ]
    assert probes == []


def test_the_embedded_index_writes_in_the_store_transaction(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'b.db'}")
    migrate(engine)
    backend: SearchBackend = SqliteBackend(engine)
    assert backend.transactional_index() is backend
    assert backend.alert_percolation() is None  # saved searches are matched in memory
    assert isinstance(backend.generation(), int)
    backend.refresh_now()  # a no-op: committed writes are searchable at once


def test_elasticsearch_is_fed_from_the_outbox_and_percolates():
    # Nothing here talks to a cluster: the capabilities are declared, not discovered.
    backend: SearchBackend = ElasticsearchBackend(f"http://127.0.0.1:{free_port()}", "test-capabilities")
    assert backend.transactional_index() is None
    assert backend.generation() is None
    assert isinstance(backend.alert_percolation(), AlertPercolator)
