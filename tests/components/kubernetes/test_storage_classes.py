"""The StorageClasses in each stack's plan: `ssd-retain` as the Design Appendix names it, and one explicit default."""

from __future__ import annotations

import pytest

from preflight.harness import reveal
from tests.support import STACKS, preflight_plan

STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass"
# EBS CSI driver docs ("Parameters"; its StorageClass examples): the CSI driver's provisioner name.
EBS_CSI_PROVISIONER = "ebs.csi.aws.com"
# Kubernetes docs, "Change the default StorageClass": the annotation that marks the default class.
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"


@pytest.mark.parametrize("stack", STACKS)
def test_ssd_retain_is_encrypted_gp3_kept_and_bound_where_the_pod_runs(stack: str) -> None:
    """EBS CSI driver StorageClass parameters (its docs, "Parameters"): `type`, `encrypted`, `kmsKeyId`; the class
    is served only by the driver's add-on, so the class waits for it."""
    plan = preflight_plan(stack)
    classes = {c.inputs["metadata"]["name"]: reveal(c) for c in plan.of_type(STORAGE_CLASS)}
    retained = classes["ssd-retain"].inputs
    key = plan.one("aws:kms/key:Key", name=f"{stack}-eks-addons-volume-key")
    assert retained["provisioner"] == EBS_CSI_PROVISIONER
    assert retained["parameters"] == {"type": "gp3", "encrypted": "true", "kmsKeyId": key.outputs["arn"]}
    assert (retained["reclaimPolicy"], retained["volumeBindingMode"]) == ("Retain", "WaitForFirstConsumer")
    ebs = next(a for a in plan.of_type("aws:eks/addon:Addon") if a.inputs["addonName"] == "aws-ebs-csi-driver")
    component = plan.by_urn(plan.of_type(STORAGE_CLASS)[0].parent)
    assert ebs.urn in component.options["dependsOn"]


@pytest.mark.parametrize("stack", STACKS)
def test_exactly_one_of_our_classes_is_the_default_and_it_deletes_its_volumes(stack: str) -> None:
    """The README's Kubernetes row: `ssd-retain` (Retain) and the default `gp3` (Delete), both by the EBS CSI
    driver, every class annotated explicitly (a pre-installed `gp2` may carry the default annotation too)."""
    classes = [reveal(c.inputs) for c in preflight_plan(stack).of_type(STORAGE_CLASS)]
    assert {c["metadata"]["name"]: (c["provisioner"], c["metadata"]["annotations"]) for c in classes} == {
        "ssd-retain": (EBS_CSI_PROVISIONER, {DEFAULT_CLASS_ANNOTATION: "false"}),
        "gp3": (EBS_CSI_PROVISIONER, {DEFAULT_CLASS_ANNOTATION: "true"})}
    defaults = [c for c in classes if c["metadata"]["annotations"][DEFAULT_CLASS_ANNOTATION] == "true"]
    assert len(defaults) == 1
    assert defaults[0]["reclaimPolicy"] == "Delete"
    assert defaults[0]["parameters"]["encrypted"] == "true"
