"""The static report site: the archive and its crawls as browsable pages with charts (``kei-crawler report``)."""
