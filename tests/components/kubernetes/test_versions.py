"""The EKS version calendar: a version past extended support is refused by the config, one close to (or past) the
end of standard support makes the preflight warn in one line. The clock is injected, never today's date."""

from __future__ import annotations

import copy
import logging
from datetime import date, timedelta

import pytest

import stack_config
from components.kubernetes.versions import (
    EKS_VERSIONS,
    WARN_DAYS_BEFORE_END_OF_STANDARD_SUPPORT,
    support_problem,
    support_warning,
)
from tests.support import STACKS, plan_with
from tests.test_stack_config import raw_config


def test_the_calendar_is_ordered_and_each_version_has_14_plus_12_months() -> None:
    """EKS user guide, "Understand the Kubernetes version lifecycle on EKS": standard support for 14 months after
    release, extended support for 12 more."""
    for version, support in EKS_VERSIONS.items():
        standard = (support.end_of_standard_support - support.released).days
        extended = (support.end_of_extended_support - support.end_of_standard_support).days
        assert 13 * 30 <= standard <= 15 * 31, version
        assert 365 <= extended <= 366, version
    assert list(EKS_VERSIONS) == sorted(EKS_VERSIONS, key=lambda v: tuple(map(int, v.split("."))))


@pytest.mark.parametrize("stack", STACKS)
def test_the_shipped_version_is_in_standard_support_for_the_warning_window(stack: str) -> None:
    version = stack_config.parse(stack, raw_config(stack)).cluster.version
    assert support_warning(version, date(2026, 12, 1)) is None
    assert EKS_VERSIONS[version].end_of_standard_support > date(2026, 12, 1)


def test_past_extended_support_the_config_refuses_the_version_in_one_line() -> None:
    version = raw_config("prod")["kubernetesVersion"]
    end = EKS_VERSIONS[version].end_of_extended_support
    stack_config.parse("prod", raw_config("prod"), today=end)  # the last day is still supported
    with pytest.raises(stack_config.ConfigError) as info:
        stack_config.parse("prod", raw_config("prod"), today=end + timedelta(days=1))
    message = str(info.value)
    assert message.startswith(f"prod: kubernetesVersion must be a version EKS still supports: {version} left "
                              f"extended support on {end.isoformat()}")
    assert "\n" not in message


def test_the_old_version_is_refused_today() -> None:
    """1.31 left extended support on 2026-11-26: a new 1.31 cluster cannot be created on 2026-12-01."""
    raw = copy.deepcopy(raw_config("dev"))
    raw["kubernetesVersion"] = "1.31"
    with pytest.raises(stack_config.ConfigError, match=r"1\.31 left extended support on 2026-11-26"):
        stack_config.parse("dev", raw, today=date(2026, 12, 1))
    raw["kubernetesVersion"] = "1.99"
    with pytest.raises(stack_config.ConfigError, match="must be an EKS version of the calendar"):
        stack_config.parse("dev", raw, today=date(2026, 12, 1))


def test_the_warning_starts_90_days_before_the_end_of_standard_support() -> None:
    end = EKS_VERSIONS["1.34"].end_of_standard_support
    window = timedelta(days=WARN_DAYS_BEFORE_END_OF_STANDARD_SUPPORT)
    assert support_warning("1.34", end - window - timedelta(days=1)) is None
    assert "leaves standard support on 2026-12-02 (90 days)" in str(support_warning("1.34", end - window))
    assert "left standard support on 2026-12-02" in str(support_warning("1.34", end + timedelta(days=1)))
    assert support_problem("1.34", end + timedelta(days=1)) is None  # warned, not refused


def test_the_preflight_warns_in_one_line_when_the_stacks_version_is_near_its_end(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The program's config load judges the version by the injected clock and warns through the engine's log
    (the preflight's mock engine prints it; `pulumi up` shows it as a warning)."""
    version = raw_config("dev")["kubernetesVersion"]
    near = EKS_VERSIONS[version].end_of_standard_support - timedelta(days=30)
    monkeypatch.setattr(stack_config, "utc_today", lambda: near)
    with caplog.at_level(logging.WARNING):
        plan_with("dev", {})
    warnings = [r.getMessage() for r in caplog.records if "kubernetesVersion" in r.getMessage()]
    assert warnings == [f"dev: kubernetesVersion EKS {version} leaves standard support on "
                        f"{EKS_VERSIONS[version].end_of_standard_support.isoformat()} (30 days); then EKS "
                        "auto-upgrades it; upgrade kubernetesVersion first (control plane, add-ons, node groups)"]
