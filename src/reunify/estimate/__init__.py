"""Estimates of what no record shows (pure: numbers in, numbers out, no I/O).

The public face is :func:`reunify.estimate.mse.estimate_unrecorded` and the types beside it.
"""

from reunify.estimate.mse import (
    CaptureData,
    MSEResult,
    capture_histories,
    estimate_unrecorded,
)

__all__ = ["CaptureData", "MSEResult", "capture_histories", "estimate_unrecorded"]
