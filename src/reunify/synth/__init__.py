"""The OIG-20-35 scenario generator: four legacy extracts plus their ground truth.

Public face: :func:`generate` (see docs/synth.md for the files it writes) and
:func:`true_separations` (the same seed's separated families, without writing anything).
"""

from reunify.synth.scenario import generate, true_separations

__all__ = ["generate", "true_separations"]
