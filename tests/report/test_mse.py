"""Multiple systems estimation: right on data with a known total, honest when it cannot say."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from reunify.estimate.mse import (
    SIGNALS,
    CaptureData,
    _cells,
    _design,
    capture_histories,
    estimate_unrecorded,
    fit_poisson,
    simulate_histories,
)


def test_capture_histories_read_the_five_signals_and_ignore_other_evidence() -> None:
    data = capture_histories(
        [["legacy_flag", "group_id"], ["narrative", "orr_flag"], ["group_id"], []], SIGNALS
    )
    assert data.observed == 2
    assert data.counts == {(1, 0, 0, 0, 0): 1, (0, 0, 0, 1, 1): 1}
    assert data.list_totals()["narrative"] == 1


def test_irls_agrees_with_statsmodels_glm() -> None:
    rng = np.random.default_rng(3)
    data = simulate_histories(total=300, probabilities=[0.3, 0.5, 0.6, 0.4], rng=rng)
    cells = _cells(4)
    y = np.array([data.counts.get(tuple(int(v) for v in row), 0) for row in cells[1:]], dtype=float)
    x = _design(cells, [(0, 1), (2, 3)])[1:]
    ours = fit_poisson(x, y)
    assert ours is not None
    theirs = sm.GLM(y, x, family=sm.families.Poisson()).fit()
    np.testing.assert_allclose(ours[0], theirs.params, rtol=1e-6, atol=1e-8)
    assert ours[1] == pytest.approx(theirs.llf, rel=1e-9)


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_estimate_is_close_and_interval_covers_a_known_total(seed: int) -> None:
    total = 400
    data = simulate_histories(
        total=total,
        probabilities=[0.35, 0.15, 0.8, 0.55, 0.75],
        rng=np.random.default_rng(seed),
        lists=SIGNALS,
    )
    result = estimate_unrecorded(data, reps=200, seed=seed)
    assert result.estimable
    assert result.total is not None
    assert result.ci_low is not None
    assert result.ci_high is not None
    assert abs(result.total - total) < 0.05 * total
    assert result.ci_low <= total <= result.ci_high
    assert result.ci_low >= result.observed


def test_hidden_families_are_found_when_lists_miss_many() -> None:
    total = 500
    data = simulate_histories(total=total, probabilities=[0.3, 0.25, 0.35], rng=np.random.default_rng(5))
    result = estimate_unrecorded(data, reps=200, seed=5)
    assert result.unobserved is not None
    assert result.unobserved > 50  # a third of families go unrecorded
    assert result.ci_low is not None
    assert result.ci_high is not None
    assert result.ci_low <= total <= result.ci_high


def test_same_seed_same_interval() -> None:
    data = simulate_histories(total=80, probabilities=[0.4, 0.5, 0.6], rng=np.random.default_rng(1))
    a = estimate_unrecorded(data, reps=100, seed=9)
    b = estimate_unrecorded(data, reps=100, seed=9)
    assert (a.total, a.ci_low, a.ci_high) == (b.total, b.ci_low, b.ci_high)


def test_too_few_families_is_not_estimable() -> None:
    data = capture_histories([["legacy_flag"], ["narrative"], ["legacy_flag", "narrative"]], SIGNALS)
    result = estimate_unrecorded(data, reps=50)
    assert not result.estimable
    assert result.total is None
    assert "too few" in result.reason


def test_one_list_with_data_is_not_estimable() -> None:
    data = capture_histories([["narrative"]] * 30, SIGNALS)
    result = estimate_unrecorded(data, reps=50)
    assert not result.estimable
    assert "fewer than two lists" in result.reason
    assert ("legacy_flag", "recorded none of these families") in result.lists_dropped


def test_a_list_that_recorded_everyone_is_not_estimable() -> None:
    evidence = [["custody_path"] + (["narrative"] if i % 2 else []) for i in range(40)]
    result = estimate_unrecorded(capture_histories(evidence, SIGNALS), reps=50)
    assert not result.estimable
    assert "custody_path recorded every family" in result.reason


def test_lists_that_never_overlap_give_no_wild_number() -> None:
    data = CaptureData(lists=("a", "b"), counts={(1, 0): 30, (0, 1): 30})
    result = estimate_unrecorded(data, reps=50)
    assert not result.estimable
    assert result.total is None
