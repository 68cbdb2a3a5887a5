"""The hash chain, pure: how an entry is serialised and hashed, and how a sequence is checked.

entry_hash = SHA-256( DOMAIN || RFC 8785 canonical JSON of the entry's fields, prev_hash included ).
The domain prefix keeps a log entry's hash from ever colliding with a hash made for another purpose
(as RFC 6962 separates leaf and node hashes). The first entry's prev_hash is :data:`GENESIS`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785

DOMAIN = b"reunify.auditlog.entry.v1\x00"
GENESIS = "0" * 64

JsonScalar = str | int | bool | None
JsonValue = JsonScalar | list["JsonValue"] | dict[str, "JsonValue"]

# Keys that could carry a person's identity or free text; the log holds pseudonymous ids only.
FORBIDDEN_KEY_PARTS = (
    "name",
    "a_number",
    "alien",
    "dob",
    "birth",
    "narrative",
    "note",
    "justification",
    "text",
)


@dataclass(frozen=True)
class ChainEntry:
    """The hashed fields of one entry (``data`` as its canonical JSON text)."""

    seq: int
    at: str
    actor: str
    event: str
    target_kind: str
    target_id: str
    data: str
    prev_hash: str
    entry_hash: str


def canonical_data(data: Mapping[str, Any]) -> str:
    """The RFC 8785 canonical JSON text of ``data``.

    Raises ValueError if a key could carry identity or free text, or a value is a float.
    """
    _check_keys(data)
    return rfc8785.dumps(dict(data)).decode("utf-8")


def _check_keys(value: Any) -> None:
    if isinstance(value, Mapping):
        for key, item in value.items():
            lowered = str(key).lower()
            if any(part in lowered for part in FORBIDDEN_KEY_PARTS) and not lowered.endswith("_sha256"):
                raise ValueError(f"audit log data may not carry {key!r}: pseudonymous ids and codes only")
            _check_keys(item)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_keys(item)
    elif isinstance(value, float):
        raise ValueError("audit log data may not carry floats (not canonical across platforms)")


def entry_hash(
    *, seq: int, at: str, actor: str, event: str, target_kind: str, target_id: str, data: str, prev_hash: str
) -> str:
    """The SHA-256 hex digest that commits to every field of the entry and to the previous entry."""
    body = {
        "v": 1,
        "seq": seq,
        "at": at,
        "actor": actor,
        "event": event,
        "target_kind": target_kind,
        "target_id": target_id,
        "data": json.loads(data),
        "prev_hash": prev_hash,
    }
    return hashlib.sha256(DOMAIN + rfc8785.dumps(body)).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    """``ok`` when every entry verifies; else ``first_bad_seq`` (the seq of the first row read in order
    that breaks the chain) and ``reason``. ``head_seq``/``head_hash`` describe the last good entry, so an
    operator can anchor it outside the database (a truncated tail is only caught against an anchor)."""

    ok: bool
    entries: int
    first_bad_seq: int | None = None
    reason: str = ""
    head_seq: int = 0
    head_hash: str = GENESIS


def verify_entries(entries: Iterable[ChainEntry], *, anchor: tuple[int, str] | None = None) -> VerifyResult:
    """Walk entries in ``seq`` order: seq must run 1, 2, 3...; each prev_hash must equal the entry
    before's hash; each entry_hash must recompute. With ``anchor`` (seq, hash) recorded elsewhere, the
    entry at that seq must exist and carry that hash (this catches a tail cut off the log)."""
    expected_seq = 1
    prev = GENESIS
    count = 0
    for entry in entries:
        if anchor is not None and entry.seq == anchor[0] and entry.entry_hash != anchor[1]:
            return VerifyResult(
                ok=False,
                entries=count + 1,
                first_bad_seq=entry.seq,
                reason="entry differs from the anchored head recorded outside the database",
                head_seq=expected_seq - 1,
                head_hash=prev,
            )
        count += 1
        bad = _check_one(entry, expected_seq=expected_seq, prev=prev)
        if bad:
            return VerifyResult(
                ok=False,
                entries=count,
                first_bad_seq=entry.seq,
                reason=bad,
                head_seq=expected_seq - 1,
                head_hash=prev,
            )
        prev = entry.entry_hash
        expected_seq += 1
    if anchor is not None and anchor[0] >= expected_seq:
        return VerifyResult(
            ok=False,
            entries=count,
            first_bad_seq=expected_seq,
            reason=(
                f"the log ends at #{expected_seq - 1} but entry #{anchor[0]} was anchored: "
                "entries were removed from the end"
            ),
            head_seq=expected_seq - 1,
            head_hash=prev,
        )
    return VerifyResult(ok=True, entries=count, head_seq=expected_seq - 1, head_hash=prev)


def _check_one(entry: ChainEntry, *, expected_seq: int, prev: str) -> str:
    if entry.seq != expected_seq:
        return f"sequence gap or reordering: expected seq {expected_seq}, found {entry.seq}"
    if entry.prev_hash != prev:
        return (
            "prev_hash does not match the previous entry's hash (an entry was removed, inserted or reordered)"
        )
    try:
        recomputed = entry_hash(
            seq=entry.seq,
            at=entry.at,
            actor=entry.actor,
            event=entry.event,
            target_kind=entry.target_kind,
            target_id=entry.target_id,
            data=entry.data,
            prev_hash=entry.prev_hash,
        )
    except (ValueError, TypeError):
        return "entry data is not valid JSON"
    if recomputed != entry.entry_hash:
        return "entry_hash does not match the entry's contents (the entry was edited)"
    return ""
