"""Vocabulary and sentence templates for generated briefs: plausible Korea-policy prose, never real text.

Everything takes a ``random.Random`` so a brief's words depend only on its own seed. Sentences are built so
that none of them looks like site furniture an extractor must drop (no "Korea View" mention, no sentence
opening "Photo of …"), which keeps the truth unambiguous.
"""

from __future__ import annotations

import random
import re

COUNTRIES = ("Japan", "China", "the United States", "Vietnam", "India", "Australia", "Mexico", "Indonesia",
             "Germany", "Canada", "the Philippines", "Poland", "Brazil", "Saudi Arabia", "Chile", "Kazakhstan",
             "the United Kingdom", "France", "Turkey", "Mongolia")  # fmt: skip
FIRMS = ("Samsung Electronics", "SK Hynix", "Hyundai Motor", "LG Energy Solution", "POSCO", "Hanwha",
         "Kia", "Naver", "Kakao", "Korea Zinc", "Doosan Enerbility", "CJ CheilJedang", "Lotte Chemical",
         "HD Hyundai", "Celltrion", "Coupang")  # fmt: skip
ACTORS = ("the Ministry of Trade, Industry and Energy", "the Ministry of Unification", "the Bank of Korea",
          "the Blue House", "the presidential office", "the National Assembly", "the Democratic Party",
          "the People Power Party", "the Ministry of Foreign Affairs", "the Fair Trade Commission",
          "the Financial Services Commission", "Statistics Korea", "the Constitutional Court",
          "the Ministry of Gender Equality and Family", "Seoul’s city government")  # fmt: skip
SECTORS = ("semiconductor", "battery", "shipbuilding", "steel", "biotech", "automotive", "nuclear energy",
           "hydrogen", "defense", "content", "platform", "R&D", "display", "robotics", "aerospace",
           "petrochemical", "fintech", "LNG")  # fmt: skip
ISSUES = ("the low birth rate", "household debt", "youth unemployment", "housing prices",
          "the aging workforce", "supply chain resilience", "export controls", "energy security",
          "regional inequality", "data privacy", "the minimum wage", "carbon neutrality",
          "inter-Korean tourism", "sanctions enforcement", "military readiness", "private education costs",
          "the gender gap", "rising interest rates", "rural depopulation", "pension reform", "labor shortages",
          "the won’s weakness")  # fmt: skip
NK_TOPICS = ("missile tests", "food shortages", "the border closure", "cyber theft",
             "the nuclear program", "market activity in Pyongyang", "the party congress")  # fmt: skip
CITIES = (
    "Seoul",
    "Busan",
    "Sejong",
    "Incheon",
    "Gwangju",
    "Daegu",
    "Ulsan",
    "Changwon",
    "Daejeon",
    "Suwon",
    "Pohang",
    "Jeju",
)

