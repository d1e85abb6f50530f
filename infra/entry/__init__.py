"""The entry points: the ``coi`` command line (``cli.py`` and its command modules ``cli_*.py``), the
scheduler, the demo and the worker pools ``coi worker`` starts. They build the app
(``infra.bootstrap``) and call the doors, services and adapters below them, never the other way
round (pyproject.toml ``[tool.importlinter]``, tests/unit/test_layers.py)."""
