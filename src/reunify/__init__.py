"""reunify: make every family separation in government custody visible, judged, and tracked."""

__version__ = "0.1.0"
