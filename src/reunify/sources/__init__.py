"""Sources: reading legacy extracts (the four v1 kinds of spec/extracts.md) into the store.

The public face; the modules behind it may move:

- :func:`ingest_file` loads one CSV (optionally through a column :class:`Mapping`) in one transaction;
- :func:`load_mapping` reads a mapping YAML; :func:`get_kind` / :func:`detect_kind` give a kind's
  Table Schema (``schemas/<kind>.json``);
- :func:`read_staging` returns the staged rows of a kind, decrypted, as a PyArrow table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from reunify.sources.kinds import KIND_NAMES, SourceKind, detect_kind, get_kind
from reunify.sources.mapping import Mapping, load_mapping

if TYPE_CHECKING:
    from reunify.sources.ingest import IngestResult, ingest_file
    from reunify.sources.staging import read_staging

__all__ = [
    "KIND_NAMES",
    "IngestResult",
    "Mapping",
    "SourceKind",
    "detect_kind",
    "get_kind",
    "ingest_file",
    "load_mapping",
    "read_staging",
]


def __getattr__(name: str) -> Any:
    # Store-bound names are imported on first use: the store's schema imports this package.
    if name in ("ingest_file", "IngestResult"):
        from reunify.sources import ingest

        return getattr(ingest, name)
    if name == "read_staging":
        from reunify.sources.staging import read_staging

        return read_staging
    raise AttributeError(name)
