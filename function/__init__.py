"""The Lambda function: a handler that serves operations found through a registry.

Handler string: ``function.handler.handler``. Operations live in the ``operations``
package (and any other package named in ``OPERATION_PACKAGES``), one module each.
"""
