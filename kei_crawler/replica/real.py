"""The four real briefs the replica must carry, with the fields known from captures (docs/site.md).

Only "Renewed South Korea-Mexico Ties" has its real text (from captured-brief.txt); the other three keep
their real title, date, author and category but get generated prose.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kei_crawler.replica.model import Block, Form

MEXICO_PARAGRAPHS = (
    "On July 4, the foreign ministers of South Korea and Mexico agreed to expand economic cooperation. "
    "Building on the resumption of free trade agreement negotiations earlier this year, the two nations "
    "emphasized economic security and supply chains as areas for increased collaboration. In addition to "
    "directly responding to global concerns over the COVID-19 pandemic’s ongoing impacts on the supply chain "
    "policymakers may view Mexico as a gateway to diversifying Korea’s trade partners in Latin America.",
    "As South Korea’s top Latin American trading partner, Mexico already serves as a production base for "
    "Korean firms exploring and expanding market openings in the Americas. Exemplifying this role, steel "
    "manufacturer POSCO recently committed to investing USD 136 million by 2030 in the country’s automotive "
    "parts manufacturing.",
    "South Korea’s renewed focus on deepening ties with Latin America comes as Mexico and other regional "
    "economies express interest in diversification to inoculate their economies from the U.S.-China "
    "competition. Coupled with South Korea’s simultaneous shift toward lower reliance on China, Latin America "
    "presents opportunities for both parties. Mexico’s membership in CPTPP and USMCA offers a particularly "
    "strategic opening for Korea to reinforce trade ties with countries in those trade blocs such as Canada "
    "and the United States.",
)
MEXICO_CREDITS = (
    "Korea View was edited by Yong Kwon with the help of Jae Chang, Kaitlyn King, Yu Na Choi, and Mai Anna "
    "Pressley."
)
# The live page has a no-break space *and* a space after "of"; the truth collapses them.
MEXICO_CREDITS_HTML = MEXICO_CREDITS.replace("help of ", "help of&nbsp; ")
MEXICO_CAPTION = "Picture of South Korea and Mexico signing an agreement to cooperate in trade and culture on March 17, 1969."


@dataclass(frozen=True)
class RealBrief:
    """What is known of one real brief; ``content.build_site`` places it at ``position``."""

    position: int
    title: str
    published: date
    form: Form
    authors: list[str]
    categories: list[str]


# Positions in the newest-first order: all four fall inside the default 60-brief site.
MEXICO = RealBrief(6, "Renewed South Korea-Mexico Ties", date(2022, 7, 24), "prose_blurb_end", [], [])
REAL_BRIEFS = (
    MEXICO,
    RealBrief(24, "Erosion of Data Privacy?", date(2021, 7, 15), "what_happened", ["Korea View"], []),
    RealBrief(26, "The commanding dissent of churches", date(2021, 7, 2), "blurb_prose", ["Korea View"], []),
    RealBrief(
        50,
        "Lawmakers Make an Economic Argument for Relocating the National Assembly",
        date(2020, 12, 22),
        "blurb_what_happened",
        ["Korea View"],
        ["South Korea"],
    ),
)
NEWEST = date(2022, 9, 16)
"""Date of the newest brief of a freshly built site."""

MEXICO_BLOCKS = tuple(Block("p", text) for text in MEXICO_PARAGRAPHS)
