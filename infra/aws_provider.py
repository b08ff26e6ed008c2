"""The AWS provider every resource of a stack is created with: the stack's own, plus its tags.

Tags ``project`` and ``stack`` go on every taggable resource through the
provider's default tags, so dev and prod are told apart in the console and in
Cost Explorer. That takes an explicit provider, and an explicit provider does
not read the stack's ``aws:*`` config as the default one does; so
:func:`stack_provider` forwards every ``aws:*`` key (``aws:region``,
``aws:profile``, ``aws:assumeRoles``, ...) as the default provider would have
read it, secrets staying secret, and merges ``aws:defaultTags`` with ours.

Moving resources from the default provider to this one replaces nothing with
Pulumi CLI 3.151 or later: the engine asks the provider whether its new
configuration needs replacements (pulumi/pulumi#18509), and extra default tags
are an in-place update. The program asks for more (:data:`MINIMUM_CLI`).
"""

from __future__ import annotations

import inspect
import json
import re
import typing
from collections.abc import Mapping
from functools import cache
from typing import Any

import pulumi
import pulumi_aws as aws
from pulumi.runtime.config import is_config_secret

NAMESPACE = "aws:"
#: The Pulumi CLI the project needs, the highest of: 3.151, which moves resources to an
#: explicit provider without replacing them; 3.187, the first to accept ``Pulumi.yaml``'s
#: ``type: object`` config (pulumi/pulumi#20132); 3.217, the first to answer the
#: ``RequirePulumiVersion`` call that checks this (pulumi/pulumi#21429, named so by #21528).
MINIMUM_CLI = ">=3.217.0"
#: The first Pulumi CLI that accepts ``type: object`` config in ``Pulumi.yaml``.
OBJECT_CONFIG_CLI = "3.187.0"


class ProviderConfigError(ValueError):
    """An ``aws:*`` config key the AWS provider has no setting for; the message names it."""


def stack_tags(project: str, stack: str) -> dict[str, str]:
    """What every taggable resource of the stack carries."""
    return {"project": project, "stack": stack}


def stack_provider(
    name: str,
    config: Mapping[str, Any],
    tags: Mapping[str, str],
    opts: pulumi.ResourceOptions | None = None,
) -> aws.Provider:
    """An AWS provider configured as the stack's config configures the default one, plus ``tags``.

    ``config`` is the whole stack config (fully qualified keys); values are the
    CLI's strings (JSON text for structured values) or already typed values.
    """
    return aws.Provider(name, **provider_args(config, tags), opts=opts)


def provider_args(config: Mapping[str, Any], tags: Mapping[str, str]) -> dict[str, Any]:
    """The provider's arguments: every ``aws:*`` config key, and default tags with ``tags``."""
    kinds = _provider_parameters()
    args: dict[str, Any] = {}
    for key, raw in config.items():
        if not key.startswith(NAMESPACE):
            continue
        parameter = _snake(key.removeprefix(NAMESPACE))
        if parameter not in kinds:
            raise ProviderConfigError(f"config {key} is not a setting of the AWS provider")
        value = raw if kinds[parameter] is str or not isinstance(raw, str) else _decoded(key, raw)
        args[parameter] = pulumi.Output.secret(value) if is_config_secret(key) else value
    own = args.pop("default_tags", None) or {}
    if isinstance(own, pulumi.Output):
        raise ProviderConfigError("config aws:defaultTags must not be a secret (tags are not)")
    merged = {**(own.get("tags") or {}), **tags}
    _check_tag_keys(merged)
    args["default_tags"] = {**own, "tags": merged}
    return args


def _check_tag_keys(tags: Mapping[str, str]) -> None:
    """Refuse keys that differ only in case: IAM takes them as one and refuses the role.

    IAM's tag keys are case-insensitive (``Duplicate tag keys found``), and every
    role the program creates carries these tags.
    """
    seen: dict[str, str] = {}
    for key in tags:
        other = seen.setdefault(key.lower(), key)
        if other != key:
            raise ProviderConfigError(
                f"config aws:defaultTags: tags {other!r} and {key!r} differ only in case (the "
                "stack's own are project and stack); IAM takes tag keys case-insensitively and "
                "refuses both on a role: drop one, or name it otherwise"
            )


@cache
def _provider_parameters() -> dict[str, Any]:
    """Each provider argument and its plain type (``str`` for strings)."""
    parameters = inspect.signature(aws.ProviderArgs.__init__).parameters
    return {
        name: typing.get_args(parameter.annotation)[0]
        for name, parameter in parameters.items()
        if name != "__self__"
    }


def _decoded(key: str, raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise ProviderConfigError(f"config {key}: {raw!r} is not a valid value") from None


def _snake(camel: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", camel).lower()
