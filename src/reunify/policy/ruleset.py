"""A rule set: the reason vocabulary and the frameworks that judge separations, read from YAML.

The rules are data (``rules/*.yaml`` shipped in this package, or a reviewer's own file or directory);
this module only models, reads and validates them. Loading refuses, naming file and line:
a rule without a citation, a reason code outside the vocabulary, a framework whose in-force windows
overlap, and a framework that leaves a reason code without a rule (or gives one code two rules).
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import rfc8785
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from reunify.domain.reasons import ReasonCode
from reunify.errors import UserError
from reunify.policy.yaml_source import PathKey, YamlSource, read_yaml

RuleVerdict = Literal["consistent", "inconsistent", "undetermined"]
"""What a rule may say; ``not_in_force`` comes from the calendar, never from a rule."""


def _fold(value: Any) -> Any:
    """Collapse runs of whitespace (YAML block text keeps line breaks) to single spaces."""
    return " ".join(value.split()) if isinstance(value, str) else value


Text = Annotated[str, BeforeValidator(_fold), Field(min_length=1)]
"""Non-blank text with its whitespace folded."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


class VocabularyEntry(_Frozen):
    """One canonical reason code and what it means."""

    code: ReasonCode
    meaning: Text


class Window(_Frozen):
    """A half-open stretch of days ``[start, until)``; ``until`` None means it has not ended."""

    start: date = Field(alias="from")
    until: date | None = None

    def contains(self, day: date) -> bool:
        """True when ``start <= day < until`` (no upper bound when ``until`` is None)."""
        return self.start <= day and (self.until is None or day < self.until)

    def overlaps(self, other: Window) -> bool:
        """True when some day lies in both windows."""
        self_end = self.until or date.max
        other_end = other.until or date.max
        return self.start < other_end and other.start < self_end

    def describe(self) -> str:
        """``[2018-05-01, 2018-06-29)``, with ``-`` for an open end."""
        return f"[{self.start.isoformat()}, {self.until.isoformat() if self.until else '-'})"


class Rule(_Frozen):
    """One cell group of the table: these reason codes get this verdict, because of this text.

    ``quote`` is the passage the rule rests on (the framework's text when omitted);
    ``citation`` is required and says where that passage is found.
    """

    id: Text
    reason_codes: tuple[ReasonCode, ...] = Field(min_length=1)
    verdict: RuleVerdict
    because: Text
    quote: Text | None = None
    citation: Text


class Framework(_Frozen):
    """A body of rules in force over one or more windows: TEDS, a memo, a court order, guidance."""

    id: Text
    title: Text
    issuer: Text
    in_force: tuple[Window, ...] = Field(min_length=1)
    quote: Text
    citation: Text
    rules: tuple[Rule, ...] = Field(min_length=1)

    def is_in_force(self, day: date) -> bool:
        """True when ``day`` falls in one of the framework's windows."""
        return any(window.contains(day) for window in self.in_force)

    @property
    def rule_by_code(self) -> Mapping[ReasonCode, Rule]:
        """The rule that covers each reason code (validation guarantees exactly one).

        Computed on each access (not cached), so a ``model_copy`` with new rules is never stale.
        """
        return {code: rule for rule in self.rules for code in rule.reason_codes}

    def quote_of(self, rule: Rule) -> str:
        """The passage ``rule`` rests on: its own quote, else the framework's."""
        return rule.quote or self.quote

    def windows_text(self) -> str:
        """All windows, e.g. ``[2018-05-01, 2018-06-29)``."""
        return " ∪ ".join(window.describe() for window in self.in_force)


class RuleSet(_Frozen):
    """The vocabulary and the frameworks, frameworks ordered by first day in force, then id.

    ``source`` says where it was read from and is not part of the content hash.
    """

    vocabulary: tuple[VocabularyEntry, ...]
    frameworks: tuple[Framework, ...]
    source: str = ""

    @functools.cached_property
    def hash(self) -> str:
        """sha256 (hex) of the RFC 8785 canonical JSON of the content (vocabulary and frameworks).

        Computed once per object (the model is frozen); :meth:`model_copy` drops it, so a copy
        with new content is never stale.

        Order-free: frameworks, rules and codes are sorted first, so moving a rule within a file,
        or a framework between files, leaves the hash unchanged; changing any cell changes it.
        """
        return hashlib.sha256(rfc8785.dumps(self.canonical())).hexdigest()

    def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> RuleSet:
        """A copy (see pydantic), without the cached :attr:`hash` of the original's content."""
        copied = super().model_copy(update=update, deep=deep)
        copied.__dict__.pop("hash", None)
        return copied

    def canonical(self) -> dict[str, Any]:
        """The content as plain JSON-able data in a canonical order (what :attr:`hash` digests)."""
        order = {code: index for index, code in enumerate(ReasonCode)}
        frameworks = []
        for framework in sorted(self.frameworks, key=lambda f: f.id):
            data = framework.model_dump(mode="json", by_alias=True)
            rules = []
            for rule in sorted(framework.rules, key=lambda r: r.id):
                rule_data = rule.model_dump(mode="json", by_alias=True)
                rule_data["reason_codes"] = sorted(
                    rule_data["reason_codes"], key=lambda c: order[ReasonCode(c)]
                )
                rules.append(rule_data)
            data["rules"] = rules
            data["in_force"] = sorted(data["in_force"], key=lambda w: w["from"])
            frameworks.append(data)
        vocabulary = sorted(
            (entry.model_dump(mode="json") for entry in self.vocabulary),
            key=lambda e: order[ReasonCode(e["code"])],
        )
        return {"vocabulary": vocabulary, "frameworks": frameworks}

    @property
    def codes(self) -> tuple[ReasonCode, ...]:
        """The vocabulary's codes, in vocabulary order."""
        return tuple(entry.code for entry in self.vocabulary)

    def framework(self, framework_id: str) -> Framework:
        """The framework with this id; UserError naming the known ids when there is none."""
        for framework in self.frameworks:
            if framework.id == framework_id:
                return framework
        known = ", ".join(f.id for f in self.frameworks)
        raise UserError(f"no framework {framework_id!r} in this rule set (known: {known})")


