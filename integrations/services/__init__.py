"""Service functions of the integration, one module per subject: ``tokens``,
``idempotency``, ``metrics``, ``webhooks`` (``webhooks.emit(event, data, store=…)`` is
what other apps call) and ``imports``."""
