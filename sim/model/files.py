"""Files: what the model writes, atomically, so a crash leaves the old file or the new, never
half; and what users give it to read, bounded, so no file can hang, crash or exhaust it."""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import stat
import sys
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from sim.model.errors import InputError, field_path

# A number as a person types it, on a command line, at a prompt or in a CSV cell: ASCII digits
# (underscores between them, as Python writes 1_000_000), commas only between groups of three
# (250,000), an optional decimal part and exponent. Not "1,,2", and not the digits of other
# scripts, which float() and int() read as well ("١٢" would be 12).
NUMBER = re.compile(
    r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+(?:_\d+)*)(?:\.\d*)?(?:[eE][+-]?\d+)?"
    r"|[+-]?\.\d+(?:[eE][+-]?\d+)?",
    re.ASCII,
)
WHOLE = re.compile(r"[+-]?\d+(?:_\d+)*", re.ASCII)


def read_number(text: str) -> float | None:
    """The number `text` spells by `NUMBER` (spaces around it aside; -0 is 0), or None."""
    text = text.strip(" \t")
    if not NUMBER.fullmatch(text):
        return None
    return float(text.replace(",", "")) + 0.0


def read_whole(text: str, digits: int = 20) -> int | None:
    """The whole number `text` spells (ASCII digits, at most `digits` of them), or None."""
    text = text.strip(" \t")
    if not WHOLE.fullmatch(text) or len(text) > digits + 1:
        return None
    return int(text)


def temp_beside(path: Path) -> tuple[int, str]:
    """A hidden temporary file in `path`'s folder (made if need be), readable as any new file
    is (mkstemp makes 0600): the place a file is written before it is moved over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    umask = os.umask(0)
    os.umask(umask)
    try:
        os.fchmod(fd, 0o666 & ~umask)
    except OSError:
        os.close(fd)
        Path(tmp).unlink(missing_ok=True)
        raise
    return fd, tmp


def check_writable(path: Path) -> None:
    """Refuse, before any work, a file that `write_atomic` could not write (a folder that
    cannot be made or written, a name too long for the system): its temporary file is made
    and removed again."""
    try:
        fd, tmp = temp_beside(path)
    except OSError as exc:
        raise InputError(str(path), "", f"cannot write ({exc.strerror})") from None
    os.close(fd)
    Path(tmp).unlink(missing_ok=True)


def _kind_of(stats: os.stat_result) -> str:
    """What a path that is not a regular file is, for a message."""
    return "a folder" if stat.S_ISDIR(stats.st_mode) else "a device, pipe or socket"


def same_file(a: str | Path, b: str | Path) -> bool:
    """`a` and `b` are one file: the same inode (a link, `./x` and `x`), or, where either is
    missing, the same resolved path."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        try:
            return Path(a).resolve() == Path(b).resolve()
        except (OSError, RuntimeError, ValueError):
            return False


def check_output(
    path: Path,
    what: str,
    inputs: Iterable[tuple[str, str | Path]] = (),
    ours: Callable[[Path], bool] | None = None,
) -> None:
    """Refuse, before any work, a file an output (`what`: "truth file") must not be written
    over, in one line naming it: one of the command's `inputs` ((what it is, its path): the
    save it reads), anything that is not a regular file (a folder, a device, a FIFO), a file
    in a folder that does not exist (none is made: a typo in a path should not grow folders),
    and an existing file that `ours` does not recognise as an earlier output of the same kind
    (an empty file may always be replaced; without `ours`, any regular file). Then
    `check_writable`."""
    name = str(path)
    for label, other in inputs:
        if same_file(path, other):
            raise InputError(
                name, "", f"is {label} this command reads; write the {what} to another file"
            )
    parent = path.parent
    try:
        folder = os.stat(parent)
    except FileNotFoundError:
        raise InputError(name, "", f"no folder {parent} to write the {what} into") from None
    except OSError as exc:
        raise InputError(name, "", f"cannot write ({exc.strerror})") from None
    if not stat.S_ISDIR(folder.st_mode):
        raise InputError(name, "", f"{parent} is not a folder")
    try:
        stats: os.stat_result | None = os.stat(path)
    except FileNotFoundError:
        stats = None
    except OSError as exc:
        raise InputError(name, "", f"cannot write ({exc.strerror})") from None
    if stats is not None:
        if not stat.S_ISREG(stats.st_mode):
            raise InputError(name, "", f"is {_kind_of(stats)}, not {_a(what)} to write")
        if stats.st_size and ours is not None and not ours(path):
            raise InputError(
                name,
                "",
                f"exists and is not {_a(what)} Jigsaw wrote: left as it is (remove it or "
                "choose another name)",
            )
    check_writable(path)


