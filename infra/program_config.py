"""The stack's config as the Pulumi CLI hands it to this program: every key, not one at a time.

``pulumi.Config`` answers for keys it is asked about, so a misspelt key in a
stack file would go unnoticed. The CLI passes the whole stack config (project
defaults applied, structured values as JSON text) in ``PULUMI_CONFIG``; the
test mocks set it with ``pulumi.runtime.set_all_config``. Both are read here,
the explicitly set values winning, as ``pulumi.Config`` does.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.runtime.config import CONFIG


def program_config() -> dict[str, Any]:
    """Every fully qualified config key of the running stack, and its value."""
    return {**pulumi.runtime.get_config_env(), **CONFIG.get()}
