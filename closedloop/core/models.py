"""Core models: see ``closedloop/core`` (numbering and heartbeat live in ``org`` until moved)."""
