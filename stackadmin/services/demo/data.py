"""The demo's fixed data: its catalogue of tools, teams and names, its sizes, rates,
and the requests, tags and feedback of its buying side."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

# (tool, vendor, category, pricing, monthly list price per seat or flat annual, currency)
CATALOGUE: list[tuple[str, str, str, str, str, str]] = [
    ("Slack", "Salesforce", "Communication", "per_seat", "8.75", "USD"),
    ("GitHub Enterprise", "GitHub", "Engineering", "per_seat", "21", "USD"),
    ("GitHub Copilot", "GitHub", "Engineering", "per_seat", "19", "USD"),
    ("Google Workspace", "Google", "Productivity", "per_seat", "14.40", "USD"),
    ("Zoom", "Zoom", "Communication", "per_seat", "13.33", "USD"),
    ("Jira", "Atlassian", "Project management", "per_seat", "8.15", "USD"),
    ("Confluence", "Atlassian", "Documentation", "per_seat", "6.05", "USD"),
    ("Figma", "Figma", "Design", "per_seat", "45", "USD"),
    ("Notion", "Notion Labs", "Documentation", "per_seat", "10", "USD"),
    ("Salesforce Sales Cloud", "Salesforce", "Sales", "per_seat", "165", "USD"),
    ("HubSpot Marketing Hub", "HubSpot", "Marketing", "flat", "9600", "USD"),
    ("Zendesk Suite", "Zendesk", "Support", "per_seat", "55", "EUR"),
    ("1Password Business", "AgileBits", "Security", "per_seat", "7.99", "USD"),
    ("Okta Workforce Identity", "Okta", "Security", "per_seat", "6", "USD"),
    ("Miro", "Miro", "Design", "per_seat", "8", "EUR"),
    ("Linear", "Linear", "Project management", "per_seat", "8", "USD"),
    ("Datadog", "Datadog", "Engineering", "flat", "48000", "USD"),
    ("Sentry", "Functional Software", "Engineering", "flat", "3120", "USD"),
    ("PagerDuty", "PagerDuty", "Engineering", "per_seat", "21", "USD"),
    ("DocuSign", "DocuSign", "Legal", "per_seat", "40", "USD"),
    ("Loom", "Atlassian", "Communication", "per_seat", "12.50", "USD"),
    ("Adobe Creative Cloud", "Adobe", "Design", "per_seat", "59.99", "GBP"),
    ("Xero", "Xero", "Finance", "flat", "4200", "GBP"),
    ("Lucidchart", "Lucid Software", "Design", "per_seat", "9", "USD"),
    ("Asana", "Asana", "Project management", "per_seat", "10.99", "USD"),
    ("Intercom", "Intercom", "Support", "per_seat", "85", "USD"),
    ("Gong", "Gong", "Sales", "per_seat", "1200", "USD"),
    ("Postman", "Postman", "Engineering", "per_seat", "19", "USD"),
    ("Freee", "freee K.K.", "Finance", "flat", "360000", "JPY"),
    ("Calendly", "Calendly", "Productivity", "per_seat", "12", "USD"),
]
TEAMS = ["Platform", "Growth", "EMEA", "APAC", "Data", "Mobile", "Payments", "Security",
         "Web", "Partners", "Research", "Infra"]
FIRST = ["Ada", "Ben", "Chloé", "Dmitri", "Elif", "Farah", "Gustavo", "Hana", "Ivan", "Jonas",
         "Keiko", "Liam", "Maya", "Nikolai", "Olu", "Priya", "Quentin", "Rosa", "Sven", "Tariq",
         "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoë", "Amara", "Bruno", "Carmen", "Diego"]
LAST = ["Okafor", "Schmidt", "Tanaka", "García", "Novak", "Haddad", "Kowalski", "Lindqvist",
        "Moreau", "Nakamura", "O'Brien", "Petrov", "Quinn", "Rossi", "Singh", "Thompson",
        "Ueda", "Varga", "Walsh", "Yilmaz", "Zhang", "Andersen", "Bianchi", "Costa"]
DEPARTMENTS = [("Engineering", "CC-100"), ("Product", "CC-110"), ("Design", "CC-120"),
               ("Sales", "CC-200"), ("Marketing", "CC-210"), ("Support", "CC-300"),
               ("Finance", "CC-400"), ("People", "CC-410"), ("Legal", "CC-420"),
               ("Operations", "CC-500")]
DEMO_RATES = {"EUR": "1.08", "GBP": "1.27", "JPY": "0.0067"}
# Capability tags: where tools of different categories do the same job.
DEMO_TAGS = {
    "Miro": ("whiteboard", "diagrams"), "Lucidchart": ("diagrams", "whiteboard"),
    "Figma": ("design", "prototyping"), "Zoom": ("video calls",),
    "Slack": ("chat", "video calls"), "Google Workspace": ("docs", "email", "video calls"),
    "Loom": ("video messages",), "Jira": ("issue tracking",), "Linear": ("issue tracking",),
    "Asana": ("task tracking",), "Notion": ("docs", "wiki"), "Confluence": ("wiki",),
    "1Password Business": ("password manager",), "Okta Workforce Identity": ("sso",),
    "Zendesk Suite": ("help desk",), "Intercom": ("help desk", "live chat"),
}
# (title, team, category, tool, urgency, problem, considered, status, reason, days ago)
DEMO_REQUESTS: list[tuple[str, str, str | None, str | None, str, str, str | None, str,
                          str | None, int]] = [
    ("A whiteboard for remote workshops", "Growth", "whiteboard", None, "high",
     "Workshops with 20 people across three time zones; photos of sticky notes get lost.",
     "Miro, FigJam, Mural", "evaluating", None, 24),
    ("Password manager for contractors", "Security", "password manager",
     "1Password Business", "normal", "Contractors share logins in chat.", None, "new", None, 3),
    ("Session replay for the web app", "Web", "session replay", None, "normal",
     "Support cannot see what customers did before a bug report.",
     "FullStory, Hotjar, LogRocket", "triaged", None, 15),
    ("Webinar tool for customer onboarding", "Support", "video calls", None, "low",
     "Monthly onboarding webinars for 200 customers.", "Zoom Webinars, Livestorm",
     "rejected", "Zoom's webinar add-on covers it: asked Zoom for a quote", 60),
    ("Whiteboard for design critiques", "Design", "whiteboard", None, "normal",
     "Remote design critiques.", "FigJam", "duplicate", None, 10),
    ("E-signature for sales contracts", "Sales", "Legal", "DocuSign", "high",
     "Contracts go out as PDFs and come back as scans.", None, "approved",
     "Three more DocuSign seats for the sales leads", 30),
]
# (candidate, vendor, quote: (unit price, currency, seats, billing months) or None)
DEMO_CANDIDATES = [("Miro", "Miro", None), ("FigJam", "Figma", ("5", "USD", 25, 1)),
                   ("Mural", "Mural", ("9.99", "EUR", 25, 1))]
# Each evaluator's scores per candidate, in DEFAULT_CRITERIA's order (0: not scored).
DEMO_SCORES = {
    "Miro": ((5, 4, 5, 4, 3, 5), (4, 5, 4, 4, 2, 5), (5, 4, 4, 0, 3, 4)),
    "FigJam": ((4, 5, 3, 4, 5, 4), (5, 5, 4, 3, 5, 4), (2, 4, 3, 0, 5, 4)),
    "Mural": ((4, 3, 3, 3, 3, 3), (3, 3, 4, 3, 3, 3), (4, 3, 3, 0, 4, 3)),
}
# Typical satisfaction per tool (out of 5) in the first round, and its move in the second.
DEMO_SATISFACTION = {
    "Slack": (4.4, 0.0), "Zoom": (4.0, -0.3), "Jira": (2.9, -0.4), "Confluence": (2.6, -0.2),
    "Figma": (4.6, 0.1), "Notion": (4.1, 0.3), "Google Workspace": (4.2, 0.0),
    "Salesforce Sales Cloud": (2.7, -0.5), "Linear": (4.3, 0.2), "Loom": (3.8, 0.1),
    "Asana": (3.2, -0.3), "Miro": (4.0, 0.1),
}
DEMO_COMMENTS = {
    1: "Slow, and I lose work every week.", 2: "Hard to find anything in it.",
    3: "Does the job.", 4: "Works well for our team.", 5: "Could not work without it.",
}


@dataclass(frozen=True, slots=True)
class DemoSize:
    people: int
    tools: int
    terms: int
    accounts: int


SIZES = {
    "small": DemoSize(people=40, tools=25, terms=30, accounts=0),  # accounts: per tool
    # A tenth, the large one and ten times its accounts: the benchmarks' growth steps.
    "medium": DemoSize(people=200, tools=30, terms=50, accounts=10_000),
    "large": DemoSize(people=2000, tools=300, terms=500, accounts=100_000),
    "huge": DemoSize(people=20_000, tools=1000, terms=2000, accounts=1_000_000),
}


@dataclass(frozen=True, slots=True)
class DemoSummary:
    people: int
    tools: int
    terms: int
    accounts: int


def moment_on(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(7, 19), rng.randint(0, 59)), tzinfo=UTC)
