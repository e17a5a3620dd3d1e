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


TEXT = {".py", ".md", ".toml", ".tcss"}  # the files a citation could hide in


def test_the_projects_files_cite_nothing_outside_the_repository() -> None:
    """The docs stand alone: no file names a design, style or reference file kept elsewhere."""
    root = pathlib.Path(__file__).resolve().parents[1]
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
