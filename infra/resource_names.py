"""How the program names what it deploys, where the local server must know it too.

The component's name prefixes every resource; the function's physical name is
its resource name plus the random suffix Pulumi adds, which is how ``make
serve``'s Invoke API recognises it.
"""

from __future__ import annotations

#: The program's component, and so the prefix of its resources' names.
COMPONENT_NAME = "dynamodb-operations"


def function_resource_name(component: str = COMPONENT_NAME) -> str:
    """The function's Pulumi resource name; its physical name is this plus a random suffix."""
    return f"{component}-function"
