"""Protection at rest: AES-GCM field encryption and a keyed blind index.

Names, alien numbers, dates of birth and narratives are stored encrypted (:class:`EncryptedText`);
an alien number is found again through its blind index (:func:`a_number_index`), a keyed MAC
(BLAKE2b) that reveals nothing without the key.

The data key is 32 random bytes, found in this order:

1. ``REUNIFY_DATA_KEY``: the key, base64;
2. ``REUNIFY_KEY_FILE``: a file holding it (base64, one line);
3. ``reunify.key`` beside the SQLite database last opened by :func:`reunify.store.engine.make_engine`,
   else in the working directory.

``reunify init`` creates the key file (mode 0600) when there is neither a key nor a file. Keys are
never logged, never committed. Two sub-keys are derived with HKDF (one to encrypt, one for the
blind index), so the index reveals nothing about the ciphertext key.

Ciphertext layout: ``0x01 | nonce (12 bytes) | AES-256-GCM ciphertext + tag``.

Whole blobs (a staged block of rows, see :mod:`reunify.sources.staging`) are sealed as one message
by :func:`seal` with *associated data* naming where the blob belongs: the tag covers it, so a blob
copied into another place (another batch, another block number) no longer opens.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import LargeBinary
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.types import TypeDecorator

from reunify.domain.identifiers import normalize_a_number
from reunify.domain.names import fold_name
from reunify.errors import UserError

__all__ = [
    "KEY_ENV",
    "KEY_FILE_ENV",
    "KEY_FILE_NAME",
    "DataKey",
    "EncryptedText",
    "a_number_index",
    "a_number_index_many",
    "blind_index",
    "create_key_file",
    "current_key",
    "decrypt",
    "decrypt_many",
    "default_key_path",
    "encrypt",
    "encrypt_many",
    "generate_key",
    "key_check_value",
    "name_index",
    "note_database_url",
    "open_sealed",
    "reset_key_cache",
    "seal",
]

KEY_ENV = "REUNIFY_DATA_KEY"
KEY_FILE_ENV = "REUNIFY_KEY_FILE"
KEY_FILE_NAME = "reunify.key"
_VERSION = b"\x01"
_NONCE = 12
_FIX = "set REUNIFY_DATA_KEY or run `reunify init`"


@dataclass(frozen=True, slots=True)
class DataKey:
    """The sub-keys derived from one 32-byte data key. Never printed (repr hides them)."""

    aead: AESGCM
    index_key: bytes
    check_value: str

    def __repr__(self) -> str:
        return f"DataKey(check={self.check_value})"


def _derive(master: bytes, info: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(master)


def _data_key(master: bytes) -> DataKey:
    if len(master) != 32:
        raise UserError(f"the data key must be 32 bytes (base64), not {len(master)}; {_FIX}")
    check = hmac.new(_derive(master, b"reunify key check v1"), b"reunify", hashlib.sha256).hexdigest()[:16]
    return DataKey(
        aead=AESGCM(_derive(master, b"reunify field encryption v1")),
        index_key=_derive(master, b"reunify blind index v1"),
        check_value=check,
    )


def _decode_key(text: str, where: str) -> bytes:
    try:
        return base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise UserError(f"the data key in {where} is not base64; {_FIX}") from None


def generate_key() -> str:
    """A new random data key, base64 (what REUNIFY_DATA_KEY and the key file hold)."""
    return base64.b64encode(os.urandom(32)).decode("ascii")


# ---------------------------------------------------------------- finding the key

_lock = threading.Lock()
_database_dir: list[Path] = []  # the folder of the SQLite database last opened (at most one entry)
_cache: dict[tuple[str, str], DataKey] = {}


def note_database_url(url: str | URL) -> None:
    """Remember where a SQLite database lives, so its key file is looked for beside it."""
    parsed = make_url(url) if isinstance(url, str) else url
    _database_dir.clear()
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        _database_dir.append(Path(parsed.database).resolve().parent)


def default_key_path(url: str | URL | None = None) -> Path:
    """The key file's path: REUNIFY_KEY_FILE, beside a SQLite database, else ``./reunify.key``."""
    if explicit := os.environ.get(KEY_FILE_ENV):
        return Path(explicit)
    if url is not None:
        parsed = make_url(url) if isinstance(url, str) else url
        if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
            return Path(parsed.database).resolve().parent / KEY_FILE_NAME
        return Path.cwd() / KEY_FILE_NAME
    return (_database_dir[0] if _database_dir else Path.cwd()) / KEY_FILE_NAME


