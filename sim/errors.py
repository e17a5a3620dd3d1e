"""Bad input, reported the way a user can act on it.

Every error a user can cause (a scenario, decisions or save file that is malformed or out of
range, spending beyond cash) becomes an `InputError` that names the file, the field path and
what was expected. The command line prints `str(error)` as one line and exits 2.
"""

from __future__ import annotations

from pydantic import ValidationError


class InputError(Exception):
    """A user-supplied file or value is wrong: `file: field: what was expected`."""

    def __init__(self, source: str, field: str, message: str) -> None:
        self.source = source
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.field) if p]
        return ": ".join([*parts, self.message])


def field_path(loc: tuple[int | str, ...]) -> str:
    """Turn pydantic's location tuple into `segments[1].churn`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _describe(error: dict) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    got = error.get("input")
    if kind == "missing":
        return "is required but missing"
    if kind == "extra_forbidden":
        return "is not a known field (check its spelling)"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bounds = {
            "greater_than_equal": f"at least {ctx.get('ge')}",
            "greater_than": f"greater than {ctx.get('gt')}",
            "less_than_equal": f"at most {ctx.get('le')}",
            "less_than": f"less than {ctx.get('lt')}",
        }
        return f"must be {bounds[kind]}, got {got!r}"
    msg = error["msg"]
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
        return msg
    if got is not None and not isinstance(got, dict | list):
        return f"{msg[0].lower()}{msg[1:]}, got {got!r}"
    return f"{msg[0].lower()}{msg[1:]}"


def from_validation(source: str, exc: ValidationError, prefix: str = "") -> InputError:
    """The first problem pydantic found, as an `InputError` (one clear line)."""
    err = exc.errors()[0]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    path = field_path(loc)
    if prefix:
        path = f"{prefix}.{path}" if path and not path.startswith("[") else f"{prefix}{path}"
    return InputError(source, path, _describe(err))
