"""What this environment serves: the stock operations, and whatever plugins a user installed.

The suite passes whatever plugins are installed. A test about the stock
operations builds its registry from :data:`STOCK_PACKAGES` by name; a test about
what a stack serves, or what its archive, document or banner holds, reads what
is installed from here and checks what the project itself put there.
"""

from __future__ import annotations

from function.operation_packages import DEFAULT_PACKAGES, installed_plugins
from function.registry import Registry
from infra.settings import stack_settings

#: The operation packages this project ships: its tutorial's operations.
STOCK_PACKAGES = DEFAULT_PACKAGES


def stock_registry() -> Registry:
    """The stock operations alone, whatever else is installed."""
    return Registry(STOCK_PACKAGES)


def plugin_packages() -> list[str]:
    """The operation packages of the installed plugin distributions, in the order served."""
    return [plugin.package for plugin in installed_plugins()]


def served_registry(stack: str = "dev") -> Registry:
    """Every operation a stack serves: its packages and the installed plugins."""
    return Registry(stack_settings(stack).operation_packages)