def current_key() -> DataKey:
    """The data key in force (see the module doc for the order). Raises UserError when there is none."""
    env = os.environ.get(KEY_ENV)
    if env:
        cache_key = ("env", env)
    else:
        path = default_key_path()
        cache_key = ("file", str(path))
    with _lock:
        if cache_key in _cache:
            return _cache[cache_key]
    if env:
        key = _data_key(_decode_key(env, KEY_ENV))
    else:
        path = Path(cache_key[1])
        try:
            text = path.read_text("ascii")
        except FileNotFoundError:
            raise UserError(f"no data key: {path} does not exist; {_FIX}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"cannot read the data key file {path} ({type(exc).__name__}); {_FIX}") from None
        key = _data_key(_decode_key(text, str(path)))
    with _lock:
        _cache[cache_key] = key
    return key


def reset_key_cache() -> None:
    """Forget cached keys (tests that change the key call this)."""
    with _lock:
        _cache.clear()


def create_key_file(path: Path) -> bool:
    """Write a new random key to ``path`` with mode 0600 unless it exists. True if written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(generate_key() + "\n")
    return True


def key_check_value() -> str:
    """The key's fingerprint (an HMAC of a constant); ``init`` stores it to catch a wrong key."""
    return current_key().check_value


# ---------------------------------------------------------------- encrypting values


def encrypt(plaintext: str | None) -> bytes | None:
    """AES-GCM encrypt one value with a fresh random nonce. None stays None."""
    if plaintext is None:
        return None
    nonce = os.urandom(_NONCE)
    return _VERSION + nonce + current_key().aead.encrypt(nonce, plaintext.encode("utf-8"), None)


def _open(aead: AESGCM, blob: bytes) -> str:
    if len(blob) < 1 + _NONCE + 16 or blob[:1] != _VERSION:
        raise UserError(f"stored data is not in reunify's encrypted form; is this the right database? {_FIX}")
    try:
        return aead.decrypt(blob[1 : 1 + _NONCE], blob[1 + _NONCE :], None).decode("utf-8")
    except InvalidTag:
        raise UserError(
            f"cannot decrypt stored data: the data key is wrong for this database; {_FIX}"
        ) from None


def decrypt(blob: bytes | None) -> str | None:
    """The plaintext of one value from :func:`encrypt`. Raises UserError for a wrong key."""
    if blob is None:
        return None
    return _open(current_key().aead, bytes(blob))


def encrypt_many(values: Iterable[str | None]) -> list[bytes | None]:
    """Encrypt a column of values for a bulk load: the same layout as :func:`encrypt`.

    One key lookup, one cipher object, and the nonces drawn from the OS in one call (a fresh,
    distinct 12-byte slice of it per value), not one system call per value.
    """
    column = values if isinstance(values, list) else list(values)
    if not column:
        return []
    seal = current_key().aead.encrypt
    pool = os.urandom(_NONCE * len(column))
    out: list[bytes | None] = []
    append = out.append
    start = 0
    for v in column:
        if v is None:
            append(None)
        else:
            nonce = pool[start : start + _NONCE]
            append(_VERSION + nonce + seal(nonce, v.encode("utf-8"), None))
        start += _NONCE
    return out


def decrypt_many(blobs: Iterable[bytes | memoryview | None]) -> list[str | None]:
    """Decrypt a column of values read in bulk. Raises UserError for a wrong key."""
    aead = current_key().aead
    return [None if b is None else _open(aead, bytes(b)) for b in blobs]


def seal(data: bytes, associated: bytes) -> bytes:
    """AES-GCM encrypt one blob, bound to ``associated`` (authenticated, not stored in the blob).

    The layout is :func:`encrypt`'s; :func:`open_sealed` with the same ``associated`` opens it.
    """
    nonce = os.urandom(_NONCE)
    return _VERSION + nonce + current_key().aead.encrypt(nonce, data, associated)


def open_sealed(blob: bytes | memoryview, associated: bytes) -> bytes:
    """The plaintext of a :func:`seal` blob. Raises UserError for a wrong key or a blob sealed for
    other associated data (moved or swapped)."""
    blob = bytes(blob)
    if len(blob) < 1 + _NONCE + 16 or blob[:1] != _VERSION:
        raise UserError(f"stored data is not in reunify's encrypted form; is this the right database? {_FIX}")
    try:
        return current_key().aead.decrypt(blob[1 : 1 + _NONCE], blob[1 + _NONCE :], associated)
    except InvalidTag:
        raise UserError(
            "cannot decrypt stored data: the data key is wrong for this database, "
            f"or a block was moved from where it was written; {_FIX}"
        ) from None


# ---------------------------------------------------------------- blind index


def _mac(index_key: bytes, purpose: str, value: str) -> str:
    return hashlib.blake2b(f"{purpose}\x00{value}".encode(), key=index_key, digest_size=32).hexdigest()


def blind_index(value: str | None, *, purpose: str) -> str | None:
    """A keyed MAC (BLAKE2b-256, hex) of ``value`` under the index key, separated by ``purpose``.

    Equal inputs give equal outputs, so a column of these can be indexed and searched with ``=``;
    without the key it reveals nothing (not even which 9-digit number it is: no dictionary attack).
    None stays None.
    """
    if value is None:
        return None
    return _mac(current_key().index_key, purpose, value)


def a_number_index(a_number: str | None) -> str | None:
    """The blind index of an alien number after normalising it (None when blank or malformed)."""
    return blind_index(normalize_a_number(a_number), purpose="a_number")


def name_index(family_name: str | None, given_name: str | None) -> str | None:
    """The blind index of a name after folding (``person_names.name_index``): exact folded-name lookups.

    None when both parts fold to blank. Fuzzy matching needs the decrypted names, not this.
    """
    family, given = fold_name(family_name), fold_name(given_name)
    if not family and not given:
        return None
    return blind_index(f"{family}|{given}", purpose="name")


def a_number_index_many(values: Iterable[str | None]) -> list[str | None]:
    """:func:`a_number_index` over a column (one key lookup)."""
    key = current_key().index_key
    out: list[str | None] = []
    for v in values:
        n = normalize_a_number(v)
        out.append(None if n is None else _mac(key, "a_number", n))
    return out


# ---------------------------------------------------------------- the column type


class EncryptedText(TypeDecorator[str]):
    """Text stored AES-GCM encrypted (BLOB on SQLite, BYTEA on PostgreSQL).

    Reads return the plaintext. Because every write uses a fresh nonce, a WHERE clause cannot
    compare these columns: search through a blind-index column instead.
    """

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"EncryptedText stores str, not {type(value).__name__}")
        return encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return decrypt(bytes(value))

    def process_literal_param(self, value: Any, dialect: Dialect) -> str:
        raise TypeError("encrypted values cannot be rendered as SQL literals")

    @property
    def python_type(self) -> type[str]:
        return str
