"""CrossGuard policy packs (`least-privilege`, `platform-integrity`, `prod-guardrails`) and the rules they assemble
(`policies.rules`)."""
