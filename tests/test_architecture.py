"""Import direction of the packages (issue 17, items 1 and 3), checked over the syntax tree.

    crawler → vacancies ← api ← web,   server (composition root) and cli on top.

Every import counts, also one inside a function (a lazy import is still an arrow) or under
TYPE_CHECKING. Outside vacancies/ no module imports `sqlalchemy` or `vacancies.schema`: the database is
the domain's business (tests/ and bench/ are not checked). A back-arrow fails with file and line.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Which packages each package may import (besides itself and third-party libraries).
ALLOWED: dict[str, set[str]] = {
    "vacancies": set(),
    "crawler": {"vacancies"},
    "api": {"vacancies"},
    "web": {"api", "vacancies"},
    "server": {"api", "web", "vacancies"},
    "cli": {"server", "crawler", "api", "web", "vacancies"},
}
DATABASE_ONLY_IN = "vacancies"
DATABASE_MODULES = ("sqlalchemy", "vacancies.schema")
# Module cycles inside vacancies/ (a lazy import hides one at run time, not here): none left.
VACANCIES_MODULE_CYCLES = 0


@dataclass(frozen=True)
class Import:
    path: Path  # relative to the checked root
    line: int
    module: str  # "web.params", "sqlalchemy"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.module}"


def imports(root: Path, package: str) -> Iterator[Import]:
    """Every absolute import in the package's .py files, also those inside functions."""
    for file in sorted((root / package).rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                # "from vacancies import clock" imports the module vacancies.clock where there is one
                names = [_from_target(root, node.module, alias.name) for alias in node.names]
            else:
                continue  # relative imports stay inside their package
            for name in dict.fromkeys(names):
                yield Import(file.relative_to(root), node.lineno, name)


def _from_target(root: Path, module: str, name: str) -> str:
    candidate = root / Path(*module.split("."), name)
    if candidate.with_suffix(".py").is_file() or (candidate / "__init__.py").is_file():
        return f"{module}.{name}"
    return module


def violations(root: Path) -> list[str]:
    """Back-arrows between the packages and database imports outside vacancies/, as "file:line: …"."""
    found = []
    for package, allowed in ALLOWED.items():
        if not (root / package).is_dir():
            continue
        for imp in imports(root, package):
            top = imp.module.split(".")[0]
            if top in ALLOWED and top != package and top not in allowed:
                found.append(f"{imp} ({package} darf {top} nicht importieren)")
            if package != DATABASE_ONLY_IN and any(
                imp.module == name or imp.module.startswith(name + ".") for name in DATABASE_MODULES
            ):
                found.append(f"{imp} (Datenbankzugriff gehört nach {DATABASE_ONLY_IN}/)")
    return found


def package_graph(root: Path) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {package: set() for package in ALLOWED if (root / package).is_dir()}
    for package in graph:
        for imp in imports(root, package):
            top = imp.module.split(".")[0]
            if top in graph and top != package:
                graph[package].add(top)
    return graph


def module_graph(root: Path, package: str) -> dict[str, set[str]]:
    """Modules of one package and which of its own modules each imports (any import, lazy ones too)."""
    graph: dict[str, set[str]] = {}
    for file in (root / package).rglob("*.py"):
        parts = file.relative_to(root).with_suffix("").parts
        graph[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = set()
    for imp in imports(root, package):
        parts = imp.path.with_suffix("").parts
        source = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if imp.module in graph and imp.module != source:
            graph[source].add(imp.module)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


# ----------------------------------------------------------------------------------------- the tree


def test_no_import_against_the_direction():
    found = violations(ROOT)
    assert not found, "Importe gegen die Richtung crawler → vacancies ← api ← web:\n" + "\n".join(found)


def test_no_package_cycles():
    assert cycles(package_graph(ROOT)) == []


def test_module_cycles_inside_vacancies_do_not_grow():
    found = cycles(module_graph(ROOT, "vacancies"))
    print(f"Zyklen zwischen Modulen in vacancies/: {len(found)} {found}")
    assert len(found) <= VACANCIES_MODULE_CYCLES, found


def test_every_package_is_checked():
    """A new top-level package must get its place in the direction (else it would go unchecked)."""
    packages = {p.parent.name for p in ROOT.glob("*/__init__.py")} - {"tests", "bench", "tools"}
    assert packages == set(ALLOWED)


# ------------------------------------------------------------------------------ the checker can fail


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def test_checker_names_file_and_line_of_a_back_arrow(tmp_path):
    _write(
        tmp_path,
        {
            "vacancies/__init__.py": "",
            "vacancies/model.py": "import re\n",
            "crawler/__init__.py": "",
            "crawler/probe.py": "import json\n\n\ndef parser():\n    from cli.crawl import add\n",
            "api/__init__.py": "",
            "api/site.py": "from vacancies import model\nfrom sqlalchemy import select\n",
            "web/__init__.py": "from vacancies.schema import vacancies_table\n",
            "cli/__init__.py": "",
            "cli/crawl.py": "from crawler import probe\n",
        },
    )
    found = violations(tmp_path)
    assert found == [
        "crawler/probe.py:5: cli.crawl (crawler darf cli nicht importieren)",
        "api/site.py:2: sqlalchemy (Datenbankzugriff gehört nach vacancies/)",
        "web/__init__.py:1: vacancies.schema (Datenbankzugriff gehört nach vacancies/)",
    ]
    assert cycles(package_graph(tmp_path)) == [["cli", "crawler"]]


def test_checker_counts_module_cycles(tmp_path):
    _write(
        tmp_path,
        {
            "vacancies/__init__.py": "",
            "vacancies/model.py": "def rank():\n    from vacancies.normalize import rank\n",
            "vacancies/normalize.py": "from vacancies import model\n",
            "vacancies/grades.py": "",
        },
    )
    assert cycles(module_graph(tmp_path, "vacancies")) == [["vacancies.model", "vacancies.normalize"]]
