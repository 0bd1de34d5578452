"""Settings profiles: ``base`` (local, env-driven), ``test`` and ``production``."""
