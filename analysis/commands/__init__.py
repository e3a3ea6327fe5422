"""Sub-commands of ``python -m analysis``, one module each, discovered by ``analysis.cli``."""
