"""The platform, composed: read the stack's config, build each layer in dependency order, export.

No business logic here: what differs per environment is already in the typed config object.
"""

import pulumi

import stack_config

cfg = stack_config.load()

# --- AWS: member account and its provider, baseline, CI identities, KMS-encrypted data stores ---------

# --- Kubernetes: EKS cluster, node pools, pipeline roles (IRSA), namespaces, the Helm release ----------

# --- Databricks: workspace provider, catalogs and schemas, service principal, grants, sandboxes -------

pulumi.export("environment", cfg.environment)
pulumi.export("pipelines_paused", cfg.pipelines_paused)
