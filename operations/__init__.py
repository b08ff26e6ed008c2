"""The API's operations: one module each, found by the registry.

To add an operation, add a module here (``make new-operation NAME=...`` writes one
and its test); nothing else changes. Modules starting with ``_`` are not scanned.
"""
