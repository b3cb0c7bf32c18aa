"""Evaluations: the candidates for a request (existing tools or new names) with their quotes,
the weighted criteria, each evaluator's 1–5 scores, and the comparison of them all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from stackadmin.domain.money import Money, normalize_currency
from stackadmin.domain.requests import CLOSED, RequestStatus
from stackadmin.domain.scorecard import (
    DEFAULT_CRITERIA,
    CandidateResult,
    Criterion,
    Rating,
    check_criteria,
    check_key,
    parse_score,
    parse_weight,
    ranking_key,
    score_candidate,
)
from stackadmin.domain.terms import TermPrice, billing_period_label, parse_billing_period
from stackadmin.domain.values import (
    non_negative_int,
    normalize_email,
    optional_text,
    parse_choice,
    required_text,
)
from stackadmin.domain.vocab import PricingModel
from stackadmin.errors import NotFoundError, ValidationError
from stackadmin.services import audit
from stackadmin.services.buying.requests import change_status
from stackadmin.services.context import ServiceContext
from stackadmin.services.crud import get_or_404
from stackadmin.services.inventory.rates import load_rates
from stackadmin.services.inventory.tools import named
from stackadmin.store.models import (
    Evaluation,
    EvaluationCandidate,
    EvaluationCriterion,
    EvaluationDecision,
    EvaluationScore,
    Person,
    Tool,
    ToolRequest,
)


@dataclass(frozen=True, slots=True)
class Quote:
    """What a vendor quoted, with the money rules of terms."""

    plan: str | None
    pricing: str
    unit_price: Money  # per seat per billing period, or the flat price per period
    seats: int | None
    billing_months: int

    @property
    def price(self) -> TermPrice:
        return TermPrice(PricingModel(self.pricing), self.unit_price.amount, self.seats,
                         self.billing_months)

    @property
    def annual_cost(self) -> Money:
        return Money.rounded(self.price.annual_cost, self.unit_price.currency)

    def describe(self) -> str:
        per = "a seat " if self.pricing == PricingModel.PER_SEAT.value else ""
        seats = f" × {self.seats:,} seats" if self.seats is not None and per else ""
        return (f"{self.unit_price} {per}{billing_period_label(self.billing_months)}{seats}"
                + (f" ({self.plan})" if self.plan else ""))


@dataclass(frozen=True, slots=True)
class ScoreRow:
    evaluator: str
    criterion: str
    score: int
    note: str | None


@dataclass(frozen=True, slots=True)
class CandidateScore:
    id: int
    name: str
    tool_id: int | None  # an existing tool of the inventory
    vendor: str | None
    note: str | None
    quote: Quote | None
    annual_cost_base: Decimal | None  # the quote's annual cost in the base currency
    missing_rate: str | None  # the quote's currency, when it has no exchange rate
    result: CandidateResult
    scores: tuple[ScoreRow, ...]
    chosen: bool = False


@dataclass(frozen=True, slots=True)
class DecisionRow:
    candidate: str
    rationale: str
    decided_by: str
    decided_at: datetime
    tool_id: int | None
    term_id: int | None


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    request_id: int
    title: str
    status: str
    as_of: date
    base_currency: str
    criteria: tuple[Criterion, ...]
    candidates: list[CandidateScore]  # best weighted total first
    decision: DecisionRow | None
    evaluators: tuple[str, ...]

    def candidate(self, name: str) -> CandidateScore:
        found = next((c for c in self.candidates if c.name.casefold() == name.casefold()),
                     None)
        if found is None:
            raise NotFoundError(f"{name} is not a candidate of request {self.request_id}")
        return found


# -- finding things ----------------------------------------------------------------------
def _request(session: Session, request_id: int) -> ToolRequest:
    return get_or_404(session, ToolRequest, request_id, "request")


def evaluation_of(session: Session, request_id: int) -> Evaluation:
    _request(session, request_id)
    found = session.scalars(select(Evaluation).where(Evaluation.request_id == request_id)
                            ).first()
    if found is None:
        raise NotFoundError(f"request {request_id} has no evaluation yet: add candidates with "
                            f"`stackadmin evaluate add {request_id} --candidate NAME`")
    return found


def candidate_of(session: Session, evaluation: Evaluation, name: str) -> EvaluationCandidate:
    wanted = name.strip().casefold()
    for c in evaluation.candidates:
        if c.name.casefold() == wanted:
            return c
    names = ", ".join(c.name for c in evaluation.candidates) or "none yet"
    raise NotFoundError(f"'{name}' is not a candidate of request {evaluation.request_id} "
                        f"(candidates: {names})")


def _decided(session: Session, evaluation: Evaluation) -> EvaluationDecision | None:
    return session.scalars(select(EvaluationDecision).where(
        EvaluationDecision.evaluation_id == evaluation.id)).first()


def refuse_if_decided(session: Session, evaluation: Evaluation) -> None:
    decision = _decided(session, evaluation)
    if decision is not None:
        raise ValidationError(f"the evaluation of request {evaluation.request_id} was decided "
                              f"on {decision.decided_at.date().isoformat()}; it no longer "
                              "changes")


def _ensure(session: Session, ctx: ServiceContext, request: ToolRequest) -> Evaluation:
    found = session.scalars(select(Evaluation).where(Evaluation.request_id == request.id)
                            ).first()
    if found is not None:
        return found
    evaluation = Evaluation(request_id=request.id)
    evaluation.criteria = [EvaluationCriterion(key=c.key, label=c.label, weight=c.weight,
                                               position=n)
                           for n, c in enumerate(DEFAULT_CRITERIA)]
    session.add(evaluation)
    session.flush()
    audit.record(session, ctx, action="create", entity="evaluation", entity_id=evaluation.id,
                 summary=f"evaluation of request {request.id} with the default criteria "
                         + ", ".join(f"{c.key} {c.weight}" for c in DEFAULT_CRITERIA))
    return evaluation


# -- changes -----------------------------------------------------------------------------
def add_candidates(ctx: ServiceContext, request_id: int, names: Sequence[str], *,
                   vendor: str | None = None) -> list[str]:
    """Adds candidates (existing tools are recognised by name) to the request's evaluation,
    creating it with the default criteria; a new or triaged request moves to evaluating.
    Returns the candidates' names as stored."""
    clean = [required_text(n, "candidate name", 200) for n in names]
    if not clean:
        raise ValidationError("name at least one candidate (--candidate NAME)")
    folded = [n.casefold() for n in clean]
    twice = sorted({n for n in clean if folded.count(n.casefold()) > 1})
    if twice:
        raise ValidationError(f"{', '.join(twice)} is named twice")
    with ctx.transaction() as session:
        request = _request(session, request_id)
        status = RequestStatus(request.status)
        if status in CLOSED:
            raise ValidationError(f"request {request_id} is {status.value}: reopen it before "
                                  "evaluating candidates")
        evaluation = _ensure(session, ctx, request)
        refuse_if_decided(session, evaluation)
        existing = {c.name.casefold() for c in evaluation.candidates}
        there = [n for n in clean if n.casefold() in existing]
        if there:
            raise ValidationError(f"{', '.join(there)} is a candidate already")
        added = []
        for name in clean:
            tool = named(session, Tool, name)
            candidate = EvaluationCandidate(
                evaluation_id=evaluation.id, name=tool.name if tool else name,
                tool_id=tool.id if tool else None,
                vendor=optional_text(vendor, "vendor", 200) or (
                    tool.vendor.name if tool and tool.vendor else None))
            session.add(candidate)
            session.flush()
            audit.record(session, ctx, action="create", entity="evaluation_candidate",
                         entity_id=candidate.id,
                         summary=f"request {request_id}: candidate {candidate.name}"
                                 + (" (in the inventory)" if tool else " (new)"))
            added.append(candidate.name)
        if status in (RequestStatus.NEW, RequestStatus.TRIAGED):
            change_status(session, ctx, request, RequestStatus.EVALUATING)
        return added


