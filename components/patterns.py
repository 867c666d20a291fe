"""Shapes of identifiers that the config and several components validate: one definition each, so the config's
check and a component's check of the same value cannot drift apart."""

import re

AWS_ACCOUNT_ID = re.compile(r"^\d{12}$")
AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
IAM_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
DNS_NAME = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$")
GITHUB_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
SANDBOX_USER = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
"""A user name that is valid in a Unity Catalog catalog name (`<user>_sandbox`): lowercase letters, digits, `_`."""
VPC_ID = re.compile(r"^vpc-[0-9a-f]{8,17}$")
SUBNET_ID = re.compile(r"^subnet-[0-9a-f]{8,17}$")
AVAILABILITY_ZONE = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d[a-z]$")
"""A zone name (`eu-west-1a`), not a zone id (`euw1-az1`): subnets are placed by name."""

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                      3288, 3653)
"""The retention periods CloudWatch Logs accepts (PutRetentionPolicy's `retentionInDays`), in days."""
