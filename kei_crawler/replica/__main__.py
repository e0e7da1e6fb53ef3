"""``python -m kei_crawler.replica``: serve a replica in the foreground, for people exploring it."""

from __future__ import annotations

import argparse
import contextlib

from kei_crawler.replica.content import PAGINATIONS, build_site
from kei_crawler.replica.server import ReplicaServer
from kei_crawler.replica.themes import THEMES


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m kei_crawler.replica", description=__doc__)
    parser.add_argument("--briefs", type=int, default=60, help="number of briefs (default: 60)")
    parser.add_argument("--theme", choices=THEMES, default="modern", help="markup theme (default: modern)")
    parser.add_argument("--pagination", choices=PAGINATIONS, default="query", help="listing pagination style")
    parser.add_argument("--seed", type=int, default=0, help="content seed (default: 0)")
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1; 0 for any free one")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each response")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.briefs < 0:
        print("error: --briefs must be >= 0")
        return 2
    site = build_site(args.briefs, theme=args.theme, pagination=args.pagination, seed=args.seed)
    server = ReplicaServer(site, delay=args.delay, port=args.port)
    try:
        base_url = server.start()
    except OSError as exc:
        print(f"error: cannot listen on 127.0.0.1:{args.port}: {exc.strerror or exc}")
        return 1
    print(f"Serving {args.briefs} briefs (theme {args.theme}, {args.pagination} pagination) at "
          f"{base_url}/the-peninsula/ — Ctrl-C to stop", flush=True)  # fmt: skip
    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how one stops it
        server.serve_forever()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
