"""When the pipeline principal's OAuth secret expires, from the rotation date in config: a pure calendar, read by
the config loader (a preflight and `pulumi up` warning) and by the service principal (the secret's lifetime).

Databricks OAuth M2M secrets expire (the provider's `lifetime`, 90 days here); the program can't see the secret's
age, so the stack file's `databricks.pipelineSecretRotation` date is the record of the last rotation.
"""

from __future__ import annotations

from datetime import date, timedelta

SECRET_LIFETIME_DAYS = 90
"""The OAuth M2M secret's lifetime (`oauth_secret_lifetime`'s default, 7776000 s)."""
ROTATION_WARNING_DAYS = 15
"""How long before the secret expires `rotation_warning` starts saying so."""


def rotation_warning(last_rotation: date | None, today: date) -> str | None:
    """One line when the secret made on `last_rotation` expires within ROTATION_WARNING_DAYS (or has expired).

    It counts from the configured date, which is when `pulumi up` made the secret only if it ran that day: a
    rotation key set but not applied reads younger than the secret is."""
    if last_rotation is None:
        return None
    expires = last_rotation + timedelta(days=SECRET_LIFETIME_DAYS)
    if today >= expires:
        return (f"the pipeline principal's OAuth secret of {last_rotation.isoformat()} expired on "
                f"{expires.isoformat()}: jobs fail to authenticate until databricks.pipelineSecretRotation is set to "
                "today and `pulumi up` replaces it")
    if (expires - today).days <= ROTATION_WARNING_DAYS:
        return (f"the pipeline principal's OAuth secret of {last_rotation.isoformat()} expires on "
                f"{expires.isoformat()} ({(expires - today).days} days): set databricks.pipelineSecretRotation to "
                "today and `pulumi up`")
    return None
