"""JSON as Go's encoding/json writes it: the AWS provider and the Pulumi bridge are Go programs, and the
strings they render (a policy document, an object input given where a JSON string is expected) are compared
byte for byte by the next preview."""

from __future__ import annotations

import json
from typing import Any

_GO_ESCAPES = (("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029"))


def go_text(value: Any, indent: int | None = None) -> str:
    """`json.Marshal`/`json.MarshalIndent(v, "", "  ")` of a value whose maps are already in the order Go would
    write them: UTF-8 left as is, HTML characters and the JS line separators escaped."""
    separators = (",", ": ") if indent else (",", ":")
    text = json.dumps(value, indent=indent, separators=separators, ensure_ascii=False)
    for char, escape in _GO_ESCAPES:
        text = text.replace(char, escape)
    return text


def sorted_maps(value: Any) -> Any:
    """Go marshals a map with its keys sorted."""
    if isinstance(value, dict):
        return {k: sorted_maps(value[k]) for k in sorted(value)}
    if isinstance(value, list):
        return [sorted_maps(v) for v in value]
    return value


def go_json(value: Any) -> str:
    """A decoded JSON value marshalled as Go does (maps: keys sorted, compact): how the bridge's
    `TransformJSONDocument` turns a policy-document object into the JSON string the provider stores."""
    return go_text(sorted_maps(value))