def set_quote(ctx: ServiceContext, request_id: int, candidate: str, *, unit_price: str,
              currency: str, seats: int | str | None = None, billing_period: str = "annual",
              pricing: str = "per_seat", plan: str | None = None,
              vendor: str | None = None) -> Quote:
    """Records (or replaces) a candidate's quote: price per seat per billing period (or the
    flat price per period), seats, billing period and currency, as a term states them."""
    problems: list[str] = []
    try:
        code = normalize_currency(currency)
    except ValidationError as exc:
        problems.extend(exc.problems)
        code = None
    try:
        model = parse_choice(pricing, PricingModel, "pricing")
    except ValidationError as exc:
        problems.extend(exc.problems)
        model = PricingModel.PER_SEAT.value
    try:
        months = parse_billing_period(billing_period)
    except ValidationError as exc:
        problems.extend(exc.problems)
        months = 12
    count: int | None = None
    if seats is not None and str(seats).strip():
        try:
            count = non_negative_int(seats, "seats")
        except ValidationError as exc:
            problems.extend(exc.problems)
    money: Money | None = None
    if code is not None:
        try:
            money = Money.from_decimal(str(unit_price).strip(), code)
            if money.minor < 0:
                problems.append(f"the price cannot be negative, got {unit_price}")
        except ValidationError as exc:
            problems.append(f"price: {exc}")
    if model == PricingModel.PER_SEAT.value and count is None and not problems:
        problems.append("a per-seat quote needs its seat count (--seats N)")
    if problems or money is None:
        raise ValidationError(problems)
    plan_text = optional_text(plan, "plan", 200)
    with ctx.transaction() as session:
        evaluation = evaluation_of(session, request_id)
        refuse_if_decided(session, evaluation)
        row = candidate_of(session, evaluation, candidate)
        before = audit.snapshot(row, _QUOTE_FIELDS)
        row.quote_plan, row.quote_pricing = plan_text, model
        row.quote_unit_price_minor, row.quote_currency = money.minor, money.currency
        row.quote_seats, row.quote_billing_months = count, months
        if vendor is not None:
            row.vendor = optional_text(vendor, "vendor", 200)
        session.flush()
        quote = quote_of(row)
        assert quote is not None
        audit.record(session, ctx, action="quote", entity="evaluation_candidate",
                     entity_id=row.id,
                     summary=f"request {request_id}: quote for {row.name}: {quote.describe()}",
                     changes=audit.diff(before, audit.snapshot(row, _QUOTE_FIELDS)))
        return quote


