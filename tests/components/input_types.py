"""Nested inputs against the provider SDK's own input types: every key a property the type declares, every required
property there.

A component may pass a nested block as a plain dict (`rules=[{"id": ..., "status": "Enabled"}]`). The SDK translates
the keys it knows and sends any other key as it is, the mocks accept it, and the provider then ignores the key or
refuses the block for the property it lacks: `pulumi up` fails, or the setting silently does not exist. The SDK's
generated classes (`@pulumi.input_type`, e.g. pulumi_aws `BucketLifecycleConfigurationRuleArgs`) are the provider
schema's types, so they say which keys each block has and which are required. Kubernetes objects are checked against
the cluster's OpenAPI schemas instead (tests/manifests.py).

The SDK's own readers are used (`pulumi._types`: `unwrap_type`, `input_type_types`, and the private
`_required_property_names`, which its union matching uses); pulumi is pinned (requirements.in), and a rename there
fails these tests loudly rather than passing them.
"""

from __future__ import annotations

import collections.abc
import importlib
import sys
import typing
from typing import Any

from pulumi import _types

from preflight.harness import Plan, RecordedResource, reveal

PACKAGES = {"aws": "pulumi_aws", "databricks": "pulumi_databricks"}
"""The providers whose resources are checked: package prefix of the type token -> Python package."""

_SEQUENCES = (list, collections.abc.Sequence)
_MAPPINGS = (dict, collections.abc.Mapping)


def args_type(type_token: str) -> type | None:
    """The input type of a resource type (`aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration` ->
    pulumi_aws.s3.bucket_lifecycle_configuration's `BucketLifecycleConfigurationArgs`). Where a nested type of the
    module already has that name, the SDK names the resource's own `<Name>InitArgs`; either is defined in the
    resource's own module, which tells it from the nested one."""
    package, module_token, name = type_token.split(":")
    module = module_token.split("/")[0]
    resource = getattr(importlib.import_module(PACKAGES[package] if module == "index"
                                               else f"{PACKAGES[package]}.{module}"), name)
    own = sys.modules[resource.__module__]
    for candidate in (f"{name}InitArgs", f"{name}Args"):
        cls = getattr(own, candidate, None)
        if isinstance(cls, type) and cls.__module__ == own.__name__ and _types.is_input_type(cls):
            return cls
    return None


def value_problems(value: Any, declared: Any, where: str) -> list[str]:
    """What of `value` (wire inputs: the engine's camelCase names) the declared type refuses: a key of a block that
    is no property of its input type, or a required property missing; lists and maps are walked element by element,
    anything else (a string, a number, free-form `Any`) is left to the provider."""
    declared = _types.unwrap_type(declared)
    origin = typing.get_origin(declared)
    problems: list[str] = []
    if isinstance(value, dict) and isinstance(declared, type) and _types.is_input_type(declared):
        properties = _types.input_type_types(declared)
        problems += [f"{where}: lacks {name}, required by {declared.__name__}"
                     for name in sorted(_types._required_property_names(declared)) if name not in value]
        for key, inner in value.items():
            if key in properties:
                problems += value_problems(inner, properties[key], f"{where}.{key}")
            else:
                problems.append(f"{where}.{key}: no property of {declared.__name__} (one of {sorted(properties)})")
    elif isinstance(value, list) and origin in _SEQUENCES:
        (element,) = typing.get_args(declared)
        for i, inner in enumerate(value):
            problems += value_problems(inner, element, f"{where}[{i}]")
    elif isinstance(value, dict) and origin in _MAPPINGS and len(typing.get_args(declared)) == 2:
        for key, inner in value.items():
            problems += value_problems(inner, typing.get_args(declared)[1], f"{where}.{key}")
    return problems


def checked_resources(plan: Plan) -> list[RecordedResource]:
    """The plan's custom resources of the providers in PACKAGES."""
    return [r for r in plan.registered if r.custom and r.type.split(":")[0] in PACKAGES]


def input_problems(plan: Plan) -> list[str]:
    """Every problem `value_problems` finds in the inputs of the plan's checked resources, or a resource type with
    no input type to check against."""
    problems: list[str] = []
    for resource in checked_resources(plan):
        declared = args_type(resource.type)
        if declared is None:
            problems.append(f"{resource.name}: no input type found for {resource.type}")
            continue
        problems += value_problems(reveal(resource.inputs), declared, resource.name)
    return problems
