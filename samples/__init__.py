"""Certificates we draw ourselves, for the demo, the tests, the benches and the SAMPLE mailed with a
certificate request: the ACORD 25 layout with fictitious values (``samples.certificates``), the
same pages put through a scanner or a phone camera (``samples.scans``), and the stamped sample of
what a holder requires (``samples.request``).

Above ``pipeline`` (they use the form's printed notices and the file types), never imported by it:
the reader must not know how its test documents were made (pyproject.toml ``[tool.importlinter]``).
"""
