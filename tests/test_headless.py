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
