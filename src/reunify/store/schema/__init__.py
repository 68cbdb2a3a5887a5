"""Every table module, imported so ``Base.metadata`` is complete (Alembic and tests rely on it).

One module per area, each owned by the capability that writes it:
canonical (the record model), staging (ingested legacy rows), web (accounts, audit log),
review (audit decisions).
"""

from __future__ import annotations

import importlib
import importlib.util

from reunify.store.base import Base

for _name in ("canonical", "staging", "web", "review"):
    # A module not written yet is skipped; once written, any import error surfaces normally.
    if importlib.util.find_spec(f"reunify.store.schema.{_name}") is not None:
        importlib.import_module(f"reunify.store.schema.{_name}")

metadata = Base.metadata

__all__ = ["Base", "metadata"]