def write_atomic(path: Path, content: str | bytes, private: bool = False) -> None:
    """Write text (UTF-8) or bytes to path so that a crash leaves the old file or the new,
    never half of one. A symbolic link is followed: the file it points at is replaced, and
    the link stays a link. `private`: readable by its owner only (0600, as a class file is),
    for what names people (a grade sheet)."""
    if path.is_symlink():
        path = path.resolve()
    fd, tmp = temp_beside(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        if private:
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def check_folder_writable(folder: Path) -> None:
    """Refuse, before any work, an output folder `replace_folder` could not write: one whose
    parent does not exist (none is made) or cannot be written, or the folder the command
    runs in (or one that holds it: replacing it would leave the shell in a deleted folder)."""
    name = str(folder)
    target = folder.resolve()
    parent = target.parent
    if not parent.is_dir():
        raise InputError(name, "", f"no folder {folder.parent} to make it in")
    here = Path.cwd().resolve()
    if here == target or target in here.parents:
        raise InputError(name, "", "is the folder this command runs in; give a folder of its own")
    try:
        Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)).rmdir()
    except OSError as exc:
        raise InputError(name, "", f"cannot write ({exc.strerror})") from None


def replace_folder(folder: Path, files: Mapping[str, str | bytes]) -> None:
    """Write `files` (name: content) as the folder `folder`, whole: into a hidden sibling
    folder first, which then takes the place of the old folder (swapped in one step where the
    system can, else the old moved aside and the new moved in, the old removed after), so an
    interrupted write leaves the old folder or the new, never a mix. A symbolic link to a
    folder is followed. An OSError is one line naming `folder`."""
    name = str(folder)
    target = folder.resolve()
    parent = target.parent
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent))
    except OSError as exc:
        raise InputError(name, "", f"cannot write ({exc.strerror})") from None
    try:
        try:
            mode = stat.S_IMODE(os.stat(target).st_mode)
        except FileNotFoundError:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o777 & ~umask
        os.chmod(tmp, mode)
        for file, content in files.items():
            write_atomic(tmp / file, content)
        if not target.exists():
            os.rename(tmp, target)
        elif not _exchange(tmp, target):  # then tmp holds the old folder
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=parent))
            os.rename(target, old)  # over the empty folder just made
            try:
                os.rename(tmp, target)
            except OSError:
                os.rename(old, target)
                raise
            os.rename(old, tmp)  # the old folder, to be removed with the temporary one
    except OSError as exc:
        raise InputError(name, "", f"cannot write ({exc.strerror})") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # what is left: the old export, or the new half