# --------------------------------------------------------------------------------------------
# Loading


def shipped_rules_dir() -> Path:
    """The directory of the rule set shipped with reunify."""
    return Path(str(resources.files("reunify.policy") / "rules"))


def load_ruleset(path: Path | None = None) -> RuleSet:
    """Read and validate a rule set: the shipped one (None), a YAML file, or a directory of them.

    A directory contributes every ``*.yaml``/``*.yml`` file directly inside it. Each file may hold
    ``vocabulary:`` (a list of ``{code, meaning}``), ``framework:`` (one) and/or ``frameworks:``
    (a list). A rule set with no vocabulary uses the shipped one. Raises UserError, naming file
    and line, for any rule set that would judge a separation without a rule and a citation.
    """
    if path is None:
        path = shipped_rules_dir()
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix in {".yaml", ".yml"} and p.is_file())
        if not files:
            raise UserError(f"{path}: no .yaml rule files in this directory")
    elif path.is_file():
        files = [path]
    else:
        raise UserError(f"{path}: no such rule file or directory")
    sources = [read_yaml(file) for file in files]
    return _build(sources, source=str(path))


@dataclass(frozen=True)
class _Located:
    """A raw mapping from a file, with the path at which it sits in that file."""

    source: YamlSource
    path: PathKey
    data: Any

    def where(self, *sub: str | int) -> str:
        return self.source.where((*self.path, *sub))


def _collect(sources: Sequence[YamlSource]) -> tuple[list[_Located], list[_Located]]:
    """The vocabulary parts and framework parts of every file, each with where it sits."""
    vocab_parts: list[_Located] = []
    framework_parts: list[_Located] = []
    expected = "(expected vocabulary, framework, frameworks)"
    for src in sources:
        doc = src.value
        if doc is None:
            continue
        if not isinstance(doc, dict):
            raise UserError(f"{src.where(())}: a rule file is a mapping {expected}")
        for key in sorted(set(doc) - {"vocabulary", "framework", "frameworks"}):
            raise UserError(f"{src.where((key,))}: unknown top-level key {key!r} {expected}")
        if "vocabulary" in doc:
            vocab_parts.append(_Located(src, ("vocabulary",), doc["vocabulary"]))
        if "framework" in doc:
            framework_parts.append(_Located(src, ("framework",), doc["framework"]))
        if "frameworks" in doc:
            items = doc["frameworks"]
            if not isinstance(items, list):
                raise UserError(f"{src.where(('frameworks',))}: frameworks: must be a list")
            framework_parts.extend(_Located(src, ("frameworks", i), item) for i, item in enumerate(items))
    return vocab_parts, framework_parts


def _build(sources: Sequence[YamlSource], *, source: str) -> RuleSet:
    vocab_parts, framework_parts = _collect(sources)
    if len(vocab_parts) > 1:
        raise UserError(
            f"{vocab_parts[1].where()}: a second vocabulary (the first is at {vocab_parts[0].where()})"
        )
    if vocab_parts:
        vocabulary = _vocabulary(vocab_parts[0])
    else:
        vocabulary = load_ruleset(None).vocabulary if sources and not _is_shipped(sources) else ()
        if not vocabulary:
            raise UserError(f"{source}: no vocabulary: in this rule set")
    if not framework_parts:
        raise UserError(f"{source}: no framework: in this rule set")

    codes = {entry.code for entry in vocabulary}
    frameworks = [_framework(part, codes) for part in framework_parts]
    _check_unique_ids(frameworks, framework_parts)
    ordered = sorted(frameworks, key=lambda f: (min(w.start for w in f.in_force), f.id))
    return RuleSet(vocabulary=vocabulary, frameworks=tuple(ordered), source=source)


def _is_shipped(sources: Sequence[YamlSource]) -> bool:
    shipped = shipped_rules_dir().resolve()
    return all(src.file.resolve().parent == shipped for src in sources)


