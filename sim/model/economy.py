"""Per-firm economics as numpy arrays, so the daily tick runs over all firms at once."""

from __future__ import annotations

import numpy as np

from sim.model.scenario import CHANNELS, Economics, Scenario


class FirmParams:
    """Every numeric field of `Economics` as an array over firms (after per-firm overrides)."""

    def __init__(self, scenario: Scenario) -> None:
        econs = [scenario.economics_for(f) for f in scenario.firms]
        self.tables: list[Economics] = econs
        for name, info in Economics.model_fields.items():
            if info.annotation in (float, int, "float", "int"):
                setattr(self, name, np.array([float(getattr(e, name)) for e in econs]))
        self.half_life_days = {
            ch: np.array([e.half_life_days[ch] for e in econs]) for ch in CHANNELS
        }
        self.decay = {ch: 0.5 ** (1.0 / hl) for ch, hl in self.half_life_days.items()}
        self.rd_decay = 0.5 ** (1.0 / self.rd_half_life_days)

    def __getattr__(self, name: str) -> np.ndarray:  # for type checkers: fields set above
        raise AttributeError(name)
