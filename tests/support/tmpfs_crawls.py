"""Crawls on a real, too small file system: run as root of a user + mount namespace (``unshare --user
--map-root-user --mount``), mount a tmpfs, crawl into it, fill it, crawl again, free it, crawl again.

The tmpfs is only visible inside the namespace, so after each crawl the output directory is copied to
``<results>/<step>/`` (with the crawl's exit code, stdout and stderr) for the test to inspect. The
crawls are forked as in the kill tests (``benchmarks.crawl_processes``), their output kept off the tmpfs.

    python -m tests.support.tmpfs_crawls BASE_URL MOUNTPOINT RESULTS
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from benchmarks.crawl_processes import Launcher
from tests.support.crawling import crawl_argv

TMPFS_SIZE = "8m"
# What the filler leaves free, in bytes, before each crawl that should meet a full disk: enough for the
# lock, the job directory and a few WARC records, far too little for a --full crawl's WARC; enough for
# an incremental crawl's few records, too little for the snapshot it carries forward. The --full crawl
# spools its rows only at the end (a batch larger than the site), so the WARC is what meets the full disk.
STEPS: list[tuple[str, int | None, tuple[str, ...], int]] = [
    ("first", None, (), 5),
    ("full-disk-warc", 24 * 1024, ("--full",), 100_000),
    ("full-disk-snapshot", 48 * 1024, (), 5),
    ("after", None, (), 5),
]


def fill(mountpoint: Path, leave: int) -> None:
    stat = os.statvfs(mountpoint)
    free = stat.f_bavail * stat.f_frsize
    with open(mountpoint / "filler", "wb") as out:
        out.truncate(0)
        chunk = b"\0" * (1 << 20)
        remaining = max(0, free - leave)
        while remaining > 0:
            out.write(chunk[: min(len(chunk), remaining)])
            remaining -= min(len(chunk), remaining)


def main(base_url: str, mountpoint: Path, results: Path) -> int:
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE}", "tmpfs", str(mountpoint)], check=True)
    out = mountpoint / "out"
    launcher = Launcher()
    for step, leave, flags, batch_rows in STEPS:
        saved = results / step
        saved.mkdir()
        if leave is not None:
            fill(mountpoint, leave)
        command = crawl_argv(
            base_url, out, *flags, KEI_SNAPSHOT_BATCH_ROWS=batch_rows, LOG_LEVEL="INFO", CONCURRENT_REQUESTS=2
        )
        code = launcher.start(command, saved / "stdout", saved / "stderr").wait(300)
        (mountpoint / "filler").unlink(missing_ok=True)  # room to copy what the crawl left
        shutil.copytree(out, saved / "out", symlinks=True)
        (saved / "rc").write_text(str(code))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])))
