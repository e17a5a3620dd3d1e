"""The measurement lab's promise (docs/LAB.md): on the shipped lab design, and on three other
spend schedules drawn by the same rules, the reference MMM (`jigsaw lab fit`, on the leads)
finds advertising's half-life within 25% and ranks the channels' ROAS in the true order.

The truth here is the simulator's own: the design is played, exported and fitted, and each
channel's ROAS comes from the game played again without that channel (`sim.lab.truth`)."""

from __future__ import annotations

import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from sim.lab.design import play
from sim.lab.export import export
from sim.lab.fit import fit
from sim.lab.truth import truth
from sim.model.scenario import CHANNELS

LAB = Path(__file__).resolve().parent.parent / "experiments"
LAB_SEED = 42  # draws an advertising half-life of 96 days (truth below, not assumed)


SCHEDULES = (None, 1, 2, 3)  # the shipped design's own schedule, then three by its rules


def recovered(design_seed: int | None) -> tuple[float, float, dict[str, float], dict[str, float]]:
    """Play one schedule, export it, fit it: (true half-life, found, true ROAS, found)."""
    game, design = play(LAB / "lab_design.toml", design_seed=design_seed, lab_seed=LAB_SEED)
    with tempfile.TemporaryDirectory() as folder:
        export(game, design.firm or "you", grain="week").write(Path(folder))
        result = fit(Path(folder), outcome="leads_inbound")
    doc = truth(game, "you", draws=1, workers=1, roas_only=True)
    found = {c.channel: c for c in result.channels}
    return (
        doc["parameters"]["half_life_days"]["advertising"],
        found["advertising"].half_life_days or 0.0,
        {ch: doc["roas"][ch]["bookings"]["value"] for ch in CHANNELS},
        {ch: found[ch].roas or 0.0 for ch in CHANNELS},
    )


def test_the_reference_mmm_recovers_advertisings_half_life_and_the_roas_order() -> None:
    with ProcessPoolExecutor(2) as pool:
        results = list(pool.map(recovered, SCHEDULES))
    for schedule, (true_half_life, half_life, true_roas, roas) in zip(
        SCHEDULES, results, strict=True
    ):
        assert half_life == pytest.approx(true_half_life, rel=0.25), schedule
        assert sorted(CHANNELS, key=roas.__getitem__) == sorted(
            CHANNELS, key=true_roas.__getitem__
        ), (schedule, true_roas, roas)
