"""CrossGuard policy packs (`least-privilege`, `prod-guardrails`) and the rules they assemble (`policies.rules`)."""
