"""Progress for long commands, on stderr: a bar with rate and ETA on a terminal,
periodic plain lines otherwise."""

from __future__ import annotations

import sys
import time

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TaskProgressColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.text import Text

PLAIN_INTERVAL_S = 5.0


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        unit = task.fields.get("unit", "items")
        return Text(f"{speed:.1f} {unit}/s" if speed else f"– {unit}/s")


class Progress:
    def __init__(self, *, total: int, label: str, unit: str = "items") -> None:
        self.total, self.label, self.unit = total, label, unit
        self.done = 0
        self.started = self._last = time.monotonic()
        self._rich: RichProgress | None = None
        if sys.stderr.isatty():
            self._rich = RichProgress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TaskProgressColumn(),
                _RateColumn(),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=False,
            )
            self._task = self._rich.add_task(label, total=total, unit=unit)
            self._rich.start()

    def rate(self) -> float:
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def advance(self, n: int = 1) -> None:
        self.done += n
        if self._rich is not None:
            self._rich.update(self._task, advance=n)
            return
        now = time.monotonic()
        if now - self._last >= PLAIN_INTERVAL_S or self.done == self.total:
            self._last = now
            rate = self.rate()
            eta = (self.total - self.done) / rate if rate > 0 else 0.0
            print(
                f"{self.label}: {self.done}/{self.total} {self.unit}, {rate:.1f}/s, ETA {eta:.0f}s",
                file=sys.stderr,
                flush=True,
            )

    def note(self, message: str) -> None:
        if self._rich is not None:
            self._rich.console.print(message, markup=False, highlight=False)
        else:
            print(message, file=sys.stderr, flush=True)

    def close(self) -> None:
        if self._rich is not None:
            self._rich.stop()
