"""The layering: the model (sim/model) is headless and imports none of its applications;
nothing in sim/ imports the terminal UI; the docs stand alone."""

import ast
import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
# What the model may not import: its applications, the UI, storage, clusters, plots, terminals.
NOT_IN_MODEL = (
    "sim.experiments",
    "sim.classroom",
    "sim.lab",
    "tui",
    "sqlite3",
    "dask",
    "distributed",
    "matplotlib",
    "rich",
    "textual",
    "pyarrow",
)


def imports(path: pathlib.Path) -> set[str]:
    """Every module a file imports, at the top or inside a function (read, not run)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def banned(names: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(n for n in names if any(n == p or n.startswith(p + ".") for p in prefixes))


def test_the_model_imports_no_application_storage_cluster_plot_or_terminal_library() -> None:
    found = {
        str(path.relative_to(ROOT)): banned(imports(path), NOT_IN_MODEL)
        for path in (ROOT / "sim" / "model").glob("*.py")
    }
    assert len(found) > 15, "the model's modules were not found"
    assert not {k: v for k, v in found.items() if v}, found


def test_importing_the_model_loads_none_of_them() -> None:
    """The same rule at run time: nothing the model imports pulls one of them in."""
    modules = sorted(p.stem for p in (ROOT / "sim" / "model").glob("*.py") if p.stem != "__init__")
    code = (
        "import sys, importlib\n"
        f"for m in {modules!r}: importlib.import_module('sim.model.' + m)\n"
        "import sim\n"
        f"bad = [m for m in sys.modules if any(m == p or m.startswith(p + '.') for p in {NOT_IN_MODEL!r})]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_nothing_in_sim_imports_the_terminal_ui() -> None:
    """The applications may store, plot and distribute; none of them is the terminal UI."""
    found = {
        str(path.relative_to(ROOT)): banned(imports(path), ("tui", "textual"))
        for path in (ROOT / "sim").rglob("*.py")
    }
    assert not {k: v for k, v in found.items() if v}, found


def test_the_layering_test_sees_a_forbidden_import(tmp_path: pathlib.Path) -> None:
    """The checks above can fail: an import hidden in a function body is found."""
    source = "def f():\n    import sqlite3\n    from sim.classroom.store import Classroom\n"
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert banned(imports(probe), NOT_IN_MODEL) == [
        "sim.classroom.store",
        "sim.classroom.store.Classroom",
        "sqlite3",
    ]


TEXT = {".py", ".md", ".toml", ".tcss"}  # the files a citation could hide in


def test_the_projects_files_cite_nothing_outside_the_repository() -> None:
    """The docs stand alone: no file names a design, style or reference file kept elsewhere."""
    root = ROOT
    outside = ("DESIGN" + ".md", "STYLE" + ".md", "REFERENCES" + ".md", "../" + "shared")
    folders = ("sim", "tui", "tests", "docs", "benchmarks", "experiments", "scenarios")
    paths = [p for f in folders for p in (root / f).rglob("*") if p.suffix in TEXT]
    paths += [root / name for name in ("README.md", "Makefile", "pyproject.toml")]
    found = [
        f"{path.relative_to(root)}: {name}"
        for path in paths
        for name in outside
        if name in path.read_text(encoding="utf-8")
    ]
    assert not found, found
