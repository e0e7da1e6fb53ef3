"""kei-crawler: an archival crawler for keia.org's The Peninsula and its Korea View briefs."""

__version__ = "0.1.0"
