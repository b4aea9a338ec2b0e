"""Cleaned-text quality on real news pages: ours beside trafilatura, measured in the same run.

Data: ``../shared/data/news-pages/`` (196 pages with a reference main text; see its README).
Its two sources follow different conventions (Dragnet references usually keep the headline,
byline and captions; Readability's expected output usually leaves the headline out), so each
is reported on its own, then together.

Metric (the data set's README): lower-case, tokenize into words, build the set of word
4-gram shingles of the prediction and of the reference; per page precision = |P ∩ R| / |P|,
recall = |P ∩ R| / |R|, F1; macro-averaged over pages, with a bootstrap 95% interval on F1.

Systems:
* ``claimdesk``: ``Extraction.text`` of ``claimdesk.core.extraction.extract`` (the cleaned
  body, the title kept apart as ``Extraction.title``);
* ``traf-bare``: ``trafilatura.extract(html)`` with its defaults;
* ``traf-tables``: ``trafilatura.extract(html, include_comments=False, include_tables=True)``.

Quotes not in the page: every claim (whatever its score) has a quote; it "occurs" in the page
when, after removing all whitespace from both, it is a substring of the page's visible text:
the text nodes of the parsed HTML (entities unescaped, ``<script>``/``<style>``/comments left
out, NFC as our decoder applies), so a tag boundary or a line break never counts against a
quote, but a dropped or inserted word or character does (soft hyphens, invisible, are ignored
too). A quote also occurs when it is in
the text a sighted reader sees: the same, without hidden elements (``hidden``, ``aria-hidden``,
inline ``display:none``, classes naming an icon or screen-reader-only text). A "|" between
spaces is the separator we put between table cells, so it too counts as a boundary (on both
sides of the comparison). Must be 0.

Time: wall time per page of each system (our time includes decoding, cleaning, segmentation
and scoring of every claim).

Usage: python bench/extraction_quality.py [--shared ../shared] [--limit N]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

DEFAULT_SHARED = Path(__file__).resolve().parents[2] / "shared"
_TOKEN = re.compile(r"\w+")
_SPACE = re.compile(r"\s+")
_CELL = re.compile(r"(?:^|(?<=\s))\|(?=\s|$)")
SOURCES = {"dragnet": "dragnet", "mozilla-readability-test-pages": "readability"}


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    words = _TOKEN.findall(text.lower())
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def prf(pred: str, ref: str) -> tuple[float, float, float]:
    p_set, r_set = shingles(pred), shingles(ref)
    common = len(p_set & r_set)
    precision = common / len(p_set) if p_set else 0.0
    recall = common / len(r_set) if r_set else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


_HIDDEN_CLASS = re.compile(
    r"(?:^|[\s_-])(?:icon|sr-only|visually-hidden|screen-reader-text|offscreen)(?=$|[\s_-])", re.I
)


def visible_text(html: str, *, drop_hidden: bool = False) -> str:
    """Every text node of the page (no script, style or comments), entities unescaped, NFC.

    With ``drop_hidden``, also without elements a sighted reader does not see: ``hidden``,
    ``aria-hidden``, inline ``display:none``, and classes naming an icon or screen-reader text
    (a link's "Opens a new window" label is not part of the sentence around it).
    """
    import lxml.html

    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True)
    root = lxml.html.document_fromstring(html.encode("utf-8"), parser=parser)
    for bad in root.xpath("//script|//style|//noscript|//template"):
        bad.drop_tree()
    if drop_hidden:
        for elem in list(root.iter()):
            style = (elem.get("style") or "").replace(" ", "").lower()
            if elem.getparent() is not None and (
                elem.get("hidden") is not None
                or elem.get("aria-hidden") == "true"
                or "display:none" in style
                or _HIDDEN_CLASS.search(elem.get("class") or "")
            ):
                elem.drop_tree()
    parts = root.xpath("//text()")
    return unicodedata.normalize("NFC", " ".join(str(p) for p in parts))


def _squeeze(text: str) -> str:
    """Whitespace and our table-cell separator (a "|" between spaces) count as tag boundaries."""
    text = unicodedata.normalize("NFC", text).replace("\u00ad", "")  # soft hyphens are invisible
    return _SPACE.sub("", _CELL.sub(" ", text))


def bootstrap_ci(values: list[float], rounds: int = 1000) -> tuple[float, float]:
    if len(values) < 2:
        return (values[0], values[0]) if values else (0.0, 0.0)
    rng = random.Random(12)
    means = sorted(statistics.fmean(rng.choice(values) for _ in values) for _ in range(rounds))
    return means[int(0.025 * rounds)], means[int(0.975 * rounds) - 1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages (smoke run)")
    parser.add_argument("--worst", type=int, default=0, help="list our N worst pages by F1")
    args = parser.parse_args()
    data = args.shared / "data" / "news-pages"
    if not (data / "ground-truth.json").is_file():
        print(f"skipped: {data} is absent (the shared data lives beside the repository)")
        return 0

    import trafilatura

    from claimdesk.core.errors import InputError
    from claimdesk.core.extraction import extract

    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    ids = sorted(truth)
    if args.limit:
        ids = ids[: args.limit]

    def ours(html: str) -> tuple[str, list[str]]:
        try:
            result = extract(html, kind="html")
        except InputError:
            return "", []
        titled.append(f"{result.title}\n{result.text}" if result.title else result.text)
        return result.text, [c.quote for c in result.claims]

    titled: list[str] = []

    systems: dict[str, Callable[[str], tuple[str, list[str]]]] = {
        "claimdesk": ours,
        "traf-bare": lambda html: (trafilatura.extract(html) or "", []),
        "traf-tables": lambda html: (
            trafilatura.extract(html, include_comments=False, include_tables=True) or "",
            [],
        ),
    }
    # "claimdesk+title": the same run, with Extraction.title as a first line (Dragnet's
    # references usually keep the headline, which we move out of the body into the title)
    names = ["claimdesk", "claimdesk+title", "traf-bare", "traf-tables"]
    scores: dict[str, dict[str, list[tuple[float, float, float]]]] = {name: {} for name in names}
    times: dict[str, list[float]] = {name: [] for name in systems}
    per_page: list[tuple[float, str]] = []
    quotes_total = 0
    missing: list[tuple[str, str]] = []
    for page_id in ids:
        entry = truth[page_id]
        source = SOURCES.get(entry["source"], entry["source"])
        html = (data / "html" / f"{page_id}.html").read_text(encoding="utf-8")
        page_visible: str | None = None
        for name, system in systems.items():
            started = time.perf_counter()
            text, quotes = system(html)
            times[name].append(time.perf_counter() - started)
            result = prf(text, entry["articleBody"])
            scores[name].setdefault(source, []).append(result)
            if name == "claimdesk":
                per_page.append((result[2], page_id))
                with_title = titled.pop() if titled else ""
                scores["claimdesk+title"].setdefault(source, []).append(
                    prf(with_title, entry["articleBody"])
                )
            if quotes:
                page_visible = page_visible or _squeeze(visible_text(html))
                for quote in quotes:
                    quotes_total += 1
                    if _squeeze(quote) not in page_visible:
                        seen = _squeeze(visible_text(html, drop_hidden=True))
                        if _squeeze(quote) not in seen:
                            missing.append((page_id, quote))

    groups = sorted({s for per in scores.values() for s in per})
    print(
        f"pages: {len(ids)}  ("
        + ", ".join(f"{g} {len(scores['claimdesk'][g])}" for g in groups)
        + ")"
    )
    header = (
        f"{'subset':<12} {'system':<16} {'P':>6} {'R':>6} {'F1':>6} {'F1 95% CI':>14}"
        f" {'ms/page':>8}"
    )
    print(header)
    print("-" * len(header))
    for group in [*groups, "all"]:
        for name in names:
            if group == "all":
                rows = [r for per in scores[name].values() for r in per]
            else:
                rows = scores[name][group]
            p = statistics.fmean(r[0] for r in rows)
            r_ = statistics.fmean(r[1] for r in rows)
            f = [r[2] for r in rows]
            lo, hi = bootstrap_ci(f)
            timed = group == "all" and name in times
            ms_text = f"{1000 * statistics.fmean(times[name]):8.0f}" if timed else f"{'':>8}"
            print(
                f"{group:<12} {name:<16} {p:6.3f} {r_:6.3f} {statistics.fmean(f):6.3f}"
                f"  [{lo:.3f},{hi:.3f}] {ms_text}"
            )
    ours_times = sorted(times["claimdesk"])
    print(
        f"claimdesk time per page: median {1000 * statistics.median(ours_times):.0f} ms,"
        f" max {1000 * ours_times[-1]:.0f} ms"
    )
    print(f"claim quotes: {quotes_total}; not occurring in the page's visible text: {len(missing)}")
    for page_id, quote in missing[:20]:
        print(f"  {page_id}: {quote[:120]!r}")
    if args.worst:
        for f1, page_id in sorted(per_page)[: args.worst]:
            print(f"  worst {page_id}: F1 {f1:.3f}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
