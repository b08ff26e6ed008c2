"""How the program names what it deploys, where the local server must know it too.

The component's name prefixes every resource; the function's physical name is
its resource name plus the random suffix Pulumi adds, which is how ``make
serve``'s Invoke API recognises it.
"""

from __future__ import annotations

import re

#: The program's component, and so the prefix of its resources' names.
COMPONENT_NAME = "dynamodb-operations"


def function_resource_name(component: str = COMPONENT_NAME) -> str:
    """The function's Pulumi resource name; its physical name is this plus a random suffix."""
    return f"{component}-function"


def stack_resource_name(project: str, stack: str) -> str:
    """``<project>-<stack>``, what names a stack's alarms, dashboard and web ACL.

    Stack names may hold a ``.``, which CloudWatch dashboards and WAF refuse in a name.
    """
    return re.sub(r"[^A-Za-z0-9_-]", "-", f"{project}-{stack}")
