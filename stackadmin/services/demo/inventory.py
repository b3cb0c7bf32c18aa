"""The demo's inventory: vendors, tools, terms, people and their accounts, connections,
adoption and onboarding, built row by row from one random stream."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from sqlalchemy import insert
from sqlalchemy.orm import Session

from stackadmin.domain.money import Money
from stackadmin.domain.vocab import (
    AccountStatus,
    PersonStatus,
    PricingModel,
    Role,
    TermStatus,
)
from stackadmin.services.demo.data import (
    CATALOGUE,
    DEPARTMENTS,
    FIRST,
    LAST,
    TEAMS,
    DemoSize,
    DemoSummary,
)
from stackadmin.store.bulk import insert_many
from stackadmin.store.models import (
    Account,
    AdoptionTarget,
    BundleItem,
    Connection,
    ConnectionIncident,
    Person,
    SubscriptionTerm,
    Tool,
    TrainingResource,
    Vendor,
)


class InventoryBuilder:
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
