"""Run the API on a laptop: the real handler behind an API Gateway-like HTTP server.

``python -m local_api serve`` (what ``make serve`` runs), ``invoke`` (one event
through the handler) and ``new-operation`` (scaffold an operation and its test).
"""
