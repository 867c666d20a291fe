"""The shape of every stack's resource tree, whichever component builds it: each resource sits under the component
that created it and is named after it, and component type tokens follow one pattern.

A URN is made of the type chain of a resource's parents and its name. A resource that loses its parent, or a
component whose token changes, gets a new URN: `pulumi up` then deletes the old resource and creates a new one (or
stops at `protect`), data included. Every components mutant runs this file besides its own module's tests
(bench/mutation.py, `Target.shared`).
"""

from __future__ import annotations

import ast
import re

import pytest

from preflight.harness import STACK_TYPE, denied_default_providers
from preflight.project import load_stack_settings
from tests.support import PROJECT_DIR, STACKS, preflight_plan

# Our components' tokens: `platform:<area>:<ClassName>` (Pulumi: `<package>:<module>:<type>`).
COMPONENT_TOKEN = re.compile(r"^platform:[a-z]+:[A-Z][A-Za-z0-9]*$")


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_is_inside_a_component_named_before_it(stack: str) -> None:
    plan = preflight_plan(stack)
    by_urn = {r.urn: r for r in plan.resources}
    orphans, misnamed = [], []
    for resource in plan.registered:
        parent = by_urn.get(resource.parent)
        if resource.custom and (parent is None or parent.type == STACK_TYPE):
            orphans.append(resource.name)
        elif parent is not None and parent.type != STACK_TYPE and not resource.name.startswith(parent.name):
            misnamed.append(f"{resource.name} under {parent.name}")
    assert orphans == [] and misnamed == []


def _composed_classes() -> set[str]:
    """The names `__main__.py` imports from `components`: the only classes the composition can build at the top."""
    tree = ast.parse((PROJECT_DIR / "__main__.py").read_text())
    return {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
            and (node.module or "").startswith("components.") for alias in node.names}


@pytest.mark.parametrize("stack", STACKS)
def test_only_the_composed_components_sit_at_the_top(stack: str) -> None:
    """The first test lets a component sit directly under the stack, as `__main__.py`'s do; one that a component
    builds and that lost its `parent=self` sits there too, and only its class tells: it is not one `__main__.py`
    imports."""
    plan = preflight_plan(stack)
    by_urn = {r.urn: r for r in plan.resources}
    top = {r.type.rsplit(":", 1)[-1] for r in plan.registered
           if not r.custom and (r.parent not in by_urn or by_urn[r.parent].type == STACK_TYPE)}
    assert top and top <= _composed_classes()


@pytest.mark.parametrize("stack", STACKS)
def test_every_component_token_follows_the_pattern(stack: str) -> None:
    components = [r for r in preflight_plan(stack).registered if not r.custom]
    assert components
    assert [r.type for r in components if not COMPONENT_TOKEN.match(r.type)] == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_parent_is_registered(stack: str) -> None:
    """(A URN registered twice fails the run itself, as the engine does: tests/preflight/test_harness.py.)"""
    plan = preflight_plan(stack)
    assert {r.parent for r in plan.registered} <= {r.urn for r in plan.resources}


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_is_created_through_an_explicit_provider(stack: str) -> None:
    """A resource on a default provider acts with the ambient credentials: in CI, the management account (or the
    kubeconfig's cluster), not the stack's member account. Every component passes its providers down (`parent`
    and `providers` inherit, Pulumi docs "Resource options: provider(s)"); one that drops its `opts` sends its
    children to the defaults, with every other check green."""
    defaults = sorted(r.urn.rsplit("::", 1)[-1] for r in preflight_plan(stack).registered
                      if r.custom and not r.type.startswith("pulumi:providers:") and not r.provider)
    assert defaults == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_invoke_goes_through_an_explicit_provider(stack: str) -> None:
    """An invoke on a default provider reads the ambient account: the caller identity, the zones, a secret of the
    management account where the member's was meant. `parent=` passes the parent's providers on to an invoke (the
    SDK's `invoke`); a bare `InvokeOptions()` does not."""
    plan = preflight_plan(stack)
    assert plan.invokes
    assert sorted(i.token for i in plan.invokes if not i.provider) == []


@pytest.mark.parametrize("stack", STACKS)
def test_the_engine_refuses_every_default_provider(stack: str) -> None:
    """`pulumi:disable-default-providers: ["*"]` (Pulumi.yaml, for every stack) makes `up` fail on a resource or an
    invoke that names no provider, whichever check here misses it; the preflight refuses the same."""
    assert "*" in denied_default_providers(load_stack_settings(PROJECT_DIR, stack).config)
