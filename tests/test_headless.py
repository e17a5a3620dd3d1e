"""sim/ is the headless model: it never imports the terminal UI or Textual."""

import pathlib
import subprocess
import sys


def test_the_model_imports_without_textual() -> None:
    code = (
        "import sys, sim, sim.game, sim.market, sim.pipeline, sim.accounts, sim.ledger, "
        "sim.rivals, sim.events, sim.report, sim.decisions, sim.scenario\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('textual', 'tui', 'rich')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_module_in_sim_imports_tui() -> None:
    root = pathlib.Path(__file__).resolve().parents[1] / "sim"
    for path in root.glob("*.py"):
        for line in path.read_text().splitlines():
            assert not line.startswith(
                ("import tui", "from tui", "import textual", "from textual")
            ), path


def test_the_projects_files_cite_nothing_outside_the_repository() -> None:
    """The docs stand alone: no file names a design, style or reference file kept elsewhere."""
    root = pathlib.Path(__file__).resolve().parents[1]
    outside = ("DESIGN" + ".md", "STYLE" + ".md", "REFERENCES" + ".md", "../" + "shared")
    found = []
    for folder in ("sim", "tui", "tests", "docs", "benchmarks", "experiments", "scenarios"):
        for path in (root / folder).rglob("*"):
            if path.suffix in {".py", ".md", ".toml", ".tcss"}:
                text = path.read_text(encoding="utf-8")
                found += [f"{path.name}: {name}" for name in outside if name in text]
    for name in ("README.md", "Makefile", "pyproject.toml"):
        text = (root / name).read_text(encoding="utf-8")
        found += [f"{name}: {n}" for n in outside if n in text]
    assert not found, found
