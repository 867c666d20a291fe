"""The verdict cache of tests/policies/helpers.py: one evaluation per plan, never another plan's."""

from __future__ import annotations

import gc
import weakref

import pytest

from policies.rules.aws_s3_bucket_public_access_block import NAME
from preflight.harness import Plan
from tests.policies import helpers
from tests.policies.helpers import of_policy, snippet_plan


def test_a_plan_at_a_recorded_id_gets_its_own_verdicts(tmp_path_factory: pytest.TempPathFactory) -> None:
    """CPython reuses a freed object's id: a cache keyed by id alone handed a preview snippet the verdicts of
    the update snippet built before it. An entry for this id recorded with another plan must not be used."""
    plan = snippet_plan(tmp_path_factory, 'import pulumi_aws as aws\naws.s3.Bucket("b")\n')
    impostor = Plan(stack="prod", project="ml-platform", preview=False, resources=[], outputs={})
    helpers._VERDICTS[(id(plan), "null")] = (impostor, [])
    assert of_policy(plan, NAME)  # a bare bucket has no public access block


def test_an_evaluated_plan_is_kept_alive_so_its_id_is_not_reused(tmp_path_factory: pytest.TempPathFactory) -> None:
    plan = snippet_plan(tmp_path_factory, 'import pulumi_aws as aws\naws.s3.Bucket("b")\n')
    of_policy(plan, NAME)
    alive = weakref.ref(plan)
    del plan
    gc.collect()
    assert alive() is not None
