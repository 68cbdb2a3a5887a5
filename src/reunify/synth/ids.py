"""Deterministic identifier counters shared by the scripted and background parts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from reunify.synth.people import a_numbers


@dataclass
class Ids:
    """Running counters; ``offset`` (from the seed) shifts the alien-number permutation."""

    offset: int
    person: int = 0
    family: int = 0
    group: int = 0
    event: int = 0

    def take_people(self, n: int) -> np.ndarray:
        """Reserve ``n`` person counters (int64 array)."""
        out = np.arange(self.person + 1, self.person + 1 + n, dtype=np.int64)
        self.person += n
        return out

    def take_families(self, n: int) -> np.ndarray:
        out = np.arange(self.family + 1, self.family + 1 + n, dtype=np.int64)
        self.family += n
        return out

    def take_groups(self, n: int) -> np.ndarray:
        """SIGMA group numbers: a permutation of a counter (not the truth family id)."""
        k = np.arange(self.group + 1, self.group + 1 + n, dtype=np.int64)
        self.group += n
        return 10_000_000 + (k * 104_729 + self.offset) % 89_999_999

    def take_events(self, n: int) -> np.ndarray:
        k = np.arange(self.event + 1, self.event + 1 + n, dtype=np.int64)
        self.event += n
        return 300_000_000 + (k * 15_485_863 + self.offset) % 600_000_000

    def a_number(self, k: int, *, old: bool) -> str:
        return str(a_numbers(np.array([k]), old=np.array([old]), offset=self.offset)[0])
