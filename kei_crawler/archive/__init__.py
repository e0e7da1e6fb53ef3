"""The raw archive: every request and response of a crawl as WARC, its CDXJ index, and re-extraction.

``warc.py`` holds the Scrapy side (a downloader middleware that sees the bytes as received, an extension
that publishes the file with the crawl), ``parts.py`` the WARC files themselves, ``cdx.py`` the index
replay tools read, ``reextract.py`` the offline rebuild of a snapshot from archived responses.
"""
