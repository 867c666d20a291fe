"""Regenerate (or `--check`) the pinned offline copy of AWS's managed policies that
`aws-iam-no-admin-policy-attachment` judges attachments by: each policy's ARN and its service-wide grants, computed
by the rule's own `service_wide_grants` from the documents the pinned moto ships
(`moto/iam/aws_managed_policies.py`, a copy of what AWS publishes). Bump moto in the dev lock, then run:

    venv/bin/python -m ci.managed_policies          # rewrite policies/rules/aws_managed_policies.json
    venv/bin/python -m ci.managed_policies --check  # exit 1 if it differs from what the installed moto gives
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import version
from typing import Any

from policies.rules.aws_iam_no_admin_policy_attachment import MANAGED_POLICIES, service_wide_grants


def generate() -> str:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    data: dict[str, Any] = json.loads(aws_managed_policies_data)
    policies = {f"arn:aws:iam::aws:policy{entry['Path']}{name}": service_wide_grants(entry["Document"])
                for name, entry in data.items()}
    lines = [f"  {json.dumps(arn)}: {json.dumps(grants)}" for arn, grants in sorted(policies.items())]
    head = {"source": f"moto {version('moto')}, moto/iam/aws_managed_policies.py (AWS managed policies)",
            "policies": "ARN -> what it allows on every resource that is service-wide or admin-equivalent"}
    return ("{\n" + f'"source": {json.dumps(head["source"])},\n"about": {json.dumps(head["policies"])},\n'
            + '"policies": {\n' + ",\n".join(lines) + "\n}\n}\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 if stale")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        stale = MANAGED_POLICIES.read_text() != text
        if stale:
            print(f"{MANAGED_POLICIES} is stale: run venv/bin/python -m ci.managed_policies", file=sys.stderr)
        return 1 if stale else 0
    MANAGED_POLICIES.write_text(text)
    print(f"wrote {MANAGED_POLICIES} ({len(json.loads(text)['policies'])} policies)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
