"""Bad input, reported the way a user can act on it.

Every error a user can cause (a scenario, decisions or save file that is malformed or out of
range, spending beyond cash) becomes an `InputError` that names the file, the field path and
what was expected. The command line prints `str(error)` as one line and exits 2.
"""

from __future__ import annotations

import datetime
import json
import math
import re
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails


class InputError(Exception):
    """A user-supplied file or value is wrong: `file: field: what was expected`."""

    def __init__(self, source: str, field: str, message: str) -> None:
        self.source = source
        self.field = field
        self.message = message
        super().__init__(str(self))

    def __reduce__(self) -> tuple[Any, ...]:  # so that it crosses a process pool whole
        return (type(self), (self.source, self.field, self.message))

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.field) if p]
        return ": ".join([*parts, self.message])


class FieldError(ValueError):
    """Raised by a model validator to blame one field below the model, not the whole model.

    `raise FieldError(("segments", 1, "id"), "duplicate segment id 'smb'")` inside the
    `Scenario` validator is reported as `segments[1].id: duplicate segment id 'smb'`.
    """

    def __init__(self, loc: tuple[int | str, ...], message: str) -> None:
        super().__init__(message)
        self.loc = tuple(loc)
        self.message = message


_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


def field_path(loc: tuple[int | str, ...]) -> str:
    """Turn pydantic's location tuple into `segments[1].churn`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            # A key a user made up may hold dots, spaces or a newline: quote it as TOML does.
            name = part if _PLAIN_KEY.match(part) else json.dumps(part)
            out += f".{name}" if out else name
    return out


def shown(value: Any, limit: int = 60) -> str:
    """A value as the user wrote it (TOML/JSON spelling), short enough for one line."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, datetime.date | datetime.time):  # a TOML date or time, as written
        return value.isoformat()
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 4] + "...'"


_IDENT_PATTERN = r"^[a-z][a-z0-9_]*$"

# What the user should write instead, by pydantic error type.
_EXPECTED = {
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "int_parsing_size": "must be a whole number of sensible size",
    "float_type": "must be a number",
    "float_parsing": "must be a number",
    "finite_number": "must be a finite number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a quoted string",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "list_type": "must be a list",
    "tuple_type": "must be a list",
}


def _describe(error: ErrorDetails) -> str:
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
        return f"must be {bounds[kind]}, got {shown(got)}"
    if kind in _EXPECTED:
        return f"{_EXPECTED[kind]}, got {shown(got)}"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}, got {shown(got)}"
    if kind == "string_pattern_mismatch":
        if ctx.get("pattern") == _IDENT_PATTERN:
            return (
                "must be a short id of lowercase letters, digits and _ that starts with a "
                f"letter, got {shown(got)}"
            )
        return f"must match the pattern {ctx.get('pattern')}, got {shown(got)}"
    if kind == "too_short" and "min_length" in ctx:
        return f"must have at least {ctx['min_length']} entries, got {ctx.get('actual_length')}"
    if kind == "too_long" and "max_length" in ctx:
        return f"must have at most {ctx['max_length']} entries, got {ctx.get('actual_length')}"
    msg = error["msg"]
    if msg.startswith("Value error, "):
        return msg[len("Value error, ") :]
    msg = f"{msg[0].lower()}{msg[1:]}"
    if got is not None and not isinstance(got, dict | list):
        return f"{msg}, got {shown(got)}"
    return msg


# How pydantic names the member of a union a value was tried against ("str", "list[float]"):
# a step of its own in an error's location, which is no field of the file.
_UNION_MEMBER = re.compile(r"^(str|int|float|bool|(list|dict|tuple|set)\[.*\])$")


def _union_step(loc: tuple[Any, ...]) -> int | None:
    return next(
        (k for k, p in enumerate(loc) if isinstance(p, str) and _UNION_MEMBER.match(p)), None
    )


def _first_problem(errors: list[ErrorDetails]) -> ErrorDetails:
    """The first error, or, where its value was tried against each member of a union, the
    error of the member it got furthest into (a list of numbers with one text in it is
    blamed for that text, not for not being a string)."""
    err = errors[0]
    k = _union_step(err["loc"])
    if k is None:
        return err
    same = [e for e in errors if e["loc"][:k] == err["loc"][:k] and _union_step(e["loc"]) == k]
    return max(same, key=lambda e: len(e["loc"]))


def from_validation(source: str, exc: ValidationError, prefix: str = "") -> InputError:
    """The first problem pydantic found, as an `InputError` (one clear line)."""
    err = _first_problem(exc.errors())
    loc = tuple(
        p
        for p in err["loc"]
        if not (isinstance(p, str) and (p.startswith("function-") or _UNION_MEMBER.match(p)))
    )
    raised = (err.get("ctx") or {}).get("error")
    if isinstance(raised, FieldError):
        loc += raised.loc
    path = field_path(loc)
    if prefix:
        path = f"{prefix}.{path}" if path and not path.startswith("[") else f"{prefix}{path}"
    return InputError(source, path, _describe(err))