_SENTENCES = (
    "{actor_cap} announced a plan to address {issue} by {year}, citing pressure from {firm} and other large employers.",
    "Exports of {sector} goods to {country} rose {pct} percent from a year earlier, the fastest pace since {past}.",
    "Analysts in {city} expect {issue} to shape the debate ahead of the next general election.",
    "{firm} said it would invest USD {amount} billion in {sector} capacity over the next five years.",
    "The move comes as Seoul and {country} look to diversify supply chains away from single suppliers.",
    "North Korea’s state media devoted unusual attention to {nk}, a signal that Pyongyang sees an opening.",
    "Officials in Washington welcomed the decision but cautioned that implementation would take time.",
    "Critics argue the measure does little for small and medium-sized firms outside the capital region.",
    "Polling by Gallup Korea found that {pct} percent of respondents supported the proposal.",
    "The alliance has weathered similar disputes before, most recently over cost-sharing in {past}.",
    "{actor_cap} has yet to say how the program will be funded beyond its first year.",
    "Local governments such as {city} have begun offering subsidies of their own to attract young families.",
    "Trade between South Korea and {country} reached USD {amount} billion last year.",
    "The {sector} industry accounts for roughly {pct} percent of the country’s manufacturing output.",
    "Observers note that the talks with {country} stalled in {past} over agricultural market access.",
    "Lawmakers from both parties have criticized the timeline as unrealistic.",
    "The debate over {issue} is likely to intensify as the government prepares next year’s budget.",
    "For {firm}, the stakes include access to markets in {country} and beyond.",
    "Seoul’s approach reflects a broader effort to balance economic ties with China against its security alliance.",
    "Satellite imagery reviewed by researchers suggests renewed activity linked to {nk}.",
    "The central bank warned that {issue} could weigh on consumption through the end of {year}.",
    "Civil society groups say the rules leave too much discretion to {actor}.",
    "The agreement also covers cooperation on {sector} standards and workforce training.",
    "Younger voters in particular have voiced frustration with {issue}.",
    "Such measures have a mixed record: similar incentives introduced in {past} produced only modest gains.",
    "Whether the policy survives a change of government remains an open question.",
    "Tokyo and Seoul have both sought to reassure investors that the dispute will not disrupt {sector} trade.",
    "The ruling means {actor} must revise its guidelines within six months.",
    "Industry groups estimate the shortfall at {amount} thousand skilled workers by {year}.",
    "A working group with {country} is expected to report back before the end of the year.",
)
_BULLETS = (
    "{actor_cap} unveiled new measures on {issue}.",
    "{firm} and partners from {country} signed a memorandum of understanding on {sector} cooperation.",
    "North Korea reported progress on {nk} in state media.",
    "The National Assembly passed a bill on {issue} by a vote of {votes} to {votes_against}.",
    "Officials from Seoul and {country} met in {city} for the first time since {past}.",
    "Exports of {sector} products fell {pct} percent year on year.",
    "Protesters gathered in {city} to oppose changes to {issue} policy.",
)
_TITLES = (
    "South Korea’s {sector} push meets {issue}",
    "Can Seoul fix {issue}?",
    "What {nk} tell us about Pyongyang",
    "Korea and {country} deepen {sector} ties",
    "{firm}’s bet on {sector} manufacturing",
    "The politics of {issue} in {city}",
    "Is the {sector} boom over?",
    "Why the alliance cannot ignore {issue}",
    "A new chapter in relations with {country}",
    "Seoul weighs its options on {issue}",
    "The limits of {sector} subsidies",
    "Pyongyang’s quiet shift on {nk}",
    "{city} bets on {sector} jobs",
    "Korea’s {sector} exports to {country} under pressure",
    "Trade & technology: Seoul’s {sector} strategy",
    "How {city} is tackling {issue}",
    "Seoul and {country} at odds over {sector} rules",
    "What {country} wants from Korea’s {sector} firms",
    "{firm}, {country} and the future of {sector}",
    "{country} and Korea: {issue} in focus",
    "Does {issue} threaten Korea’s {sector} lead?",
    "From {city} to {country}: the {sector} supply chain",
    "{firm} faces {issue} at home",
    "Pyongyang’s {nk} and Seoul’s response in {city}",
    "A {sector} deal with {country} takes shape",
    "Why {city} voters care about {issue}",
    "The {sector} race between Korea and {country}",
    "{issue_cap} and the {sector} workforce",
    "Will {country} join Korea’s {sector} alliance?",
    "{firm} expands in {country} amid {issue}",
    "Lessons from {country} on {issue}",
    "{firm}’s {sector} gamble and {issue}",
    "{city}, {country} and the politics of {issue}",
    "Can {firm} win {country}’s {sector} market?",
    "{country}’s {sector} rules and {issue} in Korea",
)
_SUBHEADINGS = ("Looking ahead", "Background", "What comes next", "The view from Seoul")
_CAPTIONS = (
    "Picture of officials from South Korea and {country} meeting in {city}.",
    "Photo of the National Assembly building in Yeouido, Seoul.",
    "Photo from the Ministry of Foreign Affairs of the Republic of Korea.",
    "Picture of a {sector} plant operated by {firm}.",
    "Photo of a container terminal at the Port of Busan.",
    "Photo from the Korean Culture and Information Service.",
    "Picture of the Demilitarized Zone seen from the South Korean side.",
)
EDITORS = ("Jae Chang", "Kaitlyn King", "Yu Na Choi", "Mai Anna Pressley", "Soojin Hwang", "Jiwon Lee",
           "Hyemin Park", "Daniel Lim", "Eunji Kang")  # fmt: skip
