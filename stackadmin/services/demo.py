"""A realistic, deterministic demo inventory: the same seed and day give the same data."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from stackadmin.domain.money import Money
from stackadmin.domain.scorecard import DEFAULT_CRITERIA
from stackadmin.domain.vocab import (
    AccountStatus,
    AuditSource,
    PersonStatus,
    PricingModel,
    Role,
    TermStatus,
)
from stackadmin.errors import UserError
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.store.bulk import insert_many
from stackadmin.store.models import (
    Account,
    AdoptionTarget,
    BundleItem,
    Connection,
    ConnectionIncident,
    Evaluation,
    EvaluationCandidate,
    EvaluationCriterion,
    EvaluationScore,
    ExchangeRate,
    FeedbackResponse,
    FeedbackRound,
    Person,
    SubscriptionTerm,
    Tool,
    ToolRequest,
    ToolTag,
    TrainingResource,
    Vendor,
)

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


def is_empty(session: Session) -> bool:
    for model in (Person, Tool, SubscriptionTerm, Account):
        if session.scalar(select(func.count()).select_from(model)):
            return False
    return True


def _at(day: date, rng: random.Random) -> datetime:
    return datetime.combine(day, time(rng.randint(7, 19), rng.randint(0, 59)), tzinfo=UTC)


def load_demo(ctx: ServiceContext, size: str = "small", seed: int = 7,
              progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Fills an empty database; refuses one that holds any inventory."""
    if size not in SIZES:
        raise UserError(f"demo size must be {', '.join(SIZES)}, got '{size}'")
    spec = SIZES[size]
    rng = random.Random(f"{size}:{seed}")
    today = ctx.today()
    with ctx.transaction() as session:
        if not is_empty(session):
            raise UserError(
                f"{ctx.target.describe()} already holds an inventory; the demo fills only an "
                "empty database (use another --db)"
            )
        builder = _Builder(session, rng, today, spec, size)
        summary = builder.build(progress)
        # A random stream of its own: the inventory above stays what it always was.
        _Buying(session, ctx, random.Random(rng.random()), today, builder.now).build(
            builder.tools, [p for p in builder.people
                            if p["status"] == PersonStatus.ACTIVE.value])
        base = session.scalar(select(func.count()).select_from(ExchangeRate))
        if not base:
            session.execute(insert(ExchangeRate), [
                {"currency": c, "base_currency": "USD", "rate": Decimal(r), "as_of": today}
                for c, r in DEMO_RATES.items()
            ])
        audit.record(session, ctx, action="import", entity="demo", entity_id=None,
                     summary=f"loaded the {size} demo inventory (seed {seed}): "
                             f"{summary.people} people, {summary.tools} tools, "
                             f"{summary.terms} terms, {summary.accounts} accounts")
        return summary


