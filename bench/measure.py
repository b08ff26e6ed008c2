"""Side-by-side timing: interleaved rounds, paired ratios, medians."""

from __future__ import annotations

import gc
import random
import statistics
import time
from collections.abc import Callable, Mapping


class Samples(dict[str, list[float]]):
    """Seconds per call of each contender, one sample per round, rounds aligned."""

    def median(self, name: str) -> float:
        return statistics.median(self[name])

    def ratio(self, name: str, baseline: str) -> float:
        """Median over rounds of ``name``'s time divided by ``baseline``'s in the same round.

        Pairing each round's samples cancels drift (a busy neighbour, a warming
        cache) that comparing two overall medians would let through.
        """
        return statistics.median(a / b for a, b in zip(self[name], self[baseline], strict=True))


def interleaved(
    contenders: Mapping[str, Callable[[], object]], rounds: int, calls_per_round: int = 1
) -> Samples:
    """Time every contender once per round, in a fresh random order each round.

    Each contender's batch starts with one untimed call, so no one pays for what
    ran before it (the previous contender, the garbage collection between rounds).
    """
    samples = Samples({name: [] for name in contenders})
    names = list(contenders)
    shuffle = random.Random(2026).shuffle
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            shuffle(names)
            for name in names:
                call = contenders[name]
                call()
                started = time.perf_counter()
                for _ in range(calls_per_round):
                    call()
                samples[name].append((time.perf_counter() - started) / calls_per_round)
            gc.collect()
    finally:
        if gc_was_enabled:
            gc.enable()
    return samples
