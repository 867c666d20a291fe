"""What the Kubernetes provider renders for a `yaml/v2` ConfigGroup or ConfigFile: one child per object.

Both are multi-language components: the provider, not the SDK, parses the manifests and registers each object
as a child resource, which every policy then judges like a directly declared one. Under mocks nothing would
render them, so the preflight does it here from the component's inputs (`objs`, `yaml`, `files`, `file`), in
wire form so that values unknown during a preview stay unknown in the children. What cannot be read offline
(a URL, a file that is not in the project, an input computed from another resource during a preview) is
returned as a reason instead: the preflight reports it as a note, and `pulumi preview` renders it for real.
"""

from __future__ import annotations

import glob
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml as yaml_parser

CONFIG_GROUP = "kubernetes:yaml/v2:ConfigGroup"
CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile"
YAML_V2 = (CONFIG_GROUP, CONFIG_FILE)


@dataclass
class Rendered:
    objects: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    """(type token, child resource name, object in wire form) per object, in manifest order."""
    unread: list[str] = field(default_factory=list)
    """Why some manifests could not be rendered offline."""


def type_token(obj: Mapping[str, Any]) -> str:
    """`apps/v1` + `Deployment` -> `kubernetes:apps/v1:Deployment`; the core group is `core`."""
    api_version = str(obj.get("apiVersion") or "")
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"kubernetes:{group_version}:{obj.get('kind')}"


def _child_name(prefix: str, obj: Mapping[str, Any]) -> str:
    # The SDK's docs of `resourcePrefix`: a child is named "<prefix>-<resourceName>"; the resource name is the
    # object's `<namespace>/<name>` (or `<name>` when it has no namespace).
    metadata: Mapping[str, Any] = obj["metadata"] if isinstance(obj.get("metadata"), Mapping) else {}
    name, namespace = metadata.get("name"), metadata.get("namespace")
    return f"{prefix}-{namespace}/{name}" if namespace else f"{prefix}-{name}"


def _documents(text: str) -> Iterator[dict[str, Any]]:
    for doc in yaml_parser.safe_load_all(text):
        if isinstance(doc, dict) and doc.get("kind", "").endswith("List") and isinstance(doc.get("items"), list):
            yield from (item for item in doc["items"] if isinstance(item, dict))
        elif isinstance(doc, dict):
            yield doc


def render(type_: str, name: str, wire_inputs: Mapping[str, Any], project_dir: Path, unknown: str) -> Rendered:
    """The children the provider would register for the component `name` (inputs in wire form; `unknown` is
    the wire sentinel of a value not known yet)."""
    out = Rendered()
    prefix = wire_inputs.get("resourcePrefix")
    prefix = prefix if isinstance(prefix, str) and prefix and prefix != unknown else name
    objects: list[dict[str, Any]] = []
    files = [wire_inputs["file"]] if type_ == CONFIG_FILE and "file" in wire_inputs else wire_inputs.get("files") or []
    for path in files if isinstance(files, list) else [files]:
        if not isinstance(path, str) or path == unknown:
            out.unread.append("a file name computed from another resource (known after the update)")
        elif "://" in path:
            out.unread.append(f"{path} is a URL, not read offline")
        else:
            matches = sorted(glob.glob(path, root_dir=project_dir)) if glob.has_magic(path) else [path]
            found = [m for m in matches if (project_dir / m).is_file()]
            if not found:
                out.unread.append(f"{path} is not in the project")
            for match in found:
                objects.extend(_documents((project_dir / match).read_text()))
    text = wire_inputs.get("yaml")
    if text == unknown:
        out.unread.append("`yaml` computed from another resource (known after the update)")
    elif isinstance(text, str):
        objects.extend(_documents(text))
    objs = wire_inputs.get("objs")
    if objs == unknown:
        out.unread.append("`objs` computed from another resource (known after the update)")
    elif isinstance(objs, list):
        for i, obj in enumerate(objs):
            if isinstance(obj, dict):
                objects.append(obj)
            else:
                out.unread.append(f"objs[{i}] computed from another resource (known after the update)")
    for obj in objects:
        out.objects.append((type_token(obj), _child_name(prefix, obj), obj))
    return out
