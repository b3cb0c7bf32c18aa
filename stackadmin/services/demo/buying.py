"""The demo's buying side: requests (one evaluation under way), a second feedback round,
capability tags."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from stackadmin.domain.money import Money
from stackadmin.domain.scorecard import DEFAULT_CRITERIA
from stackadmin.domain.vocab import (
    AuditSource,
    PricingModel,
)
from stackadmin.services import audit
from stackadmin.services.context import ServiceContext
from stackadmin.services.demo.data import (
    DEMO_CANDIDATES,
    DEMO_COMMENTS,
    DEMO_REQUESTS,
    DEMO_SATISFACTION,
    DEMO_SCORES,
    DEMO_TAGS,
)
from stackadmin.store.models import (
    Evaluation,
    EvaluationCandidate,
    EvaluationCriterion,
    EvaluationScore,
    FeedbackResponse,
    FeedbackRound,
    ToolRequest,
    ToolTag,
)


class BuyingBuilder:
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
