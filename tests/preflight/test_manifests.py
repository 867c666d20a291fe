"""preflight.manifests: the objects a yaml/v2 ConfigGroup or ConfigFile renders, as the provider names them."""

from __future__ import annotations

from pathlib import Path

from preflight.harness import UNKNOWN
from preflight.manifests import CONFIG_FILE, CONFIG_GROUP, render, type_token


def test_type_tokens_name_the_core_group() -> None:
    assert type_token({"apiVersion": "v1", "kind": "Secret"}) == "kubernetes:core/v1:Secret"
    assert type_token({"apiVersion": "apps/v1", "kind": "Deployment"}) == "kubernetes:apps/v1:Deployment"


def test_every_source_is_rendered_in_order_with_the_prefix(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: x}\n"
                                           "---\n---\napiVersion: v1\nkind: List\nitems:\n"
                                           "- {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n")
    rendered = render(CONFIG_GROUP, "group", {
        "files": ["m/*.yaml"], "yaml": "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n",
        "objs": [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "sa", "namespace": "x"}}],
        "resourcePrefix": "p"}, tmp_path, UNKNOWN)
    assert [(t, n) for t, n, _ in rendered.objects] == [
        ("kubernetes:core/v1:ConfigMap", "p-x/a"), ("kubernetes:core/v1:Namespace", "p-x"),
        ("kubernetes:core/v1:Secret", "p-s"), ("kubernetes:core/v1:ServiceAccount", "p-x/sa")]
    assert rendered.unread == []


def test_what_is_not_readable_offline_is_named(tmp_path: Path) -> None:
    assert render(CONFIG_FILE, "f", {"file": "absent.yaml"}, tmp_path, UNKNOWN).unread == [
        "absent.yaml is not in the project"]
    group = render(CONFIG_GROUP, "g", {"files": ["https://example.com/m.yaml", UNKNOWN], "objs": UNKNOWN},
                   tmp_path, UNKNOWN)
    assert group.objects == [] and group.unread[:2] == [
        "https://example.com/m.yaml is a URL, not read offline",
        "a file name computed from another resource (known after the update)"] and len(group.unread) == 3
