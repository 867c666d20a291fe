"""The cluster's StorageClasses for the EBS CSI driver: `ssd-retain` (the Design Appendix's class for PostgreSQL
and MinIO: gp3, encrypted with the account's volume key, volumes kept when their claim goes) and `gp3`, the
default class, for claims that name none.

The default is explicit because a new cluster's own `gp2` class (in-tree provisioner, served through the CSI
driver since CSI migration) provisions unencrypted gp2, and whether it carries the default annotation depends on
the version the cluster was created with; `gp3` (not `ssd-retain`) is the default because a claim that names no
class is scratch space, and a Retain default would keep every such volume, billed, after its claim is gone.
Since Kubernetes 1.26, when several classes carry the default annotation the newest is used, so our `gp3` wins
over any pre-installed one.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs
from pulumi_kubernetes.storage.v1 import StorageClass

EBS_CSI_PROVISIONER = "ebs.csi.aws.com"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
RETAINED_CLASS = "ssd-retain"
DEFAULT_CLASS = "gp3"


@dataclass(frozen=True)
class StorageClassesArgs:
    volume_key_arn: pulumi.Input[str]
    """KMS key every provisioned volume is encrypted with (a key of the cluster's account)."""


class StorageClasses(pulumi.ComponentResource):
    """`ssd-retain` (Retain) and the default `gp3` (Delete), both encrypted gp3, bound when a pod is scheduled."""

    def __init__(self, name: str, args: StorageClassesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("platform:kubernetes:StorageClasses", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        def storage_class(class_name: str, reclaim_policy: str, default: bool) -> StorageClass:
            return StorageClass(
                f"{name}-{class_name}",
                metadata=ObjectMetaArgs(name=class_name,
                                        annotations={DEFAULT_CLASS_ANNOTATION: "true" if default else "false"}),
                provisioner=EBS_CSI_PROVISIONER,
                parameters=pulumi.Output.from_input(args.volume_key_arn).apply(lambda key: {
                    "type": "gp3", "encrypted": "true", "kmsKeyId": key}),
                reclaim_policy=reclaim_policy,
                # Bound in the zone the pod is scheduled to: an EBS volume cannot follow a pod across zones.
                volume_binding_mode="WaitForFirstConsumer",
                allow_volume_expansion=True,
                opts=child)

        self.retained = storage_class(RETAINED_CLASS, "Retain", default=False)
        self.default = storage_class(DEFAULT_CLASS, "Delete", default=True)
        self.register_outputs({})