def _first_error(part: _Located, exc: ValidationError) -> UserError:
    error = exc.errors()[0]
    loc = tuple(error["loc"])
    field = ".".join(str(p) for p in loc) or "(top)"
    return UserError(f"{part.where(*loc)}: {field}: {error['msg']}")


def _vocabulary(part: _Located) -> tuple[VocabularyEntry, ...]:
    if not isinstance(part.data, list) or not part.data:
        raise UserError(f"{part.where()}: vocabulary: must be a non-empty list of {{code, meaning}}")
    entries: list[VocabularyEntry] = []
    seen: set[ReasonCode] = set()
    for index, item in enumerate(part.data):
        if (
            isinstance(item, dict)
            and isinstance(item.get("code"), str)
            and item["code"] not in set(ReasonCode)
        ):
            valid = ", ".join(ReasonCode)
            raise UserError(
                f"{part.where(index, 'code')}: {item['code']!r} is not a reason code of "
                f"reunify.domain.reasons (valid: {valid})"
            )
        try:
            entry = VocabularyEntry.model_validate(item)
        except ValidationError as exc:
            raise _first_error(_Located(part.source, (*part.path, index), item), exc) from exc
        if entry.code in seen:
            raise UserError(f"{part.where(index, 'code')}: reason code {entry.code} listed twice")
        seen.add(entry.code)
        entries.append(entry)
    if ReasonCode.UNKNOWN not in seen:
        raise UserError(
            f"{part.where()}: the vocabulary must include UNKNOWN (used when no reason is recorded)"
        )
    return tuple(entries)


def _framework(part: _Located, codes: set[ReasonCode]) -> Framework:
    raw = part.data
    if not isinstance(raw, dict):
        raise UserError(
            f"{part.where()}: a framework is a mapping (id, title, issuer, in_force, quote, citation, rules)"
        )
    _precheck_rules(part, raw, codes)
    try:
        framework = Framework.model_validate(raw)
    except ValidationError as exc:
        raise _first_error(part, exc) from exc
    _check_windows(part, framework)
    _check_coverage(part, framework, codes)
    return framework


def _precheck_rules(part: _Located, raw: dict[str, Any], codes: set[ReasonCode]) -> None:
    """Clearer messages than pydantic's for the two mistakes a reviewer is likeliest to make."""
    valid = {c.value for c in codes}
    for index, rule in enumerate(raw.get("rules") or []):
        if not isinstance(rule, dict):
            continue
        if not str(rule.get("citation") or "").strip():
            rule_id = rule.get("id", f"#{index + 1}")
            raise UserError(f"{part.where('rules', index)}: rule {rule_id!r} has no citation")
        for code_index, code in enumerate(rule.get("reason_codes") or []):
            if code not in valid:
                raise UserError(
                    f"{part.where('rules', index, 'reason_codes', code_index)}: reason code {code!r} "
                    f"is not in the vocabulary (valid: {', '.join(sorted(valid))})"
                )


def _check_windows(part: _Located, framework: Framework) -> None:
    """Each window ends after it starts, and no two windows of a framework share a day."""
    windows = framework.in_force
    for i, window in enumerate(windows):
        if window.until is not None and window.until <= window.start:
            raise UserError(f"{part.where('in_force', i)}: window {window.describe()} ends before it starts")
        for earlier in windows[:i]:
            if earlier.overlaps(window):
                raise UserError(
                    f"{part.where('in_force', i)}: framework {framework.id!r} window {window.describe()} "
                    f"overlaps {earlier.describe()}"
                )


def _check_coverage(part: _Located, framework: Framework, codes: set[ReasonCode]) -> None:
    """Every vocabulary code has exactly one rule in the framework."""
    covered: dict[ReasonCode, Rule] = {}
    for index, rule in enumerate(framework.rules):
        for code in rule.reason_codes:
            if code in covered:
                raise UserError(
                    f"{part.where('rules', index)}: reason code {code} has two rules in {framework.id!r} "
                    f"({covered[code].id!r} and {rule.id!r})"
                )
            covered[code] = rule
    missing = [code.value for code in ReasonCode if code in codes and code not in covered]
    if missing:
        raise UserError(
            f"{part.where('rules')}: framework {framework.id!r} has no rule for {', '.join(missing)}"
        )


def _check_unique_ids(frameworks: Iterable[Framework], parts: Sequence[_Located]) -> None:
    seen_frameworks: dict[str, str] = {}
    seen_rules: dict[str, str] = {}
    for framework, part in zip(frameworks, parts, strict=True):
        if framework.id in seen_frameworks:
            first = seen_frameworks[framework.id]
            raise UserError(f"{part.where('id')}: framework id {framework.id!r} already used at {first}")
        seen_frameworks[framework.id] = part.where("id")
        for index, rule in enumerate(framework.rules):
            if rule.id in seen_rules:
                first = seen_rules[rule.id]
                raise UserError(
                    f"{part.where('rules', index, 'id')}: rule id {rule.id!r} already used at {first}"
                )
            seen_rules[rule.id] = part.where("rules", index, "id")
