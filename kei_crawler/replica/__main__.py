"""``python -m kei_crawler.replica``: serve a replica in the foreground, for people exploring it."""

from __future__ import annotations

import argparse
import contextlib

from kei_crawler.replica.content import PAGINATIONS, build_site
from kei_crawler.replica.faults import FaultPlan, parse_rule
from kei_crawler.replica.server import ReplicaServer
from kei_crawler.replica.sitemap_xml import SITEMAP_STYLES
from kei_crawler.replica.themes import THEMES


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m kei_crawler.replica", description=__doc__)
    parser.add_argument("--briefs", type=int, default=60, help="number of briefs (default: 60)")
    parser.add_argument("--theme", choices=THEMES, default="modern", help="markup theme (default: modern)")
    parser.add_argument("--pagination", choices=PAGINATIONS, default="query", help="listing pagination style")
    parser.add_argument("--seed", type=int, default=0, help="content seed (default: 0)")
    parser.add_argument(
        "--sitemaps",
        choices=SITEMAP_STYLES,
        default="none",
        help="publish sitemaps: WordPress core's /wp-sitemap.xml or a plugin's /sitemap_index.xml (default: none)",
    )
    parser.add_argument(
        "--gzip-sitemaps", action="store_true", help="the sitemap index names .xml.gz sitemaps"
    )
    parser.add_argument("--feed", action="store_true", help="publish an RSS 2.0 feed at /feed/")
    parser.add_argument(
        "--sitemap-disagrees",
        action="store_true",
        help="the second-newest brief is in the sitemap only, the third-newest in the listing only",
    )
    parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1; 0 for any free one")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds to wait before each response")
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="PATH=FAULT[:TIMES][,retry-after=S][,param=P]",
        help="inject a fault on a path, e.g. /robots.txt=500 or /the-peninsula/x/=503:2,retry-after=1",
    )
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of paths given a random fault")
    parser.add_argument("--fault-seed", type=int, default=0, help="seed choosing the random faults")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.briefs < 0:
        print("error: --briefs must be >= 0")
        return 2
    try:
        rules = dict(parse_rule(text) for text in args.fault)
    except ValueError as exc:
        print(f"error: --fault: {exc}")
        return 2
    if not 0.0 <= args.fault_rate <= 1.0:
        print("error: --fault-rate must be between 0 and 1")
        return 2
    plan = FaultPlan(rules, rate=args.fault_rate, seed=args.fault_seed) if rules or args.fault_rate else None
    if args.sitemap_disagrees and args.briefs < 3:
        print("error: --sitemap-disagrees needs --briefs 3 or more")
        return 2
    site = build_site(
        args.briefs,
        theme=args.theme,
        pagination=args.pagination,
        seed=args.seed,
        sitemaps=args.sitemaps,
        gzip_sitemaps=args.gzip_sitemaps,
        feed=args.feed,
        sitemap_disagrees=args.sitemap_disagrees,
    )
    server = ReplicaServer(site, delay=args.delay, port=args.port, faults=plan)
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
