"""A seeded mutation fuzzer over every kind of file a user gives Jigsaw: each bundled
scenario, a decisions file, an experiment file and a save.

Each case mutates a valid file (a character changed, a line dropped, doubled or swapped, a
number made absurd, a value's type changed, deep nesting added, the file cut short) and runs
the command that reads it, in this process, with games cut to one round. Every case must
either run (exit 0) or exit 2 with exactly one stderr line that names the file and what is
wrong; anything else (a traceback, another exit code, a second line) fails with the case, so
it can be replayed. A bigger run by hand: JIGSAW_FUZZ_CASES=5000 pytest tests/test_fuzz.py
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from sim.model.scenario import bundled_scenarios
from tests.test_bad_input import cli
from tui.cli import common as cli_common

CASES = int(os.environ.get("JIGSAW_FUZZ_CASES", "240"))  # spread over the kinds below
SEED = int(os.environ.get("JIGSAW_FUZZ_SEED", "20261203"))
NUMBER = re.compile(r"(?<![\w.])-?\d+(\.\d+)?(e-?\d+)?(?![\w.])")
ABSURD = (
    "-1",
    "0",
    "1e308",
    "-1e308",
    "nan",
    "inf",
    '"300000"',
    "9" * 5000,
    "9" * 25,
    "true",
    "[]",
    "{}",
    '"x"',
    "0.5",
    "1000000000",
)


def mutate(text: str, rng: np.random.Generator, json_text: bool = False) -> str:
    """One random change to `text` (sometimes two)."""
    for _ in range(1 + int(rng.random() < 0.3)):
        lines = text.splitlines(keepends=True) or [""]
        kind = int(rng.integers(0, 8))
        if json_text and rng.random() < 0.5:
            kind = 4  # JSON breaks at any stray character: change values more often
        k = int(rng.integers(0, len(lines)))
        if kind == 0 and text:  # one character changed
            at = int(rng.integers(0, len(text)))
            ch = str(rng.choice(list('{}[]="#\\,:.\n\x00\u00e9x1 ')))
            text = text[:at] + ch + text[at + 1 :]
        elif kind == 1:  # a line dropped
            text = "".join(lines[:k] + lines[k + 1 :])
        elif kind == 2:  # a line doubled
            text = "".join(lines[: k + 1] + lines[k:])
        elif kind == 3 and len(lines) > 1:  # two lines swapped
            j = int(rng.integers(0, len(lines)))
            lines[k], lines[j] = lines[j], lines[k]
            text = "".join(lines)
        elif kind in (4, 5):  # a number made absurd, or of another type
            found = list(NUMBER.finditer(text))
            if found:
                m = found[int(rng.integers(0, len(found)))]
                value = str(rng.choice(ABSURD))
                if json_text and value in ("nan", "inf"):
                    value = value.capitalize() if value == "nan" else "Infinity"
                text = text[: m.start()] + value + text[m.end() :]
        elif kind == 6:  # deep nesting
            depth = int(rng.choice([40, 400, 3000]))
            if json_text:
                at = text.find("{") + 1
                text = text[:at] + '"zz": ' + "[" * depth + "]" * depth + ", " + text[at:]
            else:
                text = "zz = " + "[" * depth + "]" * depth + "\n" + text
        else:  # cut short
            text = text[: int(rng.integers(0, max(len(text), 1)))]
    return text


def check(result: tuple[int, str, str], path: Path, case: str, also: tuple[str, ...] = ()) -> str:
    code, out, err = result
    assert "Traceback" not in err, f"{case}: {err[-2000:]}"
    assert code in (0, 2), f"{case}: exit {code}: {err[-2000:]}"
    if code == 0:
        return "ran"
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("jigsaw"), f"{case}: {err[-2000:]}"
    line = lines[0]
    assert str(path) in line or any(a in line for a in also), f"{case}: {line}"
    assert len(line) < 400, f"{case}: a line of {len(line)} characters"
    return "refused"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The valid files every mutation starts from (games cut to one round)."""
    root = tmp_path_factory.mktemp("fuzz")
    tutorial = bundled_scenarios()["tutorial"].read_text(encoding="utf-8")
    short = root / "short.toml"
    short.write_text(tutorial.replace("rounds = 6", "rounds = 1"), encoding="utf-8")
    decisions = root / "decisions.toml"
    decisions.write_text(
        "price = 1.1\n[marketing]\nbudget = 150000\n[marketing.mix]\nadvertising = 0.5\n"
        "pr = 0.2\ndemand_gen = 0.3\n[sales]\nbudget = 150000\ntraining_share = 0.1\n"
        "commission_rate = 0.05\n[product]\nbudget = 0\n",
        encoding="utf-8",
    )
    experiment = root / "experiment.toml"
    experiment.write_text(
        'scenario = "short.toml"\nseed = 3\nreps = 1\nworkers = 1\nmetric = "profit"\n'
        '[vary]\nmarketing_share = "0.2:0.6:2"\n',
        encoding="utf-8",
    )
    save = root / "save.json"
    assert cli_run(["run", str(short), "--save", str(save)]) == 0
    data = json.loads(save.read_text(encoding="utf-8"))
    data.pop("cache", None)  # the cache has its own checksum test; keep cases small
    save.write_text(json.dumps(data, indent=1), encoding="utf-8")
    return {"short": short, "decisions": decisions, "experiment": experiment, "save": save}