def _exchange(a: Path, b: Path) -> bool:
    """Swap two existing paths in one step (Linux renameat2 RENAME_EXCHANGE); False where
    that cannot be done (another system, an old kernel, `b` missing)."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    done = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return bool(done == 0)


# --- reading what users give us ----------------------------------------------------------------
# Every file the project reads is checked here before a byte of it is parsed: a regular file
# (not a device, a pipe or a folder), no larger than its kind's limit, nested no deeper than
# MAX_DEPTH, and holding no number beyond MAX_WHOLE or MAX_NUMBER. Each limit is far above what
# a real file needs (the README's "Files Jigsaw reads" gives the figures) and each violation is
# one InputError line.

KIB, MIB = 1 << 10, 1 << 20
LIMITS: dict[str, int] = {
    "scenario": 1 * MIB,  # bundled scenarios are under 5 KiB
    "decisions": 1 * MIB,  # 40 rounds of decisions for every firm are under 60 KiB
    "experiment": 1 * MIB,  # bundled experiments are under 2 KiB
    "save": 32 * MIB,  # a 40-round classic save with its snapshot cache is about 0.5 MiB
    "roster": 1 * MIB,  # a class list of 10,000 students is about 0.6 MiB
    "class": 1024 * MIB,  # 8 rounds, 4 teams and every snapshot: about 0.6 MiB
    "truth": 1 * MIB,  # a lab truth (jigsaw lab export --truth) is about 4 KiB
    "media": 32 * MIB,  # a daily media.csv of 40 rounds of 91 days is about 1 MiB
    "estimates": 1 * MIB,  # a student's estimates for jigsaw lab score: well under 4 KiB
}
MAX_DEPTH = 32  # tables and lists inside each other; the deepest real file nests 5
MAX_WHOLE = 2**63 - 1  # whole numbers (seeds, counts) fit in 64 bits
MAX_NUMBER = 1e15  # no amount, share or rate of a real game comes near a thousand trillion
# Values (numbers, texts, tables and lists) in one file: a 40-round classic save holds about
# 60,000, so a file of more is not one Jigsaw wrote, and checking stays under a second.
MAX_VALUES = 2_000_000
TOO_LONG = f"holds a number too long to read (more than {sys.get_int_max_str_digits()} digits)"


def size_text(n: int) -> str:
    """1536 -> '1.5 KiB': a file size for a message."""
    if n < KIB:
        return f"{n} bytes"
    if n < MIB:
        return f"{n / KIB:.3g} KiB"
    return f"{n / MIB:.4g} MiB"


def check_regular(path: Path, kind: str, stats: os.stat_result) -> None:
    """Refuse what is not a regular file of at most its kind's size."""
    if not stat.S_ISREG(stats.st_mode):
        what = "a folder" if stat.S_ISDIR(stats.st_mode) else "a device, pipe or socket"
        raise InputError(str(path), "", f"is {what}, not {_a(kind)} file")
    limit = LIMITS[kind]
    if stats.st_size > limit:
        big, most = size_text(stats.st_size), size_text(limit)
        if big == most:  # just past the limit: the rounded sizes would read the same
            big, most = f"{stats.st_size:,} bytes", f"{limit:,} bytes"
        raise InputError(
            str(path),
            "",
            f"is {big}, more than {_a(kind)} file may be ({most})",
        )


def check_file(path: Path, kind: str) -> None:
    """The checks of `read_limited` for a file another library opens (SQLite's class file)."""
    try:
        stats = os.stat(path)
    except OSError as exc:
        raise InputError(str(path), "", f"cannot read {kind} file ({exc.strerror})") from None
    check_regular(path, kind, stats)


