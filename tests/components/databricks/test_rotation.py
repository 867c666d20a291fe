"""The pipeline principal's OAuth secret is rotated before it expires: the config's rotation date is checked and
the preflight (and `pulumi up`) warn ahead of the expiry (issue 17: "rotated before its 90-day expiry")."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import stack_config
from components.databricks.rotation import rotation_warning
from tests.test_stack_config import raw_config

ROTATED = date(2026, 11, 20)
EXPIRES = ROTATED + timedelta(days=90)  # the lifetime the service principal's secret is created with


def test_no_warning_while_the_secret_has_more_than_fifteen_days_left() -> None:
    assert rotation_warning(ROTATED, EXPIRES - timedelta(days=16)) is None
    assert rotation_warning(None, EXPIRES) is None


def test_a_warning_from_fifteen_days_before_the_expiry() -> None:
    warning = rotation_warning(ROTATED, EXPIRES - timedelta(days=15))
    assert warning is not None and "expires on 2027-02-18 (15 days)" in warning
    assert "databricks.pipelineSecretRotation" in warning


def test_an_expired_secret_is_said_to_be_expired() -> None:
    assert "expired on 2027-02-18" in str(rotation_warning(ROTATED, EXPIRES))
    assert "expired on 2027-02-18" in str(rotation_warning(ROTATED, EXPIRES + timedelta(days=100)))


def test_the_secret_is_created_with_the_lifetime_the_warning_counts() -> None:
    from tests.databricks.snippets import platform_plan

    secret = platform_plan("dev").one("databricks:index/servicePrincipalSecret:ServicePrincipalSecret")
    assert secret.inputs["lifetime"] == f"{90 * 24 * 3600}s"


@pytest.mark.parametrize(("value", "accepted"), [
    ("2026-12-03", True),  # tomorrow in UTC: someone's today
    ("2026-12-04", False),
    ("2026-02-28", True),
    ("2026-02-30", False),
])
def test_the_rotation_date_is_a_real_day_no_later_than_today(value: str, accepted: bool) -> None:
    raw = raw_config("dev")
    raw["databricks"] = {**raw["databricks"], "pipelineSecretRotation": value}
    if accepted:
        stack_config.parse("dev", raw, today=date(2026, 12, 2))
    else:
        with pytest.raises(stack_config.ConfigError, match=r"databricks\.pipelineSecretRotation must"):
            stack_config.parse("dev", raw, today=date(2026, 12, 2))
