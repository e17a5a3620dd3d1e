"""The response curve of a sweep: a metric's mean and 95% interval over the first parameter.

Needs matplotlib (the `plot` extra: `pip install -e ".[plot]"`); imported only when asked for.
"""

from __future__ import annotations

import io
from pathlib import Path

from sim.experiments.sweep import Sweep
from sim.model.errors import InputError
from sim.model.files import check_writable, write_atomic


def response_curve(sweep: Sweep, metric: str, path: str | Path, title: str = "") -> Path:
    """Draw mean and 95% interval of `metric` against the sweep's first parameter (one line
    per value of the second, if there is one) and save it as PNG or SVG."""
    target = check_plot(path)
    import matplotlib.pyplot as plt

    names = list(sweep.axes)
    x_name = names[0]
    summary = sweep.summary(metric)
    groups: dict[tuple[float, ...] | None, list[dict]] = {}
    for row in summary:
        key: tuple[float, ...] | None = tuple(row[n] for n in names[1:]) or None
        groups.setdefault(key, []).append(row)
    fig, ax = plt.subplots(figsize=(7, 4.2), dpi=120)
    for group, rows in groups.items():
        rows.sort(key=lambda r: r[x_name])
        xs = [r[x_name] for r in rows]
        label = (
            None
            if group is None
            else ", ".join(f"{n}={v:g}" for n, v in zip(names[1:], group, strict=True))
        )
        ax.plot(xs, [r["mean"] for r in rows], marker="o", label=label)
        ax.fill_between(xs, [r["low"] for r in rows], [r["high"] for r in rows], alpha=0.25)
    ax.axhline(0.0, color="grey", linewidth=0.8)
    ax.set_xlabel(x_name)
    ax.set_ylabel(f"{metric} (mean, 95% interval over {sweep.reps} replications)")
    ax.set_title(title or f"{metric} vs {x_name}")
    if any(g is not None for g in groups):
        ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    image = io.BytesIO()
    svg = target.suffix.lower() == ".svg"
    fig.savefig(image, format="svg" if svg else "png", metadata={"Date": None} if svg else None)
    plt.close(fig)
    try:
        write_atomic(target, image.getvalue())
    except OSError as exc:
        raise InputError(str(path), "", f"cannot write ({exc.strerror})") from None
    return target


def check_plot(path: str | Path) -> Path:
    """Refuse a plot we could not draw or write, before the sweep's games rather than after."""
    target = Path(path)
    if target.suffix.lower() not in (".png", ".svg"):
        raise InputError(str(path), "", "the plot file must end in .png or .svg")
    if target.parent.exists() and not target.parent.is_dir():
        raise InputError(str(path), "", f"{target.parent} is not a directory")
    try:
        import matplotlib

        matplotlib.use("Agg")
    except ImportError:
        raise InputError("--plot", "", "needs matplotlib: pip install 'jigsaw-sim[plot]'") from None
    check_writable(target)
    return target
