"""``kei-crawler report``: the archive and its crawls as a static web site (``report.site``)."""