class _Builder:
    def __init__(self, session: Session, rng: random.Random, today: date, spec: DemoSize,
                 size: str) -> None:
        self.session = session
        self.rng = rng
        self.today = today
        self.spec = spec
        self.size = size
        self.now = datetime.combine(today, time(12), tzinfo=UTC)
        self.tools: list[dict[str, Any]] = []
        self.people: list[dict[str, Any]] = []

    def build(self, progress: Callable[[int, int], None] | None) -> DemoSummary:
        people = self._people()
        tools = self._tools(people)
        terms, seats_by_tool = self._terms(tools)
        accounts = self._accounts(tools, people, seats_by_tool, progress)
        self._running(tools, people)
        self.tools, self.people = tools, people
        return DemoSummary(len(people), len(tools), terms, accounts)

    def _running(self, tools: list[dict[str, Any]], people: list[dict[str, Any]]) -> None:
        """Connections between the catalogue's tools (one broken with an open incident, one
        with a fixed incident), onboarding bundles, training resources, an adoption target.
        No adoption snapshot: history starts when the app or `stackadmin snapshot` takes
        the first one, never made up for the past."""
        ids = {t["name"]: t["id"] for t in tools}
        active = [p for p in people if p["status"] == PersonStatus.ACTIVE.value]
        engineers = [p for p in active if p["department"] == "Engineering"] or active
        links = [
            ("Jira", "Slack", "Jira issues → Slack #eng-alerts", "native", "working", 12),
            ("GitHub Enterprise", "Jira", "commits and pull requests on issues", "native",
             "working", 40),
            ("HubSpot Marketing Hub", "Salesforce Sales Cloud", "HubSpot deals and contacts",
             "automation", "broken", 130),
            ("Okta Workforce Identity", "Slack", "users and groups (SCIM)", "provisioning",
             "working", 5),
            ("Okta Workforce Identity", "GitHub Enterprise", "single sign-on and users",
             "provisioning", "degraded", 100),
            ("Zendesk Suite", "Slack", "urgent tickets → #support", "webhook", "working", 20),
            ("Figma", "Jira", "design links on issues", "native", "planned", None),
            ("Salesforce Sales Cloud", "DocuSign", "contracts to sign", "script", "working",
             95),
            ("Notion", "Slack", "page updates → #announcements", "automation", "retired",
             None),
        ]
        rows = []
        for source, target, what, method, status, verified_days in links:
            if source not in ids or target not in ids:
                continue
            rows.append({
                "from_tool_id": ids[source], "to_tool_id": ids[target], "what": what,
                "method": method, "status": status,
                "owner_id": self.rng.choice(engineers)["id"],
                "last_verified": (None if verified_days is None
                                  else self.today - timedelta(days=verified_days)),
                "created_at": self.now - timedelta(days=200), "updated_at": self.now})
        connection_ids = self._insert(Connection, rows)
        by_what = {r["what"]: r["id"] for r in rows}
        incidents = []
        if "HubSpot deals and contacts" in by_what:
            incidents.append({
                "connection_id": by_what["HubSpot deals and contacts"],
                "started_at": self.now - timedelta(days=2, hours=3),
                "symptom": "new deals no longer reach Salesforce",
                "cause": None, "fix": None, "handled_by": "ops", "resolved_at": None})
        if "Jira issues → Slack #eng-alerts" in by_what:
            start = self.now - timedelta(days=30, hours=5)
            incidents.append({
                "connection_id": by_what["Jira issues → Slack #eng-alerts"],
                "started_at": start, "symptom": "no alerts in #eng-alerts",
                "cause": "the Slack app's token expired", "fix": "re-authorised the Jira app",
                "handled_by": "ops", "resolved_at": start + timedelta(hours=4, minutes=20)})
        if incidents and connection_ids:
            self.session.execute(insert(ConnectionIncident), incidents)
        bundles = [("Engineering", "", "Slack", "member"), ("Engineering", "", "Jira", "member"),
                   ("Engineering", "", "GitHub Enterprise", "member"),
                   ("Engineering", "", "1Password Business", "member"),
                   ("Design", "", "Figma", "member"), ("Design", "", "Slack", "member"),
                   ("Design", "", "Miro", "member"), ("Sales", "", "Slack", "member"),
                   ("Sales", "", "Salesforce Sales Cloud", "member"),
                   ("Sales", "", "DocuSign", "member"), ("Support", "", "Zendesk Suite", "member"),
                   ("Support", "", "Slack", "member")]
        bundle_rows = [{"department": d, "title": t, "tool_id": ids[n], "role": r}
                       for d, t, n, r in bundles if n in ids]
        if bundle_rows:
            self.session.execute(insert(BundleItem), bundle_rows)
        resources = [("Jira", "guide", "Jira at our company", "https://wiki.example/jira"),
                     ("Jira", "link", "Jira fundamentals course",
                      "https://training.example/jira-fundamentals"),
                     ("Figma", "link", "Figma for beginners",
                      "https://training.example/figma")]
        resource_rows: list[dict[str, Any]] = [
            {"tool_id": ids[n], "kind": k, "title": title, "url": url, "champion_id": None}
            for n, k, title, url in resources if n in ids]
        if "Jira" in ids:
            champion = engineers[0]
            resource_rows.append({"tool_id": ids["Jira"], "kind": "champion",
                                  "title": champion["name"], "url": None,
                                  "champion_id": champion["id"]})
            self.session.execute(insert(AdoptionTarget), [
                {"tool_id": ids["Jira"], "department": "Engineering", "target_pct": 80}])
        if resource_rows:
            self.session.execute(insert(TrainingResource), resource_rows)

    def _insert(self, model: type[Any], rows: list[dict[str, Any]]) -> list[int]:
        """Bulk insert that hands back the new ids in row order (and sets row["id"])."""
        if not rows:
            return []
        stmt = insert(model).returning(model.id, sort_by_parameter_order=True)
        ids = list(self.session.scalars(stmt, rows))
        for row, new_id in zip(rows, ids, strict=True):
            row["id"] = new_id
        return ids

    def _people(self) -> list[dict[str, Any]]:
        rng, seen = self.rng, set()
        rows: list[dict[str, Any]] = []
        leavers = 0
        for i in range(self.spec.people):
            first, last = rng.choice(FIRST), rng.choice(LAST)
            local = f"{first}.{last}".lower().replace("'", "")
            local = local.translate(str.maketrans("éëíçğıöü", "eeicgiou"))
            email = f"{local}@example.com" if local not in seen else f"{local}{i}@example.com"
            seen.add(local)
            dept, cc = rng.choice(DEPARTMENTS)
            departed = rng.random() < 0.08
            end = self.today - timedelta(days=rng.randint(5, 200)) if departed else None
            # One leaver in four still used their tools after their last day (a red flag
            # the app raises); the others stopped on it.
            lingering = departed and leavers % 4 == 0
            leavers += departed
            rows.append({"email": email, "name": f"{first} {last}", "department": dept,
                         "cost_center": cc, "status": (PersonStatus.DEPARTED if departed
                                                       else PersonStatus.ACTIVE).value,
                         "end_date": end, "source": "demo", "created_at": self.now,
                         "updated_at": self.now, "_lingering": lingering})
        ids = self._insert(Person, [{k: v for k, v in r.items() if not k.startswith("_")}
                                    for r in rows])
        for row, person_id in zip(rows, ids, strict=True):
            row["id"] = person_id
        return rows

    def _tools(self, people: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rng = self.rng
        vendors: dict[str, int] = {}
        rows = []
        active = [p for p in people if p["status"] == PersonStatus.ACTIVE.value]
        gone = [p for p in people if p["status"] == PersonStatus.DEPARTED.value]
        for i in range(self.spec.tools):
            name, vendor, category, pricing, price, currency = CATALOGUE[i % len(CATALOGUE)]
            if i >= len(CATALOGUE):
                name = f"{name} — {TEAMS[(i // len(CATALOGUE) - 1) % len(TEAMS)]}"
                if i >= len(CATALOGUE) * (len(TEAMS) + 1):
                    name = f"{name} {i}"
            if vendor not in vendors:
                vendors[vendor] = self._insert(Vendor, [{
                    "name": vendor, "created_at": self.now, "updated_at": self.now}])[0]
            no_owner = i % 11 == 5
            # A few tools are still owned by someone who has left: they need a hand-over.
            owners = gone if gone and i % 9 == 4 else active
            rows.append({
                "name": name, "vendor_id": vendors[vendor], "category": category,
                "owner_id": None if no_owner else rng.choice(owners)["id"],
                "website": f"https://www.{vendor.split()[0].lower()}.example",
                "inactivity_days": 30 if category == "Communication" else None,
                "created_at": self.now, "updated_at": self.now,
                "_pricing": pricing, "_price": price, "_currency": currency,
            })
        clean = [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows]
        for row, tool_id in zip(rows, self._insert(Tool, clean), strict=True):
            row["id"] = tool_id
        return rows

    def _terms(self, tools: list[dict[str, Any]]) -> tuple[int, dict[int, int]]:
        rng, rows = self.rng, []
        seats_by_tool: dict[int, int] = {}
        extra = self.spec.terms - len(tools)  # tools that also have a previous, renewed term
        for i, tool in enumerate(tools):
            per_seat = tool["_pricing"] == PricingModel.PER_SEAT.value
            if self.size == "small":
                seats = rng.randint(5, 30) if per_seat else None
            else:
                seats = rng.randint(190, 750) if per_seat else None
            seats_by_tool[tool["id"]] = seats or rng.randint(5, 40)
            monthly = tool["_price"] if per_seat else None
            billing = rng.choice([1, 12, 12, 12, 3]) if per_seat else 12
            price = (Decimal(monthly) * billing if monthly else Decimal(tool["_price"]))
            currency = tool["_currency"]
            unit = Money.rounded(price, currency)
            renewal = self.today + timedelta(days=rng.randint(3, 360))
            undated = i % 13 == 7
            start = renewal - relativedelta(months=12)
            notice = rng.choice([0, 30, 30, 60, 90])
            base = {
                "tool_id": tool["id"], "plan": rng.choice(["Business", "Enterprise", "Pro",
                                                           "Team"]),
                "pricing": tool["_pricing"], "unit_price_minor": unit.minor,
                "currency": currency, "seats": seats, "billing_months": billing,
                "auto_renew": rng.random() < 0.8, "notice_days": notice,
                "internal_lead_days": rng.choice([0, 0, 7, 14]),
                "cost_center": rng.choice(DEPARTMENTS)[1],
                "po_reference": f"PO-{2026000 + i}", "status": TermStatus.ACTIVE.value,
                "created_at": self.now, "updated_at": self.now,
            }
            if i < extra:
                old_start = start - relativedelta(months=12)
                old_price = Money.rounded(price * Decimal("0.9"), currency)
                rows.append({**base, "term_start": old_start, "renewal_date": start,
                             "unit_price_minor": old_price.minor,
                             "status": TermStatus.RENEWED.value})
            rows.append({**base, "term_start": None if undated else start,
                         "renewal_date": None if undated else renewal})
        ids = self._insert(SubscriptionTerm, rows)
        # Link each current term to the renewed one before it.
        previous: dict[int, int] = {}
        for row, term_id in zip(rows, ids, strict=True):
            if row["status"] == TermStatus.RENEWED.value:
                previous[row["tool_id"]] = term_id
            elif row["tool_id"] in previous:
                self.session.get(SubscriptionTerm, term_id).previous_term_id = (  # type: ignore[union-attr]
                    previous[row["tool_id"]])
        return len(rows), seats_by_tool

    def _accounts(self, tools: list[dict[str, Any]], people: list[dict[str, Any]],
                  seats_by_tool: dict[int, int],
                  progress: Callable[[int, int], None] | None) -> int:
        rng = self.rng
        total_target = self.spec.accounts
        # A per-seat tool in 23 whose user list was never imported: it has no seat data.
        unlisted = {t["id"] for n, t in enumerate(tools)
                    if n % 23 == 11 and t["_pricing"] == PricingModel.PER_SEAT.value}
        if total_target:
            # Most tools hold fewer seats than they buy, some more (a true-up to watch).
            weights = [0.0 if t["id"] in unlisted
                       else seats_by_tool[t["id"]] * rng.uniform(0.6, 1.1) for t in tools]
            scale = total_target / sum(weights)
            per_tool = [max(1, round(w * scale)) if w else 0 for w in weights]
            last = max(n for n, w in enumerate(weights) if w)
            per_tool[last] += total_target - sum(per_tool)
        else:
            # One tool in twelve holds a few seats more than it bought (a true-up to watch).
            per_tool = [0 if t["id"] in unlisted
                        else seats_by_tool[t["id"]] + rng.randint(1, 3) if n % 12 == 3
                        else max(1, int(seats_by_tool[t["id"]] * rng.uniform(0.7, 1.0)))
                        for n, t in enumerate(tools)]
        written = 0
        for tool, count in zip(tools, per_tool, strict=True):
            if not count:
                continue
            unknown_activity = tool["_pricing"] == "per_seat" and rng.random() < 0.1
            chosen = self._pick_people(people, count)
            rows = [self._account(tool["id"], person, n, unknown_activity)
                    for n, person in enumerate(chosen)]
            if self.size == "small" and rng.random() < 0.3:
                rows.append(self._bot(tool["id"]))
            # bulk.insert_many: a third of the time of an ORM executemany (1M accounts).
            insert_many(self.session.connection(), Account.__table__, rows)  # type: ignore[arg-type]
            written += len(rows)
            if progress:
                progress(written, total_target or written)
        return written

    def _pick_people(self, people: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
        if count <= len(people):
            return self.rng.sample(people, count)
        # More seats than people (large demo): the rest are contractors' addresses.
        extra = [{"id": None, "email": f"contractor{n}@partner.example", "name": None,
                  "status": PersonStatus.ACTIVE.value} for n in range(count - len(people))]
        return people + extra

    def _account(self, tool_id: int, person: dict[str, Any], n: int,
                 unknown_activity: bool) -> dict[str, Any]:
        rng = self.rng
        roll = rng.random()
        status = (AccountStatus.INVITED if roll < 0.04 else AccountStatus.SUSPENDED
                  if roll < 0.06 else AccountStatus.ACTIVE)
        if person["status"] == PersonStatus.DEPARTED.value and rng.random() < 0.3:
            status = AccountStatus.DEPROVISIONED
        first_seen = self.now - timedelta(days=rng.randint(20, 720))
        activity = rng.random()
        last: datetime | None
        if activity < 0.72:
            last = self.now - timedelta(days=rng.randint(0, 29), hours=rng.randint(0, 23))
        elif activity < 0.9:
            last = self.now - timedelta(days=rng.randint(30, 200))
        else:
            last = None
        end = person.get("end_date")
        if (last is not None and end is not None and not person.get("_lingering")
                and last.date() > end):
            last = datetime.combine(end, time(rng.randint(8, 17)), tzinfo=UTC) - timedelta(
                days=rng.randint(0, 10))
        if last is not None and last < first_seen:
            first_seen = last - timedelta(days=1)
        if status is AccountStatus.INVITED:
            last = None
        role = (Role.OWNER if n == 0 else Role.ADMIN if n < 3 else Role.GUEST
                if rng.random() < 0.05 else Role.MEMBER)
        return {
            "tool_id": tool_id, "person_id": person["id"], "external_id": f"U{tool_id:04d}{n:06d}",
            "email": person["email"], "display_name": person["name"], "role": role.value,
            "vendor_role": role.value.title(), "license_tier": None, "status": status.value,
            "last_activity": None if unknown_activity else last,
            "activity_known": not unknown_activity,
            "invited_at": first_seen if status is AccountStatus.INVITED else None,
            "first_seen": first_seen, "last_seen_sync": None,
            "source": "scim" if unknown_activity else "demo", "is_bot": False, "exempt": False,
            "updated_at": self.now,
        }

    def _bot(self, tool_id: int) -> dict[str, Any]:
        return {
            "tool_id": tool_id, "person_id": None, "external_id": f"B{tool_id:04d}",
            "email": f"ci-bot+{tool_id}@example.com", "display_name": "CI bot",
            "role": Role.MEMBER.value, "vendor_role": "Bot", "license_tier": None,
            "status": AccountStatus.ACTIVE.value, "last_activity": None,
            "activity_known": True, "invited_at": None,
            "first_seen": self.now - timedelta(days=400), "last_seen_sync": None,
            "source": "demo", "is_bot": True, "exempt": False, "updated_at": self.now,
        }


class _Buying:
    """Requests (one evaluation under way), a second feedback round, capability tags."""

    def __init__(self, session: Session, ctx: ServiceContext, rng: random.Random, today: date,
                 now: datetime) -> None:
        self.session, self.rng, self.today, self.now = session, rng, today, now
        self.ctx = ctx.with_source(AuditSource.SYSTEM)

    def build(self, tools: list[dict[str, Any]], people: list[dict[str, Any]]) -> None:
        by_name = {t["name"]: t["id"] for t in tools}
        self.session.add_all([ToolTag(tool_id=by_name[name], tag=tag)
                              for name, tags in DEMO_TAGS.items() if name in by_name
                              for tag in tags])
        ids = self._requests(by_name, people)
        self._evaluation(ids[0], by_name, people)
        self._feedback(by_name, people)
        self.session.flush()

    def _ago(self, days: int) -> datetime:
        return self.now - timedelta(days=days)

    def _requests(self, by_name: dict[str, int], people: list[dict[str, Any]]) -> list[int]:
        ids: list[int] = []
        for (title, team, category, tool, urgency, problem, considered, status, reason,
             days) in DEMO_REQUESTS:
            person = self.rng.choice(people)
            row = ToolRequest(
                title=title, requested_by_id=person["id"], requested_by_email=person["email"],
                team=team, category=category, tool_name=tool, tool_id=by_name.get(tool or ""),
                problem=problem, considered=considered, urgency=urgency, status=status,
                status_reason=reason, created_at=self._ago(days), updated_at=self._ago(days),
                duplicate_of_id=ids[0] if status == "duplicate" else None)
            self.session.add(row)
            self.session.flush()
            ids.append(row.id)
            audit.record(self.session, replace(self.ctx, actor=person["email"]), action="create",
                         entity="tool_request", entity_id=row.id,
                         summary=f"request {row.id} raised by {person['email']}: {title}")
            if status != "new":
                dup = f" of request {ids[0]}" if status == "duplicate" else ""
                why = f" ({reason})" if reason else ""
                audit.record(self.session, self.ctx, action="status",
                             entity="tool_request", entity_id=row.id,
                             summary=f"request {row.id}: new → {status}{dup}{why}",
                             changes={"status": ["new", status]})
        return ids

    def _evaluation(self, request_id: int, by_name: dict[str, int],
                    people: list[dict[str, Any]]) -> None:
        evaluation = Evaluation(request_id=request_id, created_at=self._ago(20),
                                updated_at=self._ago(20))
        self.session.add(evaluation)
        self.session.flush()
        criteria = []
        for n, c in enumerate(DEFAULT_CRITERIA):
            row = EvaluationCriterion(evaluation_id=evaluation.id, key=c.key, label=c.label,
                                      weight=c.weight, position=n)
            self.session.add(row)
            criteria.append(row)
        evaluators = self.rng.sample(people, 3)
        for name, vendor, quote in DEMO_CANDIDATES:
            candidate = EvaluationCandidate(evaluation_id=evaluation.id, name=name,
                                            tool_id=by_name.get(name), vendor=vendor)
            if quote is not None:
                price, currency, seats, months = quote
                candidate.quote_pricing = PricingModel.PER_SEAT.value
                candidate.quote_unit_price_minor = Money.from_decimal(price, currency).minor
                candidate.quote_currency, candidate.quote_seats = currency, seats
                candidate.quote_billing_months = months
            self.session.add(candidate)
            self.session.flush()
            for person, scores in zip(evaluators, DEMO_SCORES[name], strict=True):
                self.session.add_all([
                    EvaluationScore(candidate_id=candidate.id, criterion_id=c.id,
                                    evaluator_id=person["id"],
                                    evaluator_email=person["email"], score=value,
                                    scored_at=self._ago(12))
                    for c, value in zip(criteria, scores, strict=True) if value])

    def _feedback(self, by_name: dict[str, int], people: list[dict[str, Any]]) -> None:
        rounds = [FeedbackRound(name="2026 H1 tool survey", held_on=self.today -
                                timedelta(days=190), created_at=self._ago(190)),
                  FeedbackRound(name="2026 H2 tool survey", held_on=self.today -
                                timedelta(days=18), created_at=self._ago(18))]
        self.session.add_all(rounds)
        self.session.flush()
        rated = [name for name in DEMO_SATISFACTION if name in by_name]
        respondents = self.rng.sample(people, min(len(people), 24))
        for n, round_ in enumerate(rounds):
            for person in respondents:
                for name in self.rng.sample(rated, min(len(rated), 5)):
                    typical, move = DEMO_SATISFACTION[name]
                    score = round(typical + move * n + self.rng.uniform(-1.2, 1.2))
                    score = min(5, max(1, score))
                    self.session.add(FeedbackResponse(
                        round_id=round_.id, tool_id=by_name[name],
                        respondent_email=person["email"], person_id=person["id"],
                        score=score, source="demo", created_at=round_.created_at,
                        updated_at=round_.created_at,
                        comment=DEMO_COMMENTS[score] if self.rng.random() < 0.3 else None))

