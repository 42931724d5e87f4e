import pytest

from evals.stats import aggregate, bootstrap, compare
from evals.thresholds import check_thresholds, parse_thresholds


def test_bootstrap_is_seeded_and_brackets_the_mean() -> None:
    values = [0.0, 1.0] * 20
    first, second = bootstrap(values, key="m"), bootstrap(values, key="m")
    assert first == second
    assert first is not None
    assert first.value == 0.5 and first.low < 0.5 < first.high and first.n == 40
    assert bootstrap([], key="m") is None
    constant = bootstrap([1.0, 1.0, 1.0], key="m")
    assert constant is not None and constant.low == constant.high == 1.0


def test_aggregate_skips_metrics_that_do_not_apply() -> None:
    rows = [
        {"faithfulness": 1.0, "latency_ms": 10.0, "hit@5": None},
        {"faithfulness": 0.5, "latency_ms": 30.0, "hit@5": None},
    ]
    out = aggregate(rows)
    assert out["faithfulness"]["value"] == 0.75 and out["faithfulness"]["n"] == 2
    assert "hit@5" not in out
    assert out["latency_p95_ms"]["value"] == pytest.approx(29.0)


def test_all_refused_run_aggregates_only_what_applies() -> None:
    rows = [{"refusal_correct": 1.0, "faithfulness": None}] * 3
    out = aggregate(rows)
    assert out["refusal_correct"]["value"] == 1.0
    assert "faithfulness" not in out


def test_paired_comparison_flags_a_regression_and_nothing_else() -> None:
    a = {f"q{i}": {"faithfulness": 1.0, "latency_ms": 100.0, "hit@5": 1.0} for i in range(30)}
    b = {
        f"q{i}": {"faithfulness": 0.0 if i < 15 else 1.0, "latency_ms": 50.0, "hit@5": 1.0}
        for i in range(30)
    }
    b["only-in-b"] = {"faithfulness": 0.0}
    by_metric = {c.metric: c for c in compare(a, b)}
    faith = by_metric["faithfulness"]
    assert faith.n == 30 and faith.delta == -0.5
    assert faith.regression and not faith.improvement and faith.p_value < 0.01
    assert by_metric["latency_ms"].improvement  # lower is better
    same = by_metric["hit@5"]
    assert not same.regression and not same.improvement and same.p_value == 1.0


def test_thresholds_follow_each_metric_direction() -> None:
    spec = parse_thresholds("faithfulness=0.9, hit@5=0.8,forbidden_leakage=0,mrr=0.5")
    assert spec == {"faithfulness": 0.9, "hit@5": 0.8, "forbidden_leakage": 0.0, "mrr": 0.5}
    aggregates = {
        "faithfulness": {"value": 0.95},
        "hit@5": {"value": 0.7},
        "forbidden_leakage": {"value": 0.0},
    }
    checks = {c.metric: c for c in check_thresholds(aggregates, spec)}
    assert checks["faithfulness"].passed
    assert not checks["hit@5"].passed
    assert checks["forbidden_leakage"].passed and checks["forbidden_leakage"].rule == "≤ 0"
    assert not checks["mrr"].passed  # measured nothing: a miss


@pytest.mark.parametrize("spec", ["faithfulness", "nope=1", "mrr=high"])
def test_bad_threshold_says_what_to_write(spec: str) -> None:
    with pytest.raises(ValueError, match="bad threshold"):
        parse_thresholds(spec)
