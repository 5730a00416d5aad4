"""The design's "must not" column (../shared/DESIGN.md, "Packages"), checked on the source with `ast`.

- only `ui/` and `streamlit_app.py` import streamlit;
- `codes`, `cases`, `scoring`, `lessons` (and `datafiles`) never import `progress` or `ui`;
  `codes` is the bottom layer and imports no other ChartLab package but `datafiles`;
  `datafiles` imports none; `scoring` touches no database;
- a package is entered through its door: what one package takes from another is a name in the
  target package's `__all__` (a module listed there may be used for its public names);
- no private (`_name`) crosses a package.

Every failure lists `file:line: what` so it can be fixed where it is.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("datafiles", "codes", "cases", "scoring", "lessons", "progress", "ui")
ROUTER = "streamlit_app"
BELOW_PROGRESS = ("datafiles", "codes", "cases", "scoring", "lessons")
DATABASE_MODULES = ("sqlite3", "sqlite_utils")


@dataclass(frozen=True)
class Ref:
    """One reference from a module to a name of another ChartLab package."""
    file: str           # path relative to the root
    line: int
    owner: str          # package of the referring file ("streamlit_app" for the router)
    target: str         # top-level package referred to (or any top-level module, e.g. "streamlit")
    path: tuple         # dotted path inside the target: ("weights", "mdc_short"), () for the package itself
    how: str            # "import" | "from" | "attribute"
    via: int = 0        # attribute read through an imported module: how much of `path` is that module

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.how} {'.'.join((self.target, *self.path))}"


def source_files(root: Path = ROOT) -> list[Path]:
    files = [p for pkg in PACKAGES for p in sorted((root / pkg).rglob("*.py"))]
    router = root / f"{ROUTER}.py"
    return files + ([router] if router.is_file() else [])


def owner_of(path: Path, root: Path = ROOT) -> str:
    rel = path.relative_to(root)
    return rel.stem if len(rel.parts) == 1 else rel.parts[0]


def _is_module(root: Path, target: str, path: tuple) -> bool:
    base = root / target / Path(*path) if path else root / target
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def references(path: Path, root: Path = ROOT) -> list[Ref]:
    """Every import (at any depth, lazy ones included) and every attribute read through an
    imported module, with its line."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    file, owner = str(path.relative_to(root)), owner_of(path, root)
    out, modules = [], {}          # alias -> (target, path) of an imported module
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                target, *rest = a.name.split(".")
                out.append(Ref(file, node.lineno, owner, target, tuple(rest), "import"))
                modules[a.asname or target] = (target, tuple(rest) if a.asname else ())
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            target, *rest = node.module.split(".")
            for a in node.names:
                out.append(Ref(file, node.lineno, owner, target, (*rest, a.name), "from"))
                if _is_module(root, target, (*rest, a.name)):
                    modules[a.asname or a.name] = (target, (*rest, a.name))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            chain, base = [], node
            while isinstance(base, ast.Attribute):
                chain.insert(0, base.attr)
                base = base.value
            if isinstance(base, ast.Name) and base.id in modules and isinstance(node.ctx, ast.Load):
                target, prefix = modules[base.id]
                out.append(Ref(file, node.lineno, owner, target, (*prefix, *chain), "attribute", len(prefix)))
    return out


def all_references(root: Path = ROOT) -> list[Ref]:
    return [r for p in source_files(root) for r in references(p, root)]


def _outermost(refs: list[Ref]) -> list[Ref]:
    """An attribute chain a.b.c is seen as a.b.c and a.b: keep the longest per place."""
    keep = {}
    for r in refs:
        key = (r.file, r.line, r.target, r.path[:r.via + 1]) if r.how == "attribute" else r
        if key not in keep or len(r.path) > len(keep[key].path):
            keep[key] = r
    return sorted(keep.values(), key=lambda r: (r.file, r.line, str(r)))


def door(target: str, root: Path = ROOT) -> frozenset:
    """The names a package lists in `__all__` (its door), read from its __init__.py."""
    init = root / target / "__init__.py"
    for node in ast.parse(init.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets):
            return frozenset(ast.literal_eval(node.value))
    return frozenset()


def streamlit_outside_ui(refs: list[Ref]) -> list[str]:
    return [str(r) for r in refs if r.target == "streamlit" and r.owner not in ("ui", ROUTER) and r.how != "attribute"]


def forbidden_imports(refs: list[Ref], owners, targets) -> list[str]:
    return [str(r) for r in refs if r.owner in owners and r.target in targets and r.how != "attribute"]


