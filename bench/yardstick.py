"""The CPU yardstick every benchmark result records, taken in the same run as its figures.

This machine is shared (2 cores, several engineers' test runs), so a figure alone says as
much about the machine's load as about the code. Each run times a fixed pure-Python loop
(10 million integer additions) when it starts and when it ends, and writes every goal both
as the figure and as its ratio to that loop's time: two runs under different loads compare
by their ratios. The load run adds a second yardstick, the req/s of a trivial route
(GET /healthz/live) served by the same gunicorn workers (bench/load/run_load.py).
"""

import statistics
import time
from dataclasses import dataclass, field

ADDITIONS = 10_000_000


def loop_seconds(additions: int = ADDITIONS) -> float:
    """Wall seconds of `additions` integer additions in a plain Python loop."""
    total = 0
    start = time.perf_counter()
    for i in range(additions):
        total += i
    return time.perf_counter() - start


@dataclass
class Yardstick:
    """The loop timed at the start of a run (on creation) and at its end (`finish`)."""

    samples: list[float] = field(default_factory=list)

    @classmethod
    def start(cls) -> "Yardstick":
        return cls([loop_seconds()])

    def finish(self) -> "Yardstick":
        if len(self.samples) < 2:
            self.samples.append(loop_seconds())
        return self

    @property
    def seconds(self) -> float:
        """The loop's time for this run: the mean of its samples."""
        return statistics.fmean(self.samples)

    def per_loop(self, figure: float) -> float:
        """A duration (seconds) as a multiple of the loop's time: lower is better, like the figure."""
        return figure / self.seconds

    def in_loop(self, rate: float) -> float:
        """A rate (per second) as work per loop's time: higher is better, like the rate."""
        return rate * self.seconds

    def as_json(self) -> dict:
        return {"additions": ADDITIONS, "loop_s": [round(s, 3) for s in self.samples], "mean_s": round(self.seconds, 3)}

    def line(self, ratios: bool = True) -> str:
        """The result file's yardstick line."""
        times = " and ".join(f"{s:.2f} s" for s in self.samples)
        return (f"CPU yardstick (bench/yardstick.py), this run: {ADDITIONS:,} additions in a pure-Python loop took "
                f"{times} (start and end of the run; mean {self.seconds:.2f} s)."
                + (" Ratios below divide by the mean." if ratios else ""))


def stored_seconds(run: dict) -> float | None:
    """The yardstick's mean seconds stored in a run's JSON (None for runs from before it existed)."""
    stick = run.get("yardstick")
    return stick["mean_s"] if stick else None


def per_loop_cell(figure_s: float, run: dict, digits: int = 3) -> str:
    """A duration of a stored run in yardstick loops, or '–' when the run has no yardstick."""
    seconds = stored_seconds(run)
    return f"{figure_s / seconds:.{digits}f}" if seconds else "–"


def in_loop_cell(rate: float, run: dict) -> str:
    """A rate of a stored run as work per yardstick loop, or '–' when the run has no yardstick."""
    seconds = stored_seconds(run)
    return f"{rate * seconds:,.0f}" if seconds else "–"
