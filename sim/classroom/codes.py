"""Join codes: read aloud in class, stored only as salted scrypt hashes (RFC 7914)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud
CODE_LENGTH = 12  # 60 bits


def new_code() -> str:
    """A join code: 12 characters in three groups (XXXX-XXXX-XXXX), 60 random bits."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[k : k + 4] for k in range(0, CODE_LENGTH, 4))


def _normal(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def code_hash(code: str, salt: bytes, who: str) -> bytes:
    """scrypt (RFC 7914) of the code, salted per class and per holder."""
    return hashlib.scrypt(
        _normal(code).encode(), salt=salt + who.encode(), n=2**14, r=8, p=1, dklen=32
    )


def matches(stored: bytes, code: str, salt: bytes, who: str) -> bool:
    """Whether `code` is the one whose hash is `stored` (compared in constant time)."""
    return hmac.compare_digest(stored, code_hash(code, salt, who))