def read_limited(path: Path, kind: str) -> bytes:
    """The bytes of a regular file of at most LIMITS[kind]; one InputError line otherwise.

    Opened without blocking, so a FIFO is refused instead of waiting for a writer, and read
    to at most the limit, so an endless file (/dev/zero) or one that grows cannot fill memory."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError(str(path), "", f"no such {kind} file") from None
    except OSError as exc:
        raise InputError(str(path), "", f"cannot read {kind} file ({exc.strerror})") from None
    try:
        check_regular(path, kind, os.fstat(fd))
        limit = LIMITS[kind]
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(MIB, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > limit:
            raise InputError(
                str(path), "", f"grew past the {size_text(limit)} {_a(kind)} file may be"
            )
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(str(path), "", f"cannot read {kind} file ({exc.strerror})") from None
    finally:
        os.close(fd)


def read_text(path: Path, kind: str, encoding: str = "utf-8-sig") -> str:
    """`read_limited`, decoded; a file that is not text is one line. A UTF-8 byte order mark
    at the start (what some editors on Windows write) is not part of the text."""
    try:
        return read_limited(path, kind).decode(encoding)
    except UnicodeDecodeError:
        raise InputError(str(path), "", "is not UTF-8 text") from None


def checked(data: Any, source: str) -> Any:
    """`data` (parsed TOML or JSON) if it holds at most MAX_VALUES values, nests at most
    MAX_DEPTH deep and every number is finite and within MAX_WHOLE / MAX_NUMBER; else one
    InputError naming the field (or the limit)."""
    if type(data) not in (dict, list):
        return _blame(data, source) if not _plain(data) else data
    count = 0
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        items = value.values() if type(value) is dict else value
        count += len(items)
        if count > MAX_VALUES:
            raise InputError(source, "", f"holds more than {MAX_VALUES:,} values")
        for v in items:
            t = type(v)
            if t is dict or t is list:
                if depth >= MAX_DEPTH:
                    return _blame(data, source)
                stack.append((v, depth + 1))
            elif (t is int and not -MAX_WHOLE <= v <= MAX_WHOLE) or (
                t is float and not -MAX_NUMBER <= v <= MAX_NUMBER  # NaN is outside too
            ):
                return _blame(data, source)
    return data


def _plain(value: Any) -> bool:
    """A lone value that needs no blame (as `checked` judges the values inside)."""
    if type(value) is int:
        return bool(-MAX_WHOLE <= value <= MAX_WHOLE)
    if type(value) is float:
        return bool(-MAX_NUMBER <= value <= MAX_NUMBER)
    return True


def _blame(data: Any, source: str) -> Any:
    """The InputError for the first value `checked` found wrong, with its field's path (the
    slow walk, taken only once something is wrong)."""
    stack: list[tuple[Any, tuple[int | str, ...]]] = [(data, ())]
    while stack:
        value, loc = stack.pop()
        if isinstance(value, dict | list):
            if len(loc) >= MAX_DEPTH:
                where = field_path(loc[:3]) + "..."
                raise InputError(source, where, f"nests deeper than {MAX_DEPTH} tables or lists")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            stack.extend((v, (*loc, k)) for k, v in items)
        elif isinstance(value, bool):
            continue
        elif isinstance(value, int) and abs(value) > MAX_WHOLE:
            raise InputError(
                source, field_path(loc), f"is too large a whole number (at most {MAX_WHOLE:,})"
            )
        elif isinstance(value, float):
            if not math.isfinite(value):
                raise InputError(source, field_path(loc), f"must be a finite number, got {value}")
            if abs(value) > MAX_NUMBER:
                raise InputError(
                    source, field_path(loc), f"is too large a number (at most {MAX_NUMBER:g})"
                )
    return data


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """TOML text, parsed and `checked`; a syntax error names the source and the line."""
    try:
        return checked(tomllib.loads(text), source)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(source, "", f"bad TOML: {exc}") from None
    except RecursionError:
        raise InputError(source, "", f"nests deeper than {MAX_DEPTH} tables or lists") from None
    except ValueError:  # int(): more digits than Python converts
        raise InputError(source, "", TOO_LONG) from None


def parse_json(text: str, source: str, what: str = "JSON") -> Any:
    """JSON text, parsed and `checked` (NaN and Infinity are not numbers here)."""

    def constant(name: str) -> Any:
        raise InputError(source, "", f"holds {name}, which is not a number JSON allows")

    def table(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out = dict(pairs)
        if len(out) < len(pairs):  # a key written twice: which one was meant?
            seen: set[str] = set()
            for key, _ in pairs:
                if key in seen:
                    raise InputError(
                        source, "", f"names the key {json.dumps(key)} twice in one table"
                    )
                seen.add(key)
        return out

    try:
        return checked(json.loads(text, parse_constant=constant, object_pairs_hook=table), source)
    except json.JSONDecodeError as exc:
        raise InputError(source, "", f"is not {what} ({exc})") from None
    except RecursionError:
        raise InputError(source, "", f"nests deeper than {MAX_DEPTH} tables or lists") from None
    except ValueError:
        raise InputError(source, "", TOO_LONG) from None


def read_toml(path: Path, kind: str) -> dict[str, Any]:
    """A TOML file of its kind: bounded (`read_limited`), parsed and `checked`."""
    return parse_toml(read_text(path, kind), str(path))


def _a(kind: str) -> str:
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"
