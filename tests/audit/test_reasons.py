"""Stage 4: reasons read from fields and narratives, shorthand and negations, disagreement."""

from __future__ import annotations

import pytest

from reunify.audit.reasons import (
    family_reasons,
    read_reason_text,
    says_separated,
    says_together,
    separation_sentences,
)
from reunify.domain.reasons import ReasonCode as R


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Immigration History Only", [R.IMMIGRATION_HISTORY]),
        ("prior removal x2 - 212(a)(9)", [R.IMMIGRATION_HISTORY]),
        ("Prior ER / reinstatement", [R.IMMIGRATION_HISTORY]),
        ("IMMIGRATION_HISTORY", [R.IMMIGRATION_HISTORY]),
        ("Zero Tolerance Policy", [R.PROSECUTION]),
        ("Sent for\nprosecution", [R.PROSECUTION]),
        (
            "Parent has Criminal history (US or Home Country); sent for immigration prosecution",
            [R.PROSECUTION, R.CRIMINAL_HISTORY],
        ),
        ("Felony conviction - agg assault", [R.CRIMINAL_HISTORY_SERIOUS]),
        ("Criminal - DUI", [R.CRIMINAL_HISTORY_OTHER]),
        ("Unable to verify familial\nrelationship.", [R.RELATIONSHIP_NOT_ESTABLISHED]),
        ("Parent has communicable disease (TB)", [R.COMMUNICABLE_DISEASE]),
        ("Parent has health\nissues/hospitalized", [R.PARENT_MEDICAL]),
    ],
)
def test_free_text_reasons_map_to_every_code_they_name(text: str, codes: list[R]) -> None:
    assert sorted(read_reason_text(text)) == sorted(codes)


def test_negations_are_honoured() -> None:
    assert R.CRIMINAL_HISTORY not in read_reason_text("Record checks revealed no criminal history")
    assert not says_separated("Subject was not separated from her children.")
    assert says_separated("Subject was separated from her son JOSE (8), UAC referred to ORR.")


@pytest.mark.parametrize(
    "text",
    [
        "FMUA, no separation.",
        "Subject presented with her child. Family unit, no separation. Processed NTA.",
        "No separation of the family occurred.",
    ],
)
def test_no_separation_is_not_a_separation(text: str) -> None:
    # "NO" is a negation word (in narrative.yaml it must be quoted: bare NO is YAML's false)
    assert not says_separated(text)


def test_a_negation_word_that_is_not_a_string_is_refused() -> None:
    from reunify.audit.reasons import _words

    assert _words(["no", "NOT"], "negation.before") == frozenset({"NO", "NOT"})
    with pytest.raises(ValueError, match="quote it"):
        _words([False, "NOT"], "negation.before")


def test_only_separation_sentences_carry_the_reason() -> None:
    narrative = (
        "Subject presented with her son. NCIC/TECS revealed criminal history. "
        "Subject has two prior removals (2009, 2014). "
        "Subject was separated from her son due to having two previous removals from the United States."
    )
    assert separation_sentences(narrative) == [
        "Subject was separated from her son due to having two previous removals from the United States."
    ]
    got = family_reasons(
        reason_fields=[], narratives=[narrative], prosecution_flag=False, criminal_flag=True, to_usms=False
    )
    assert got.codes == [R.IMMIGRATION_HISTORY]
    assert got.source == "narrative"


def test_the_reason_field_outranks_the_narrative_and_disagreement_is_reported() -> None:
    got = family_reasons(
        reason_fields=["Zero Tolerance Policy"],
        narratives=["Due to criminal history subject was separated from his son, UAC referred to ORR."],
        prosecution_flag=False,
        criminal_flag=False,
        to_usms=False,
    )
    assert got.codes == [R.PROSECUTION]
    assert got.source == "reason_field"
    assert "narrative: CRIMINAL_HISTORY" in got.disagreement
    assert "Zero Tolerance Policy" in got.texts


def test_record_checks_refine_a_bare_criminal_history() -> None:
    got = family_reasons(
        reason_fields=["Criminal History"],
        narratives=["NCIC revealed conviction for aggravated assault. Subject separated from his son."],
        prosecution_flag=False,
        criminal_flag=True,
        to_usms=False,
    )
    assert got.codes == [R.CRIMINAL_HISTORY_SERIOUS]


def test_nothing_recorded_is_unknown_not_a_guess() -> None:
    got = family_reasons(
        reason_fields=[], narratives=[], prosecution_flag=False, criminal_flag=False, to_usms=False
    )
    assert got.codes == [R.UNKNOWN]
    flagged = family_reasons(
        reason_fields=[], narratives=[], prosecution_flag=False, criminal_flag=False, to_usms=True
    )
    assert flagged.codes == [R.PROSECUTION]
    assert flagged.source == "structured_flags"


def test_together_is_evidence_only_without_a_separation_sentence() -> None:
    assert says_together("FMUA processed together. NCIC/TECS checks negative.")
    assert not says_together("Family processed together. Subject was later separated from her son.")
