"""How a settings field is spelt in a stack file: Pulumi config keys are camelCase."""

from __future__ import annotations


def config_key(field_name: str) -> str:
    """The config key of a field: ``stage_name`` is ``stageName``."""
    first, *rest = field_name.split("_")
    return first + "".join(word.capitalize() for word in rest)
