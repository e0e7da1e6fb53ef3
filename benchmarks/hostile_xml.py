"""``python -m benchmarks.hostile_xml``: each hostile sitemap and feed of ``tests/support/hostile_xml.py``
read in a fresh process, its time and peak memory held to a bound.

The document is written to a file first and read back by the child, so the child's peak resident set is
the interpreter, one copy of the document and whatever reading it costs — a gzip bomb that decompressed
in full, or a tree kept whole, would show here. Exits 1 when a case is over a bound or reads otherwise
than its test expects; docs/reliability.md#feeds-and-sitemaps quotes the figures.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Generous for 2 shared cores; a reader that kept a 10 GiB bomb or a 50 MB tree whole would pass neither.
MAX_SECONDS = 10.0
MAX_PEAK_MB = 400.0


def _high_water_kb() -> int:
    """This process's peak resident set (VmHWM). Not ``getrusage``'s ``ru_maxrss``: Linux carries the
    parent's peak over into a child, so every child would report the parent's biggest document."""
    status = Path("/proc/self/status").read_text()
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM:")))


def read_one(path: Path, name: str) -> dict[str, object]:
    """In the child: read the case's document once; its outcome, seconds and peak memory."""
    from kei_crawler.pages.xml_input import XmlRefused
    from tests.support.hostile_xml import CASES, read

    case = next(case for case in CASES if case.name == name)
    data = path.read_bytes()
    started = time.perf_counter()
    try:
        result = read(case, data)
        outcome = f"read: {len(getattr(result, 'entries', getattr(result, 'items', ())))} kept"
    except XmlRefused as refusal:
        outcome = f"refused: {refusal}"
    seconds = time.perf_counter() - started
    peak_mb = _high_water_kb() / 1024
    return {"case": name, "bytes": len(data), "seconds": seconds, "peak_mb": peak_mb, "outcome": outcome}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.hostile_xml", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--format", default="text", choices=["text", "json"])
    parser.add_argument("--child", nargs=2, metavar=("FILE", "CASE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(read_one(Path(args.child[0]), args.child[1])))
        return 0
    from tests.support.hostile_xml import CASES, document

    rows, failed = [], []
    with tempfile.TemporaryDirectory() as folder:
        for case in CASES:
            path = Path(folder) / "document"
            path.write_bytes(document(case.name))
            child = [sys.executable, "-m", "benchmarks.hostile_xml", "--child", str(path), case.name]
            row = json.loads(subprocess.run(child, check=True, capture_output=True, text=True).stdout)
            expected = "refused" if case.refused is not None else "read"
            if (
                not row["outcome"].startswith(expected)
                or row["seconds"] > MAX_SECONDS
                or row["peak_mb"] > MAX_PEAK_MB
            ):
                failed.append(case.name)
            rows.append(row)
            if args.format == "text":
                print(f"{case.name:46} {row['bytes']:>12,} B {row['seconds']:6.2f} s {row['peak_mb']:6.0f} MB  "
                      f"{row['outcome'][:70]}", flush=True)  # fmt: skip
    if args.format == "json":
        print(
            json.dumps(
                {"bounds": {"seconds": MAX_SECONDS, "peak_mb": MAX_PEAK_MB}, "cases": rows, "failed": failed}
            )
        )
    for name in failed:
        print(f"OVER A BOUND or read otherwise than expected: {name}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