LEAD_EDITORS = ("Yong Kwon", "Kyle Ferrier", "Ellen Kim")
STAFF = ("Kyle Ferrier", "Sang Kim", "Yong Kwon", "Troy Stangarone", "Jiyoon Kim", "Ellen Kim",
         "Mark Tokola", "Juni Kim", "Hannah Fodale", "Jiyoung Lee", "Sang-yoon Ma", "김지윤", "Ševa Novák")  # fmt: skip
CATEGORIES = ("South Korea", "Current Events", "North Korea", "Trade", "Economy", "Security")


class _Slots(dict[str, str]):
    """Template slots drawn on first use, so a sentence costs only the random draws it needs."""

    def __init__(self, rng: random.Random, year: int) -> None:
        super().__init__()
        self.rng = rng
        self.year = year

    def __missing__(self, key: str) -> str:
        rng, year = self.rng, self.year
        if key.endswith("_cap"):
            text = self[key.removesuffix("_cap")]
            value = text[0].upper() + text[1:]
        elif key in _CHOICES:
            value = rng.choice(_CHOICES[key])
        elif key == "year":
            value = str(year + rng.randint(1, 8))
        elif key == "past":
            value = str(year - rng.randint(2, 12))
        else:
            low, high = _NUMBERS[key]
            value = str(rng.randint(low, high))
        self[key] = value
        return value


_CHOICES = {"actor": ACTORS, "country": COUNTRIES, "firm": FIRMS, "sector": SECTORS, "issue": ISSUES,
            "nk": NK_TOPICS, "city": CITIES}  # fmt: skip
_NUMBERS = {"pct": (3, 68), "amount": (2, 95), "votes": (150, 250), "votes_against": (0, 40)}


def _combinations(template: str) -> int:
    """How many different texts a template yields; titles are drawn in proportion, so few repeat."""
    count = 1
    for key in set(re.findall(r"{(\w+?)(?:_cap)?}", template)):
        count *= len(_CHOICES[key]) if key in _CHOICES else 1
    return count


_TITLE_WEIGHTS = [_combinations(t) for t in _TITLES]


def _fill(template: str, rng: random.Random, year: int) -> str:
    return template.format_map(_Slots(rng, year))


def paragraph(rng: random.Random, year: int) -> str:
    templates = rng.sample(_SENTENCES, rng.randint(2, 5))
    return " ".join(_fill(template, rng, year) for template in templates)


def bullets(rng: random.Random, year: int) -> list[str]:
    picked = rng.sample(_BULLETS, rng.randint(2, 4))
    return [_fill(template, rng, year) for template in picked]


def title(rng: random.Random, year: int) -> str:
    """A sentence-case title; callers apply Title Case for the years the site used it."""
    text = _fill(rng.choices(_TITLES, weights=_TITLE_WEIGHTS)[0], rng, year)
    return text[0].upper() + text[1:]


def subheading(rng: random.Random) -> str:
    return rng.choice(_SUBHEADINGS)


def caption(rng: random.Random, year: int) -> str:
    return _fill(rng.choice(_CAPTIONS), rng, year)


def credit_line(rng: random.Random) -> str:
    lead = rng.choice(LEAD_EDITORS)
    helpers = rng.sample(EDITORS, rng.randint(0, 4))
    if not helpers:
        return f"Korea View was edited by {lead}."
    return f"Korea View was edited by {lead} with the help of {join_names(helpers)}."


def join_names(names: list[str]) -> str:
    """English list: "A", "A and B", "A, B, and C" (the site's serial comma)."""
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + ", and " + names[-1]


_SMALL = {"a", "an", "the", "and", "or", "of", "in", "on", "for", "to", "at", "by", "with", "as", "over"}


def title_case(text: str) -> str:
    """The Title Case the site used until 2020: small words stay lower unless first; acronyms untouched."""
    words = text.split(" ")
    out = []
    for i, word in enumerate(words):
        if i and word.lower() in _SMALL:
            out.append(word.lower())
        else:
            out.append("-".join(part[:1].upper() + part[1:] for part in word.split("-")))
    return " ".join(out)
