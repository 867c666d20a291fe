"""Every rule, on every resource of the shipped stacks, with one value at a time not known yet.

During a preview a value computed from another resource's output is unknown; a rule must then judge what it
knows and name what it does not (`_support`: the analyzer's advisory "can't run policy during preview" note),
never conclude as if it knew. Written once for all rules, from two consequences of that contract, on each value
(each leaf and each object or list) of each resource a rule reads, in each shipped stack's plan (which every
rule passes):

- **decisive**: when another value there (a flipped boolean; an empty, wildcard, open or altered string; an empty
  list or object; another number) makes the rule report something it does not report now, the value decides the
  verdict, so with it unknown the rule must name a path it could not judge;
- **never a finding from not knowing**: with the value unknown the rule reports no violation it does not report
  on the known value (some value there passes, so an unknown one may too).

Mutation testing found `cannot_judge` branches that no rule test fed an unknown (issue 21); this is the
class-wide check. The exceptions below are where a rule, by design, concludes without the value, each with why.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pytest

from policies.rules._support import UNKNOWN, Resource, StackView, Verdict, _config
from preflight.harness import RecordedResource, reveal
from preflight.harness import plain as wire_plain
from preflight.policy import read_policy_config
from tests.support import PROJECT_DIR, STACKS, preflight_plan

RULES = sorted(p.stem for p in (PROJECT_DIR / "policies" / "rules").glob("[a-z]*.py"))

# (policy, resource type, path with list indices as [*]) -> why the rule concludes without the value.
CONCLUDES_WITHOUT: dict[tuple[str, str, str], str] = {
    ("aws-eks-cluster-secrets-encryption", "aws:eks/cluster:Cluster", "encryptionConfig.provider.keyArn"):
        "an unknown key ARN is another resource's output, so it is set; that it is set is what the rule asks",
    ("aws-network-subnets-of-own-vpc", "aws:rds/instance:Instance", "replicateSourceDb"):
        "a replica that depends on a database this plan places is same-region, whatever its source's name: a "
        "cross-region source needs another region's provider, and a same-region source is named by ARN only beside "
        "dbSubnetGroupName (provider docs, `replicate_source_db`), which places the replica itself",
}

# A stack policy joins a resource to the one it references by value (a bucket's `bucket`, a namespace's name) and,
# while either is unknown, by the engine's dependency edge between them (`_support.join_by_reference`): an unknown
# reference is then judged through the edge, and the check below asserts the edge is there.
JOINED_BY_EDGE: frozenset[tuple[str, str, str]] = frozenset({
    ("aws-s3-bucket-encryption-kms", "aws:s3/bucket:Bucket", "bucket"),
    ("aws-s3-bucket-encryption-kms", "aws:s3/bucketServerSideEncryptionConfiguration:"
                                     "BucketServerSideEncryptionConfiguration", "bucket"),
    ("aws-s3-bucket-public-access-block", "aws:s3/bucket:Bucket", "bucket"),
    ("aws-s3-bucket-public-access-block", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "bucket"),
    *((policy, "kubernetes:networking.k8s.io/v1:NetworkPolicy", path)
      for policy in ("kubernetes-namespace-default-deny-egress", "kubernetes-namespace-egress-reaches-aws-endpoints")
      for path in ("metadata", "metadata.namespace")),
    ("kubernetes-namespace-default-deny-egress", "kubernetes:core/v1:Namespace", "metadata.name"),
    ("kubernetes-namespace-quota-and-limits", "kubernetes:core/v1:Namespace", "metadata.name"),
    ("kubernetes-namespace-quota-and-limits", "kubernetes:core/v1:ResourceQuota", "metadata.namespace"),
    ("kubernetes-namespace-quota-and-limits", "kubernetes:core/v1:LimitRange", "metadata.namespace"),
    ("kubernetes-networkpolicy-enforced", "aws:eks/cluster:Cluster", "name"),
    ("kubernetes-networkpolicy-enforced", "aws:eks/addon:Addon", "clusterName"),
})

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Rule:
    policy: str
    stack_wide: bool
    check: Callable[..., Verdict]
    types: frozenset[str]
    config: Callable[[Mapping[str, Any] | None], dict[str, Any]]
    stacks: list[str] | None


@functools.cache
def _rule(module: str) -> Rule:
    """The parts `_support.resource_policy`/`stack_policy` closed over (the check, the types, the schema)."""
    mod = importlib.import_module(f"policies.rules.{module}")
    policy = mod.policy
    stack_wide = type(policy).__name__ == "StackValidationPolicy"
    validate = vars(policy)[f"_{type(policy).__name__}__validate"]
    closed = inspect.getclosurevars(validate).nonlocals
    schema = closed["schema"]
    return Rule(mod.NAME, stack_wide, closed["check"], closed["types"],
                lambda given: _config(schema, given), closed["stacks"])


def _as_rule_resource(r: RecordedResource, props: Mapping[str, Any], provider: RecordedResource | None
                      ) -> Resource:
    """As the analyzer hands it to a rule: references as their id or URN, secrets as their value."""
    return Resource(r.type, r.name, r.urn, reveal(wire_plain(props)), protect=bool(r.options["protect"]),
                    delete_before_replace=bool(r.options["deleteBeforeReplace"]),
                    provider_props=reveal(wire_plain(provider.wire_inputs)) if provider else {},
                    dependencies=tuple(r.options["dependsOn"]))


def _values(value: Any, path: Path_ = ()) -> Iterator[tuple[Path_, Any]]:
    if path:
        yield path, value
    if isinstance(value, dict):
        for key, v in value.items():
            yield from _values(v, (*path, key))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _values(v, (*path, i))


def _with(value: Any, path: Path_, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _with(value[head], rest, new)}
    items = list(value)
    items[head] = _with(items[head], rest, new)  # type: ignore[index]
    return items


def _document(value: str) -> Any:
    """An IAM or other JSON document carried as a string (a policy's `policy`), or None."""
    if not value.startswith("{"):
        return None
    try:
        return json.loads(value)
    except ValueError:
        return None


def _others(value: Any) -> list[Any]:
    if isinstance(value, str) and (doc := _document(value)) is not None:
        # The document with one of its values changed: unknown, the whole string is (Output.json_dumps).
        return [json.dumps(_with(doc, path, other)) for path, v in _values(doc) for other in _others(v)]
    if isinstance(value, bool):
        return [not value]
    if isinstance(value, int | float):
        return [0, -1, value + 1]
    if isinstance(value, str):
        return ["", "*", f"{value}x", "0.0.0.0/0"]
    if isinstance(value, list):
        return [[]]
    if isinstance(value, dict):
        return [{}]
    return ["x"]


def _shown(path: Path_) -> str:
    return "".join("[*]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


@dataclass
class Subject:
    """One rule on one stack: its config, and the resources it reads (each resource alone, or the stack's)."""

    rule: Rule
    config: dict[str, Any]
    resources: list[Resource]

    def verdict(self, index: int, props: dict[str, Any]) -> Verdict:
        changed = replace(self.resources[index], props=props)
        if not self.rule.stack_wide:
            return self.rule.check(changed, self.config)
        by_type: dict[str, list[Resource]] = {}
        for i, r in enumerate(self.resources):
            by_type.setdefault(r.type, []).append(changed if i == index else r)
        return self.rule.check(StackView(by_type), self.config)

    def findings(self, verdict: Verdict) -> list[str]:
        exempt = {e["resource"] for e in self.config.get("exemptions") or []}
        return sorted(f.message for f in verdict.findings
                      if not {f.urn or "", (f.urn or "").rsplit("::", 1)[-1]} & exempt)


def _subjects(module: str) -> Iterator[tuple[str, Subject]]:
    rule = _rule(module)
    for stack in STACKS:
        plan = preflight_plan(stack)
        config = rule.config(read_policy_config(PROJECT_DIR, stack).get(rule.policy))
        if rule.stacks is not None and stack not in config["stacks"]:
            continue
        providers = {r.urn: r for r in plan.resources}
        # A resource policy reads inputs; a stack policy, after the update, each resource's outputs.
        chosen = [_as_rule_resource(r, r.wire_inputs if not rule.stack_wide else
                                    r.wire_outputs if r.custom else r.component_outputs, providers.get(r.provider))
                  for r in plan.registered if r.type in rule.types]
        yield stack, Subject(rule, config, chosen)


@dataclass
class Findings:
    problems: list[str]
    decisive: int
    excused: set[tuple[str, str, str]]


@functools.cache
def _judged(module: str) -> Findings:
    out = Findings([], 0, set())
    for stack, subject in _subjects(module):
        # A resource policy judges each resource alone; a stack policy, all of them at once.
        units = [[i] for i in range(len(subject.resources))] if not subject.rule.stack_wide else \
            [list(range(len(subject.resources)))] if subject.resources else []
        for unit in units:
            base = subject.verdict(unit[0], subject.resources[unit[0]].props)
            known = subject.findings(base)
            assert (base.unknown, known) == ([], []), f"{stack}: the shipped plans are known and pass every rule"
            for index in unit:
                res = subject.resources[index]
                for path, value in _values(res.props):
                    if not any(subject.findings(subject.verdict(index, _with(res.props, path, other))) != known
                               for other in _others(value)):
                        continue
                    out.decisive += 1
                    where = f"{stack} {res.type} {res.name} {_shown(path)}"
                    unknown = subject.verdict(index, _with(res.props, path, UNKNOWN))
                    if subject.findings(unknown) != known:
                        out.problems.append(f"{where}: unknown, it is reported: {subject.findings(unknown)}")
                    key = (subject.rule.policy, res.type, _shown(path))
                    if unknown.unknown == []:
                        linked = any(res.urn in r.dependencies or r.urn in res.dependencies
                                     for r in subject.resources)
                        if key in CONCLUDES_WITHOUT or (key in JOINED_BY_EDGE and linked):
                            out.excused.add(key)
                        else:
                            out.problems.append(f"{where}: it decides the verdict, yet unknown it passes unnamed")
    return out


@pytest.mark.parametrize("module", RULES)
def test_a_value_not_known_yet_is_named_and_never_reported(module: str) -> None:
    assert _judged(module).problems == []


def test_most_rules_have_values_that_decide_them_in_the_shipped_stacks() -> None:
    """Else the test above checks nothing: a rule whose resources the shipped stacks lack, or whose verdict no
    changed value moves, is not exercised by it (its own tests cover it)."""
    exercised = [m for m in RULES if _judged(m).decisive]
    assert len(exercised) >= len(RULES) * 3 // 4, sorted(set(RULES) - set(exercised))


def test_every_exception_is_still_needed() -> None:
    """An exception no value needs any more would excuse the next rule change unseen."""
    excused = set().union(*(_judged(m).excused for m in RULES))
    assert (set(CONCLUDES_WITHOUT) | JOINED_BY_EDGE) - excused == set()