_QUOTE_FIELDS = ("quote_plan", "quote_pricing", "quote_unit_price_minor", "quote_currency",
                 "quote_seats", "quote_billing_months", "vendor")


def set_weights(ctx: ServiceContext, request_id: int, weights: Mapping[str, str | int], *,
                labels: Mapping[str, str] | None = None) -> tuple[Criterion, ...]:
    """Changes this evaluation's weights (a new key adds a criterion); they must still add
    up to 100. Weight 0 keeps a criterion listed but out of the totals."""
    problems: list[str] = []
    parsed: dict[str, int] = {}
    for key, value in weights.items():
        try:
            parsed[check_key(key)] = parse_weight(value)
        except ValidationError as exc:
            problems.extend(f"{key}: {p}" for p in exc.problems)
    if problems:
        raise ValidationError(problems)
    with ctx.transaction() as session:
        request = _request(session, request_id)
        evaluation = _ensure(session, ctx, request)
        refuse_if_decided(session, evaluation)
        rows = {c.key: c for c in evaluation.criteria}
        before = {k: c.weight for k, c in rows.items()}
        for key, weight in parsed.items():
            label = (labels or {}).get(key)
            if key in rows:
                rows[key].weight = weight
                if label:
                    rows[key].label = required_text(label, "label", 120)
            else:
                row = EvaluationCriterion(
                    evaluation_id=evaluation.id, key=key, weight=weight,
                    label=required_text(label or key.replace("_", " ").capitalize(),
                                        "label", 120),
                    position=len(rows))
                session.add(row)
                rows[key] = row
        criteria = tuple(Criterion(c.key, c.label, c.weight)
                         for c in sorted(rows.values(), key=lambda c: c.position))
        check_criteria(criteria)
        session.flush()
        after = {c.key: c.weight for c in criteria}
        changes = audit.diff(before, after)
        if changes:
            audit.record(session, ctx, action="weights", entity="evaluation",
                         entity_id=evaluation.id,
                         summary=f"request {request_id}: weights "
                                 + ", ".join(f"{k} {w}" for k, w in after.items()),
                         changes=changes)
        return criteria


def score(ctx: ServiceContext, request_id: int, candidate: str, evaluator: str,
          scores: Mapping[str, str | int], *, note: str | None = None) -> int:
    """Records an evaluator's scores (1–5) of one candidate, criterion by criterion; a
    criterion scored before by the same evaluator is replaced. Every value is checked
    before anything is written. Returns how many scores were written."""
    if not scores:
        raise ValidationError("give at least one CRITERION=SCORE (e.g. fit=4)")
    email = normalize_email(evaluator)
    clean_note = optional_text(note, "note", 10_000)
    with ctx.transaction() as session:
        evaluation = evaluation_of(session, request_id)
        refuse_if_decided(session, evaluation)
        row = candidate_of(session, evaluation, candidate)
        person_id = session.scalar(select(Person.id).where(Person.email == email))
        criteria = {c.key: c for c in evaluation.criteria}
        problems: list[str] = []
        parsed: dict[str, int] = {}
        if person_id is None:
            problems.append(f"no one in the people list has the email {email}")
        for key, value in scores.items():
            name = key.strip().lower()
            if name not in criteria:
                problems.append(f"'{key}' is not a criterion of this evaluation (criteria: "
                                f"{', '.join(criteria)})")
                continue
            try:
                parsed[name] = parse_score(value)
            except ValidationError as exc:
                problems.extend(f"{name}: {p}" for p in exc.problems)
        if problems:
            raise ValidationError(problems)
        existing = {s.criterion_id: s for s in session.scalars(select(EvaluationScore).where(
            EvaluationScore.candidate_id == row.id,
            EvaluationScore.evaluator_email == email))}
        changes: dict[str, list[int | None]] = {}
        for key, value in parsed.items():
            criterion = criteria[key]
            old = existing.get(criterion.id)
            if old is None:
                session.add(EvaluationScore(candidate_id=row.id, criterion_id=criterion.id,
                                            evaluator_id=person_id, evaluator_email=email,
                                            score=value, note=clean_note))
                changes[key] = [None, value]
            elif old.score != value or (clean_note is not None and old.note != clean_note):
                changes[key] = [old.score, value]
                old.score = value
                if clean_note is not None:
                    old.note = clean_note
        session.flush()
        if changes:
            audit.record(session, ctx, action="score", entity="evaluation_candidate",
                         entity_id=row.id,
                         summary=f"request {request_id}: {email} scored {row.name}: "
                                 + ", ".join(f"{k} {v[1]}" for k, v in changes.items()),
                         changes=changes)
        return len(changes)


