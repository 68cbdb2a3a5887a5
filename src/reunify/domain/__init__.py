"""The domain: pure types and rules (no I/O). Everything else in reunify calls inward to here."""
