"""The OIG-20-35 scenario generator: four legacy extracts plus their ground truth.

Public face: :func:`generate` (see docs/synth.md for the files it writes).
"""

from reunify.synth.scenario import generate

__all__ = ["generate"]
