"""Column mappings: a YAML file that turns any extract into one of the v1 kinds.

The mapping is data (see docs/ingest.md for every key); this module only reads and checks it.
A key the model does not know is an error naming the file and line, never silently ignored.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from reunify.errors import UserError
from reunify.policy.yaml_source import YamlSource, read_yaml
from reunify.sources.kinds import KIND_NAMES, get_kind

_SPACES = re.compile(r"\s+")


def fold_value(text: str) -> str:
    """How values are compared in value maps and row rules.

    Trimmed, runs of spaces collapsed, lower-cased (as Polars' ``to_lowercase`` does).
    """
    return _SPACES.sub(" ", text.strip()).lower()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ColumnSpec(_Strict):
    """How one v1 column is filled: from a source column, a constant, or a derivation.

    ``from``: the source column. ``values``: a value map (compared folded, see :func:`fold_value`);
    ``unmapped``: what to do with a value the map lacks (keep it, blank it, or quarantine the row).
    ``date_format``: strptime formats tried in order for a date column (or for ``as_of``).
    ``constant``: the same text in every row. ``derive``: ``row_number`` (the row's spreadsheet
    row, after ``prefix``) or ``dob_from_age`` (``age`` years before the date in ``as_of``: a year,
    never a day).
    """

    from_: str | None = Field(default=None, alias="from")
    constant: str | None = None
    derive: Literal["row_number", "dob_from_age"] | None = None
    prefix: str = ""
    age: str | None = None
    as_of: str | None = None
    values: dict[str, str] | None = None
    unmapped: Literal["keep", "blank", "quarantine"] = "keep"
    date_format: list[str] = Field(default_factory=list)

    @field_validator("date_format", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @field_validator("values", mode="before")
    @classmethod
    def _text_values(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): "" if val is None else str(val) for k, val in v.items()}
        return v

    @field_validator("constant", mode="before")
    @classmethod
    def _text_constant(cls, v: Any) -> Any:
        return v if v is None else str(v)

    @model_validator(mode="after")
    def _one_source(self) -> ColumnSpec:
        given = [
            k
            for k, v in (("from", self.from_), ("constant", self.constant), ("derive", self.derive))
            if v is not None
        ]
        if len(given) != 1:
            raise ValueError("give exactly one of from, constant, derive")
        if self.derive == "dob_from_age" and (self.age is None or self.as_of is None):
            raise ValueError(
                "derive: dob_from_age needs age (the age column) "
                "and as_of (the column with the date the age was recorded)"
            )
        return self

    @property
    def folded_values(self) -> dict[str, str]:
        return {fold_value(k): v for k, v in (self.values or {}).items()}

    def source_columns(self) -> tuple[str, ...]:
        """The source columns this spec reads."""
        return tuple(c for c in (self.from_, self.age, self.as_of) if c is not None)


class RowRule(_Strict):
    """Quarantine every row whose source columns all hold the given values (compared folded)."""

    reason: str
    when: dict[str, str]

    @field_validator("when", mode="before")
    @classmethod
    def _text(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): str(val) for k, val in v.items()}
        return v


class Mapping(_Strict):
    """A whole mapping file. ``columns`` maps v1 column -> ColumnSpec (a bare string means ``from``)."""

    kind: Literal["encounters", "i213", "ice_custody", "orr_referrals"]
    source_system: str | None = None
    description: str | None = None
    encoding: str | None = None
    delimiter: Annotated[str, Field(min_length=1, max_length=1)] = ","
    quarantine_rows: list[RowRule] = Field(default_factory=list)
    columns: dict[str, ColumnSpec]
    extra: dict[str, str] = Field(default_factory=dict)

    @field_validator("columns", mode="before")
    @classmethod
    def _shorthand(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {k: ({"from": s} if isinstance(s, str) else s) for k, s in v.items()}
        return v

    def source_columns(self) -> tuple[str, ...]:
        """Every source column the mapping reads (these must be in the file's header)."""
        cols: list[str] = []
        for spec in self.columns.values():
            cols.extend(spec.source_columns())
        cols.extend(self.extra.values())
        for rule in self.quarantine_rows:
            cols.extend(rule.when)
        return tuple(dict.fromkeys(cols))

    def key_for_source(self, source_column: str) -> str | None:
        """The mapping key (``columns.X`` or ``extra.X``) that reads ``source_column``, for error messages."""
        for name, spec in self.columns.items():
            if source_column in spec.source_columns():
                return f"columns.{name}"
        for name, col in self.extra.items():
            if col == source_column:
                return f"extra.{name}"
        return None


_TOP_KEYS = tuple(Mapping.model_fields)


def load_mapping(path: Path) -> Mapping:
    """Read and check a mapping file.

    Raises UserError naming file and line for an unknown key, a v1 column the kind lacks, a
    missing ``kind``/``columns``, a bad value, or a ``record_id`` the mapping does not provide.
    """
    if not path.is_file():
        raise UserError(f"{path}: mapping file not found")
    src = read_yaml(path)
    if not isinstance(src.value, dict):
        raise UserError(f"{path}:1: a mapping is a YAML mapping with at least `kind:` and `columns:`")
    try:
        mapping = Mapping.model_validate(src.value)
    except ValidationError as exc:
        raise UserError(_explain(exc, src)) from None
    kind = get_kind(mapping.kind)
    for name in mapping.columns:
        if name not in kind.columns:
            raise UserError(
                f"{src.where(('columns', name))}: {name!r} is not a v1 {kind.name} column "
                f"(put it under extra: to keep it, or use one of {', '.join(kind.columns)})"
            )
    if "record_id" not in mapping.columns:
        raise UserError(
            f"{src.where(('columns',))}: the mapping gives no record_id "
            "(add `record_id: <your id column>` or `record_id: {derive: row_number}` under columns:)"
        )
    for name in mapping.extra:
        if name in kind.columns:
            raise UserError(
                f"{src.where(('extra', name))}: {name!r} is a v1 column: map it under columns:, not extra:"
            )
    return mapping


def _explain(exc: ValidationError, src: YamlSource) -> str:
    # An unknown key explains the rest (a misspelt `columns:` is also a missing one): report it first.
    err = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
    loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p in ("function-after[_one_source()]",)))
    path = tuple(str(p) if not isinstance(p, int) else p for p in loc)
    where = src.where(path)
    if err["type"] == "extra_forbidden":
        key = path[-1] if path else "?"
        parent = path[:-1]
        if not parent:
            known = ", ".join(_TOP_KEYS)
        elif parent[0] == "columns":
            known = "from, constant, derive, prefix, age, as_of, values, unmapped, date_format"
        elif parent[0] == "quarantine_rows":
            known = "reason, when"
        else:
            known = "see docs/ingest.md"
        return f"{where}: unknown mapping key {key!r} (known keys here: {known})"
    if err["type"] == "missing":
        return f"{where}: the mapping needs `{path[-1]}:`"
    if err["type"] == "literal_error" and path == ("kind",):
        return f"{where}: kind must be one of {', '.join(KIND_NAMES)}"
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{where}: {'.'.join(str(p) for p in path) or 'mapping'}: {msg}"
