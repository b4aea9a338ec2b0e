"""Command-line start-up: wall time of `claimdesk --help` and of `claimdesk extract` on a
short article (plain text, and the same as an HTML page), beside `python -c pass`, all in
the same run.

The commands run round-robin (one of each, N times), so a machine that gets busier or
quieter during the run affects them alike. Each row gives the median and the best wall
time, the median CPU time of the child process (user + system: what start-up costs,
whatever else the machine is doing) and the ratio of the median wall time to
`python -c pass`. The load average is printed: on a busy machine wall time is mostly
waiting for a core.

Targets (issue 12): `claimdesk --help` under 0.5 s wall, `claimdesk extract` of a short
article under 1 s, on a 2-core machine.

Usage: python bench/cli_startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ARTICLE = (
    "The city council approved a budget of 12.5 million euros on 3 March 2026, the mayor's "
    "office said.\n\nCouncillor Ana Ruiz said the new tram line will cost 40% more than "
    "planned.\n\nUnemployment in the region fell to 6.1% last year, according to the "
    "statistics office.\n\nWhat a wonderful day for the city.\n"
)
PAGE = (
    "<!doctype html><html><head><title>Council budget</title></head><body>"
    "<nav><a href='/'>Home</a> | <a href='/city'>City</a></nav><article><h1>Council budget"
    "</h1>" + "".join(f"<p>{p}</p>" for p in ARTICLE.split("\n\n")) + "</article></body></html>"
)
TARGETS = {"claimdesk --help": 0.5, "claimdesk extract (text)": 1.0}


def _claimdesk() -> list[str]:
    script = Path(sys.executable).parent / "claimdesk"
    if script.exists():
        return [str(script)]
    found = shutil.which("claimdesk")
    return [found] if found else [sys.executable, "-m", "claimdesk"]


def _time(command: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one run of ``command`` (which must succeed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    claimdesk = _claimdesk()
    with tempfile.TemporaryDirectory() as folder:
        text = Path(folder) / "short-article.txt"
        text.write_text(ARTICLE, encoding="utf-8")
        page = Path(folder) / "short-article.html"
        page.write_text(PAGE, encoding="utf-8")
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "claimdesk --help": [*claimdesk, "--help"],
            "claimdesk extract (text)": [*claimdesk, "extract", str(text)],
            "claimdesk extract (html)": [*claimdesk, "extract", str(page)],
        }
        for command in commands.values():  # warm the file cache and .pyc files
            _time(command)
        walls: dict[str, list[float]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        load_before = os.getloadavg()[0]
        for _ in range(args.runs):
            for name, command in commands.items():
                wall, cpu = _time(command)
                walls[name].append(wall)
                cpus[name].append(cpu)
        load_after = os.getloadavg()[0]
    base = statistics.median(walls["python -c pass"])
    print(
        f"{args.runs} runs each, round-robin; {os.cpu_count()} CPUs; "
        f"load average {load_before:.1f} before, {load_after:.1f} after\n"
    )
    header = (
        f"{'command':<26} {'median wall':>11} {'best wall':>10} {'median CPU':>11} "
        f"{'x pass':>7}  target"
    )
    print(header)
    print("-" * len(header))
    for name in commands:
        median = statistics.median(walls[name])
        target = TARGETS.get(name)
        verdict = (
            ""
            if target is None
            else f"< {target:.1f} s: " + ("met" if median < target else "NOT met")
        )
        print(
            f"{name:<26} {median:>10.3f}s {min(walls[name]):>9.3f}s "
            f"{statistics.median(cpus[name]):>10.3f}s {median / base:>7.1f}  {verdict}"
        )


if __name__ == "__main__":
    main()