# -- reading -----------------------------------------------------------------------------
def quote_of(c: EvaluationCandidate) -> Quote | None:
    if c.quote_unit_price_minor is None or c.quote_currency is None:
        return None
    return Quote(c.quote_plan, c.quote_pricing or PricingModel.PER_SEAT.value,
                 Money(c.quote_unit_price_minor, c.quote_currency), c.quote_seats,
                 c.quote_billing_months or 12)


def report(ctx: ServiceContext, request_id: int, as_of: date | None = None
           ) -> EvaluationReport:
    """The comparison: every candidate's per-criterion means, weighted total, spread between
    evaluators and quoted annual cost in the base currency (rates as of the day)."""
    day = as_of or ctx.today()
    with ctx.read() as session:
        request = _request(session, request_id)
        evaluation = session.scalars(select(Evaluation).where(
            Evaluation.request_id == request_id)).first()
        rates = load_rates(session, day)
        if evaluation is None:
            return EvaluationReport(request_id, request.title, request.status, day,
                                    rates.base_currency, DEFAULT_CRITERIA, [], None, ())
        criteria = tuple(Criterion(c.key, c.label, c.weight) for c in evaluation.criteria)
        keys = {c.id: c.key for c in evaluation.criteria}
        decision = _decided(session, evaluation)
        rows = session.scalars(select(EvaluationScore).where(EvaluationScore.candidate_id.in_(
            [c.id for c in evaluation.candidates])).order_by(EvaluationScore.id)).all()
        by_candidate: dict[int, list[ScoreRow]] = {}
        for s in rows:
            by_candidate.setdefault(s.candidate_id, []).append(
                ScoreRow(s.evaluator_email, keys[s.criterion_id], s.score, s.note))
        candidates = []
        for c in evaluation.candidates:
            quote = quote_of(c)
            scores = tuple(by_candidate.get(c.id, []))
            base = None if quote is None else rates.to_base(quote.price.annual_cost,
                                                            quote.unit_price.currency)
            candidates.append(CandidateScore(
                c.id, c.name, c.tool_id, c.vendor, c.note, quote, base,
                quote.unit_price.currency if quote is not None and base is None else None,
                score_candidate(criteria, (Rating(s.evaluator, s.criterion, s.score)
                                           for s in scores)),
                scores, decision is not None and decision.candidate_id == c.id))
        decided = None
        if decision is not None:
            chosen = next(c.name for c in evaluation.candidates
                          if c.id == decision.candidate_id)
            decided = DecisionRow(chosen, decision.rationale, decision.decided_by,
                                  decision.decided_at, decision.tool_id, decision.term_id)
        status, title = request.status, request.title
    candidates.sort(key=lambda c: ranking_key(c.name, c.result))
    evaluators = tuple(sorted({s.evaluator for c in candidates for s in c.scores}))
    return EvaluationReport(request_id, title, status, day, rates.base_currency, criteria,
                            candidates, decided, evaluators)


def criteria_of(ctx: ServiceContext, request_id: int) -> tuple[Criterion, ...]:
    with ctx.read() as session:
        evaluation = evaluation_of(session, request_id)
        return tuple(Criterion(c.key, c.label, c.weight) for c in evaluation.criteria)


def candidate_names(ctx: ServiceContext, request_id: int) -> list[str]:
    with ctx.read() as session:
        return [c.name for c in evaluation_of(session, request_id).candidates]


def evaluators_of(reports: Iterable[EvaluationReport]) -> set[str]:
    return {e for r in reports for e in r.evaluators}
