"""Write the pywb rules file that makes links with e-mail tracking parameters replay (docs/warc.md).

The listing pages of keia.org link some briefs as sent in newsletters, with HubSpot's ``_hsmi`` /
``_hsenc`` and Google's ``utm_*`` parameters. kei-crawler fetches the canonical URL, so the archive has
no capture of the link as written. pywb's fuzzy matching already ignores ``utm_*`` (a ``url_normalize``
rule of its default rules) but not HubSpot's parameters, so it answers 404. This adds one rule that
ignores those too, to the default rules of the pywb that runs it: pywb reads one rules file whole
(``rules_file`` in config.yaml), with no way to add to its own, and its rules change between versions.

    python kei_rules.py > kei-rules.yaml        # in the pywb directory, beside config.yaml
"""

from __future__ import annotations

import sys

import yaml
from pywb.utils.loaders import load_yaml_config

DEFAULT_RULES = "pkg://pywb/rules.yaml"

# As pywb's own utm_ rule: a parameter and its value, wherever it is in the (sorted) query.
TRACKING = {"match": "[?&]_hs(?:mi|enc)=[^&]+(?=&|$)", "replace": ""}


def kei_rules() -> dict[str, object]:
    rules = load_yaml_config(DEFAULT_RULES)
    normalize = rules["default_filters"]["url_normalize"]
    if TRACKING not in normalize:
        normalize.append(TRACKING)
    return rules  # type: ignore[no-any-return]


def main() -> None:
    yaml.safe_dump(kei_rules(), sys.stdout, sort_keys=False, allow_unicode=True)


if __name__ == "__main__":
    main()
