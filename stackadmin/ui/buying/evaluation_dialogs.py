"""The dialogs of a request's page: move its status, add candidates, record a quote, score a
candidate, change the weights, and decide (the purchase, pre-filled from the quote)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from stackadmin.ui.dialogs import Field, FormDialog, blank_to_none
from stackadmin.ui.dialogs.terms import PERIODS

if TYPE_CHECKING:
    from stackadmin.services.buying.evaluations import EvaluationReport
    from stackadmin.services.buying.purchase import PurchaseDraft
    from stackadmin.services.buying.requests import RequestRow
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.pages.base import Page

SCORE_CHOICES = ("", "1", "2", "3", "4", "5")
STATUS_WORDS = {"new": "Reopen as new", "triaged": "Triage", "evaluating": "Evaluate",
                "approved": "Approve", "rejected": "Reject…", "duplicate": "Duplicate…",
                "purchased": "Purchased…"}


def widen(dialog: FormDialog) -> FormDialog:
    """Editable drop-downs as wide as the form (an email does not fit a word's width)."""
    from PySide6.QtWidgets import QComboBox, QSizePolicy

    for widget in dialog.inputs.values():
        if isinstance(widget, QComboBox) and widget.isEditable():
            widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return dialog


@dataclass(frozen=True)
class PageChoices:
    """What the dialogs offer, read with the page."""

    people: list[str]
    tools: list[str]
    requests: list[tuple[int, str]]  # other requests: (id, title)


def status_dialog(page: Page, request: RequestRow, status: str,
                  choices: PageChoices) -> FormDialog | None:
    """Moves the request; asks only what the status needs (a reason to reject, the
    original of a duplicate, the tool a purchase became)."""
    fields: list[Field] = []
    if status == "duplicate":
        fields.append(Field("duplicate_of", "Duplicate of", kind="choice",
                            choices=[f"{i}: {t}" for i, t in choices.requests
                                     if i != request.id], words=("duplicate", "request")))
    if status == "purchased":
        fields.append(Field("tool", "The tool it became", kind="edit_choice",
                            choices=choices.tools, words=("tool",)))
    fields.append(Field("reason", "Reason" if status == "rejected" else "Note",
                        kind="multiline", words=("reason", "rejection")))
    request_id = request.id

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.buying.requests import set_status

        dup = values.get("duplicate_of") or None
        return set_status(ctx, request_id, status, reason=values.get("reason") or None,
                          duplicate_of=int(dup.split(":")[0]) if dup else None,
                          tool=values.get("tool") or None)

    words = {"rejected": "Why is it rejected? The requester will want to know.",
             "duplicate": "Which request does this one repeat?",
             "purchased": "Which tool in the inventory answered it?"}
    dialog = FormDialog(page.env, f"Request {request.id}: {status}", fields, {}, save, page,
                        intro=words.get(status, f"Move request {request.id} to {status}."),
                        changed="request")
    widen(dialog).open()
    return dialog


def candidates_dialog(page: Page, request_id: int) -> FormDialog:
    fields = [Field("names", "Candidates", words=("candidate", "named twice", "name"),
                    help="Names separated by commas; a tool in the inventory is recognised."),
              Field("vendor", "Vendor", words=("vendor",), help="Optional, for new names.")]

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.buying.evaluations import add_candidates

        names = [n for n in (values.get("names") or "").split(",") if n.strip()]
        return add_candidates(ctx, request_id, names, vendor=values.get("vendor") or None)

    dialog = FormDialog(page.env, "Add candidates", fields, {}, save, page,
                        changed="evaluation",
                        intro="Existing tools or new names; the evaluation starts with the "
                              "default criteria.")
    widen(dialog).open()
    return dialog


def quote_dialog(page: Page, request_id: int, report: EvaluationReport,
                 candidate: str | None) -> FormDialog:
    names = [c.name for c in report.candidates]
    current = next((c for c in report.candidates if c.name == candidate), None)
    quote = current.quote if current is not None else None
    fields = [
        Field("candidate", "Candidate", kind="choice", choices=names, words=("candidate",)),
        Field("unit_price", "Price per period", words=("price",),
              help="Per seat for per-seat pricing; the whole price for flat pricing."),
        Field("currency", "Currency", kind="edit_choice",
              choices=("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD"),
              words=("currency", "decimals than")),
        Field("seats", "Seats", words=("seat",)),
        Field("billing_period", "Billing period", kind="edit_choice", choices=PERIODS,
              words=("billing period",)),
        Field("pricing", "Pricing", kind="choice", choices=("per_seat", "flat"),
              words=("pricing",)),
        Field("plan", "Plan", words=("plan",)),
        Field("vendor", "Vendor", words=("vendor",)),
    ]
    values: dict[str, Any] = {"candidate": candidate or (names[0] if names else ""),
                              "currency": "USD", "billing_period": "annual",
                              "pricing": "per_seat",
                              "vendor": current.vendor if current else None}
    if quote is not None:
        values.update(unit_price=quote.unit_price.plain(), currency=quote.unit_price.currency,
                      seats=quote.seats, pricing=quote.pricing, plan=quote.plan,
                      billing_period={1: "monthly", 3: "quarterly", 12: "annual"}.get(
                          quote.billing_months, f"every {quote.billing_months} months"))

    def save(ctx: ServiceContext, data: dict[str, Any]) -> Any:
        from stackadmin.services.buying.evaluations import set_quote

        data = blank_to_none(dict(data), "seats", "plan", "vendor")
        name = data.pop("candidate")
        return set_quote(ctx, request_id, name, **data)

    dialog = FormDialog(page.env, "Quote", fields, values, save, page, changed="evaluation",
                        intro="What the vendor quoted: the annual cost is worked out as for a "
                              "term, and shown in the base currency.")
    widen(dialog).open()
    return dialog


def score_dialog(page: Page, request_id: int, report: EvaluationReport,
                 candidate: str | None, choices: PageChoices) -> FormDialog:
    names = [c.name for c in report.candidates]
    fields = [Field("candidate", "Candidate", kind="choice", choices=names,
                    words=("candidate",)),
              Field("evaluator", "Evaluator", kind="edit_choice", choices=choices.people,
                    words=("people list", "email"))]
    fields += [Field(f"score:{c.key}", f"{c.label} ({c.weight})", kind="choice",
                     choices=SCORE_CHOICES, words=(f"{c.key}:",)) for c in report.criteria]
    fields.append(Field("note", "Note", kind="multiline", words=("note",)))

    def save(ctx: ServiceContext, data: dict[str, Any]) -> Any:
        from stackadmin.services.buying.evaluations import score

        scores = {k.split(":", 1)[1]: v for k, v in data.items()
                  if k.startswith("score:") and v}
        return score(ctx, request_id, data["candidate"], data.get("evaluator") or "", scores,
                     note=data.get("note") or None)

    dialog = FormDialog(page.env, "Score a candidate", fields,
                        {"candidate": candidate or (names[0] if names else "")}, save, page,
                        changed="evaluation",
                        intro="1 poor … 5 excellent; leave a criterion empty if you cannot "
                              "judge it (it is left out of your total, not counted as 0).")
    widen(dialog).open()
    return dialog


def weights_dialog(page: Page, request_id: int, report: EvaluationReport) -> FormDialog:
    fields = [Field(c.key, f"{c.label}", words=(f"{c.key}:",)) for c in report.criteria]
    fields += [Field("new_key", "New criterion (key)", words=("criterion key",),
                     placeholder="e.g. support_quality"),
               Field("new_weight", "Its weight", words=("new weight",))]

    def save(ctx: ServiceContext, data: dict[str, Any]) -> Any:
        from stackadmin.services.buying.evaluations import set_weights

        weights = {k: v for k, v in data.items() if k not in ("new_key", "new_weight")}
        if (data.get("new_key") or "").strip():
            weights[data["new_key"].strip()] = data.get("new_weight") or "0"
        return set_weights(ctx, request_id, weights)

    dialog = FormDialog(page.env, "Weights", fields, {c.key: c.weight for c in report.criteria},
                        save, page, changed="evaluation",
                        intro="Shares of 100: they must add up to 100. 0 keeps a criterion "
                              "listed but out of the totals.")
    widen(dialog).open()
    return dialog


def decide_dialog(page: Page, request_id: int, draft: PurchaseDraft,
                  people: Sequence[str]) -> FormDialog:
    """The decision with what it creates, pre-filled from the quote; Save makes the
    purchase in one step."""
    fields = [Field("rationale", "Rationale", kind="multiline", words=("rationale",))]
    values: dict[str, Any] = {}
    if draft.tool is not None:
        fields += [Field("tool:name", "Tool name", words=("tool",)),
                   Field("tool:vendor", "Vendor", words=("vendor",)),
                   Field("tool:category", "Category", words=("category",)),
                   Field("tool:owner_email", "Owner (email)", kind="edit_choice",
                         choices=people, words=("owner",))]
        values.update({f"tool:{k}": v for k, v in draft.tool.items()})
    if draft.term is not None:
        fields += [
            Field("term:plan", "Plan", words=("plan",)),
            Field("term:pricing", "Pricing", kind="choice", choices=("per_seat", "flat"),
                  words=("pricing",)),
            Field("term:unit_price", "Price per period", words=("unit price",)),
            Field("term:currency", "Currency", words=("currency", "decimals than")),
            Field("term:seats", "Seats", words=("seats",)),
            Field("term:billing_period", "Billing period", kind="edit_choice",
                  choices=PERIODS, words=("billing period",)),
            Field("term:term_start", "Term start", kind="date", words=("term start",)),
            Field("term:renewal_date", "Renewal date", kind="date", words=("renewal date",)),
            Field("term:notice_days", "Notice period (days)", words=("notice",)),
        ]
        values.update({f"term:{k}": v for k, v in draft.term.items() if k not in (
            "auto_renew", "notes")})
    if draft.tool is not None:
        what = (f"Creates the tool {draft.candidate} and its first term from the quote "
                "(change anything below first)"
                + (f", tags it {draft.tag} (what the request asked for)" if draft.tag else ""))
    elif draft.term is not None:
        what = f"Adds a term to {draft.candidate}, which the inventory has already"
    else:
        what = (f"{draft.candidate} is in the inventory already: the request is linked to it "
                "and its current term")
    candidate = draft.candidate

    def save(ctx: ServiceContext, data: dict[str, Any]) -> Any:
        from stackadmin.services.buying.purchase import decide

        tool = {k.split(":", 1)[1]: v for k, v in data.items() if k.startswith("tool:")}
        term = {k.split(":", 1)[1]: v for k, v in data.items() if k.startswith("term:")}
        blank_to_none(tool, "vendor", "category", "owner_email")
        blank_to_none(term, "seats")
        return decide(ctx, request_id, candidate, data.get("rationale") or "",
                      tool=tool or None, term=term or None)

    dialog = FormDialog(page.env, f"Decide: {draft.candidate}", fields, values, save, page,
                        changed="*", intro=f"{what}, and marks request {request_id} purchased. "
                                           "All in one step: nothing is saved unless all of it "
                                           "is.")
    widen(dialog).open()
    return dialog
