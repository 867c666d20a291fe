"""`aws-ec2-launch-template-imdsv2`: launch templates require IMDSv2 tokens with a hop limit of 1.

With a hop limit of 1 a pod cannot reach the node's instance metadata (and the node role's credentials):
pods get their AWS identity through IRSA instead. A template with the metadata endpoint disabled passes.
A node group without a launch template gets EKS's default one (hop limit 2: pods reach the metadata):
refused too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._support import Resource, Verdict, dig, is_unknown, resource_policy

NAME = "aws-ec2-launch-template-imdsv2"


NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"


def check(resource: Resource, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    if resource.type == NODE_GROUP:
        template = resource.props.get("launchTemplate")
        if is_unknown(template):
            verdict.cannot_judge("launchTemplate")
        elif not template:
            verdict.violation("has no launchTemplate: EKS's default template sets httpPutResponseHopLimit 2, so pods "
                              "reach the node role's credentials; pass a launch template requiring IMDSv2 with hop "
                              "limit 1.")
        return verdict
    options = resource.props.get("metadataOptions")
    if is_unknown(options):
        verdict.cannot_judge("metadataOptions")
        return verdict
    endpoint = dig(options, "httpEndpoint")
    if endpoint == "disabled":
        return verdict
    tokens = dig(options, "httpTokens")
    hops = dig(options, "httpPutResponseHopLimit")
    max_hops = config.get("maxHopLimit", 1)
    for path, value in (("httpTokens", tokens), ("httpPutResponseHopLimit", hops), ("httpEndpoint", endpoint)):
        if is_unknown(value):
            verdict.cannot_judge(f"metadataOptions.{path}")
    if not is_unknown(tokens) and tokens != "required":
        verdict.violation(f"metadataOptions.httpTokens is {tokens or 'not set (optional)'}; set it to required "
                          "(IMDSv2).")
    if not is_unknown(hops) and not (isinstance(hops, int | float) and hops <= max_hops):
        shown = f"{hops:g}" if isinstance(hops, int | float) else "not set"
        verdict.violation(f"metadataOptions.httpPutResponseHopLimit is {shown}; set it to {max_hops:g} so pods "
                          "cannot reach the node's metadata.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="Launch templates must require IMDSv2 (metadataOptions.httpTokens: required) with "
                "httpPutResponseHopLimit 1; EKS node groups must use such a template.",
    resource_types=["aws:ec2/launchTemplate:LaunchTemplate", NODE_GROUP],
    check=check,
    config_properties={"maxHopLimit": {"type": "integer", "minimum": 1, "default": 1,
                                       "description": "Highest hop limit allowed."}},
)
