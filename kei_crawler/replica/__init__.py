"""A local keia.org look-alike for the demo, the end-to-end tests and the benchmarks (never the internet).

``build_site`` generates a deterministic Peninsula (the four real briefs included) whose truth is known
brief by brief; ``ReplicaServer`` serves it over HTTP on 127.0.0.1 in one of five markup ``THEMES``.
"""

from kei_crawler.replica.content import PAGINATIONS, Site, build_site
from kei_crawler.replica.faults import Fault, FaultPlan, FaultRule
from kei_crawler.replica.model import Brief
from kei_crawler.replica.server import ReplicaServer, RequestRecord
from kei_crawler.replica.themes import THEMES

__all__ = [
    "PAGINATIONS",
    "THEMES",
    "Brief",
    "Fault",
    "FaultPlan",
    "FaultRule",
    "ReplicaServer",
    "RequestRecord",
    "Site",
    "build_site",
]