def cli_run(argv: list[str]) -> int:
    from tui.cli import main

    return main(argv)


def test_mutated_files_run_or_are_refused_in_one_line(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    seeds: dict[str, Path],
) -> None:
    monkeypatch.setattr(cli_common, "CONFIRM_GAMES", 20)  # a mutated grid stays small
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    rng = np.random.default_rng(SEED)
    kinds = [f"scenario:{n}" for n in bundled_scenarios()] + ["decisions", "experiment", "save"]
    outcomes: dict[str, dict[str, int]] = {k: {"ran": 0, "refused": 0} for k in kinds}
    for n in range(CASES):
        kind = kinds[n % len(kinds)]
        case = f"case {n} ({kind}, JIGSAW_FUZZ_SEED={SEED})"
        if kind.startswith("scenario:"):
            source = bundled_scenarios()[kind.split(":")[1]]
            path = tmp_path / f"s{n}.toml"
            path.write_text(mutate(source.read_text(encoding="utf-8"), rng), encoding="utf-8")
            argv = ["scenario", "validate", str(path)]
            also: tuple[str, ...] = ()
        elif kind == "decisions":
            path = tmp_path / f"d{n}.toml"
            path.write_text(mutate(seeds["decisions"].read_text(encoding="utf-8"), rng))
            argv = ["run", str(seeds["short"]), "--decisions", str(path)]
            also = ()
        elif kind == "experiment":
            path = seeds["short"].parent / f"e{n}.toml"  # beside short.toml, which it names
            path.write_text(mutate(seeds["experiment"].read_text(encoding="utf-8"), rng))
            argv = ["sweep", "--file", str(path)]
            also = ("--vary", "--workers", "jigsaw sweep: the grid holds", "short.toml")
        else:
            path = tmp_path / f"v{n}.json"
            text = mutate(seeds["save"].read_text(encoding="utf-8"), rng, json_text=True)
            path.write_text(text, encoding="utf-8")
            argv = ["run", "--load", str(path), "--max-leads", "100000"]
            also = ()
        outcomes[kind][check(cli(capsys, *argv), path, case, also)] += 1
    print(json.dumps(outcomes))  # -s shows how many of each kind ran or were refused
    assert sum(v["refused"] for v in outcomes.values()) > CASES // 3  # the mutations bite
    assert sum(v["ran"] for v in outcomes.values()) > CASES // 20  # and some still run