def door_violations(refs: list[Ref], root: Path = ROOT) -> list[str]:
    """Names taken from another ChartLab package that are not in its __all__."""
    out = []
    for r in _outermost(refs):
        if r.target not in PACKAGES or r.target == r.owner or not r.path or r.via:
            continue   # a module imported by name was checked where it was imported
        first = r.path[-1] if r.how == "from" else r.path[0]
        if r.how == "import" and len(r.path) == 1 and r.path[0] in door(r.target, root):
            continue
        if first not in door(r.target, root):
            out.append(f"{r}: '{first}' is not in {r.target}.__all__")
    return out


def private_crossings(refs: list[Ref]) -> list[str]:
    return [f"{r}: private name" for r in _outermost(refs)
            if r.target in PACKAGES and r.target != r.owner and any(p.startswith("_") for p in r.path)]


def fail_on(problems: list[str], rule: str) -> None:
    if problems:
        pytest.fail(f"{rule}:\n  " + "\n  ".join(dict.fromkeys(problems)), pytrace=False)


# ----------------------------------------------------------------------------- the rules
@pytest.fixture(scope="module")
def refs():
    return all_references()


def test_only_ui_and_the_router_import_streamlit(refs):
    fail_on(streamlit_outside_ui(refs), "only ui/ and streamlit_app.py may import streamlit")


def test_lower_packages_never_import_progress_or_ui(refs):
    fail_on(forbidden_imports(refs, BELOW_PROGRESS, ("progress", "ui")),
            "codes, cases, scoring, lessons and datafiles must not import progress or ui")


def test_codes_is_the_bottom_layer_and_datafiles_stands_alone(refs):
    fail_on(forbidden_imports(refs, ("codes",), ("cases", "scoring", "lessons", "progress", "ui")),
            "codes must not import a package above it (it knows nothing about cases or learners)")
    fail_on(forbidden_imports(refs, ("datafiles",), PACKAGES), "datafiles must not import any ChartLab package")


def test_scoring_touches_no_database(refs):
    fail_on(forbidden_imports(refs, ("scoring",), DATABASE_MODULES), "scoring must not touch the database")


def test_cross_package_imports_go_through_the_door(refs):
    fail_on(door_violations(refs), "take only names in the target package's __all__ (export the name, or "
                                   "change the import)")


def test_no_private_name_crosses_a_package(refs):
    fail_on(private_crossings(refs), "a private (_name) must not be used outside its package")


def test_bench_is_never_collected_as_tests():
    ini = (ROOT / "pytest.ini").read_text(encoding="utf-8")
    assert "testpaths = tests" in ini
    assert not list((ROOT / "bench").glob("test_*.py")), "bench/ holds benchmarks, not tests"


# ----------------------------------------------------------------------------- the checker itself
def test_the_checks_name_every_violation_by_file_and_line(tmp_path):
    (tmp_path / "codes").mkdir()
    (tmp_path / "codes" / "__init__.py").write_text('__all__ = ["lookup", "cm"]\n')
    (tmp_path / "codes" / "cm.py").write_text("def info():\n    pass\n")
    (tmp_path / "codes" / "store.py").write_text("import streamlit\n")
    (tmp_path / "scoring").mkdir()
    (tmp_path / "scoring" / "__init__.py").write_text('__all__ = ["score"]\n')
    (tmp_path / "scoring" / "bad.py").write_text(
        "import codes\nfrom codes import lookup\nfrom codes.store import conn\nimport sqlite3\n"
        "def f():\n    import progress\n    return codes.cm.info(), codes._cache, codes.lookup\n")
    (tmp_path / "progress").mkdir()
    (tmp_path / "progress" / "__init__.py").write_text("__all__ = []\n")
    refs = all_references(tmp_path)
    assert streamlit_outside_ui(refs) == ["codes/store.py:1: import streamlit"]
    assert forbidden_imports(refs, BELOW_PROGRESS, ("progress",)) == ["scoring/bad.py:6: import progress"]
    assert forbidden_imports(refs, ("scoring",), DATABASE_MODULES) == ["scoring/bad.py:4: import sqlite3"]
    assert door_violations(refs, tmp_path) == ["scoring/bad.py:3: from codes.store.conn: 'conn' is not in codes.__all__",
                                               "scoring/bad.py:7: attribute codes._cache: '_cache' is not in codes.__all__"]
    assert private_crossings(refs) == ["scoring/bad.py:7: attribute codes._cache: private name"]
