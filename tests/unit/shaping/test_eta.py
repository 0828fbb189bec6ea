"""The destination part of the simulator's estimate: the slowest of the parts."""

from __future__ import annotations

from kootui.core.shaping import LiveLimits, Rule, RuleBook, shaped_estimate

LIMITS = LiveLimits(
    0.0,
    RuleBook(
        [
            Rule(1, "default", True, 0.0, 0, ()),
            Rule(2, "Google", False, 2.0, 0, ("gmail.com", "googlemail.com")),
        ]
    ),
)


def test_a_limited_destination_decides_when_it_is_the_slowest() -> None:
    recipients = [f"u{i}@gmail.com" for i in range(60)] + [
        f"v{i}@googlemail.com" for i in range(40)
    ]
    recipients += [f"w{i}@example.org" for i in range(1000)]
    estimate = shaped_estimate(recipients, LIMITS, 100.0)
    assert estimate.duration.total_seconds() == 50.0  # 100 Google messages at 2 a second
    assert (estimate.slowest, estimate.slowest_count) == ("Google", 100)


def test_the_workspace_rate_decides_when_no_destination_is_slower() -> None:
    recipients = [f"u{i}@gmail.com" for i in range(10)] + [f"w{i}@example.org" for i in range(990)]
    estimate = shaped_estimate(recipients, LIMITS, 10.0)
    assert estimate.duration.total_seconds() == 100.0
    assert estimate.slowest == ""
