"""Dialogs for subscription terms: add, edit, renew (the next term), delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from stackadmin.ui import words
from stackadmin.ui.dialogs import Field, FormDialog, blank_to_none, confirm

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.records import TermRow
    from stackadmin.ui.pages.base import Page

PERIODS = ("monthly", "quarterly", "annual", "every 6 months", "every 24 months")


def fields(tool_names: Sequence[str] = ()) -> list[Field]:
    out = [
        Field("plan", "Plan", words=("plan",)),
        Field("pricing", "Pricing", kind="choice", choices=tuple(words.PRICING.items()),
              words=("pricing",)),
        Field("unit_price", "Price per period", words=("unit price", "amount"),
              help="Per seat for per-seat pricing; the whole price for flat pricing."),
        Field("currency", "Currency", kind="currency", words=("currency", "decimals than")),
        Field("seats", "Seats", words=("seats",)),
        Field("billing_period", "Billing period", kind="edit_choice", choices=PERIODS,
              words=("billing period",)),
        Field("term_start", "Term start", kind="date", words=("term start",)),
        Field("renewal_date", "Renewal date", kind="date", words=("renewal date",)),
        Field("auto_renew", "Renews automatically", kind="bool", words=("auto",)),
        Field("notice_days", "Notice period (days)", words=("notice",)),
        Field("internal_lead_days", "Internal lead (days)", words=("internal lead",),
              help="Days you need before the vendor's notice deadline to decide."),
        Field("cost_center", "Cost centre", words=("cost centre", "cost center")),
        Field("po_reference", "PO reference", words=("po reference",)),
        Field("status", "Status", kind="choice", choices=tuple(words.TERM_STATUS.items()),
              words=("status",)),
        Field("notes", "Notes", kind="multiline", words=("notes",)),
    ]
    if tool_names:
        out.insert(0, Field("tool", "Tool", kind="choice", choices=tool_names,
                            words=("tool",)))
    return out


def _values(values: dict[str, Any]) -> dict[str, Any]:
    return blank_to_none(values, "cost_center", "po_reference", "notes", "seats")


def term_values(term: TermRow) -> dict[str, Any]:
    return {
        "plan": term.plan, "pricing": term.pricing, "unit_price": term.unit_price.plain(),
        "currency": term.unit_price.currency, "seats": term.seats,
        "billing_period": term.billing_period, "term_start": term.term_start,
        "renewal_date": term.renewal_date, "auto_renew": term.auto_renew,
        "notice_days": term.notice_days, "internal_lead_days": term.internal_lead_days,
        "cost_center": term.cost_center, "po_reference": term.po_reference,
        "notes": term.notes, "status": term.status,
    }


def create(page: Page, tools: Sequence[tuple[int, str]], tool_id: int | None = None,
           currency: str = "USD") -> FormDialog:
    """`tools`: (id, name) to choose from; `tool_id` pre-selects one."""
    by_name = {name: i for i, name in tools}

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.errors import ValidationError
        from stackadmin.services.inventory.terms import create_term

        name = values.pop("tool")
        if name not in by_name:
            raise ValidationError("tool: choose the tool this term is for")
        return create_term(ctx, tool_id=by_name[name], **_values(values))

    start = {"pricing": "per_seat", "currency": currency, "billing_period": "annual",
             "auto_renew": True, "notice_days": 30, "internal_lead_days": 14,
             "status": "active", "term_start": page.env.today()}
    start["tool"] = next((n for i, n in tools if i == tool_id), tools[0][1] if tools else "")
    dialog = FormDialog(page.env, "Add a subscription term", fields([n for _, n in tools]),
                        start, save, page, changed="term")
    dialog.open()
    return dialog


def edit(page: Page, term: TermRow | None) -> FormDialog | None:
    if term is None:
        return None

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.inventory.terms import update_term

        return update_term(ctx, term.id, **_values(values))

    dialog = FormDialog(page.env, f"Edit term: {term.tool} {term.plan}".strip(), fields(),
                        term_values(term), save, page, changed="term", version=term.version)
    from stackadmin.ui.rightsizing import attach_to_dialog

    attach_to_dialog(dialog, term.id)  # the brief, within 90 days of the cancel-by date
    dialog.open()
    return dialog


def renew(page: Page, term: TermRow | None) -> FormDialog | None:
    """The next term, from the renewal in play (domain.renewals.next_term); what the user
    changes here (price, seats, dates) is what the new contract says; the rest carries
    over."""
    if term is None:
        return None
    from stackadmin.domain.renewals import add_months, next_term

    today = page.env.today()
    # From the renewal the Renewals page shows (rolled forward when the term auto-renews).
    start, end = ((today, add_months(today, 12)) if term.renewal_date is None else
                  next_term(term.term_start, term.renewal_date, term.auto_renew, today))
    renew_fields = [f for f in fields() if f.name in (
        "plan", "unit_price", "seats", "term_start", "renewal_date", "notes")]
    values = {"plan": term.plan, "unit_price": term.unit_price.plain(), "seats": term.seats,
              "term_start": start, "renewal_date": end, "notes": term.notes}

    def save(ctx: ServiceContext, values: dict[str, Any]) -> Any:
        from stackadmin.services.inventory.terms import renew_term

        return renew_term(ctx, term.id, **_values(values))

    dialog = FormDialog(page.env, f"Renew {term.tool} {term.plan}".strip(), renew_fields,
                        values, save, page, changed="term", version=term.version,
                        intro=f"Creates the next term of {term.tool} in {term.unit_price.currency}"
                              "; the current one is marked renewed. Pricing, billing period, "
                              "notice and cost centre carry over.")
    if term.pricing == "per_seat":
        recommend_seats(dialog, term)
    dialog.open()
    return dialog


def recommend_seats(dialog: FormDialog, term: TermRow) -> None:
    """Fills the seat count the rightsizing brief recommends (active seats plus headroom,
    never below the exempt seats) and says so under the field; nothing when the brief has
    no recommendation (activity unknown) or the user has already typed a count."""

    def work(ctx: ServiceContext, _job: Any) -> Any:
        from stackadmin.services.seats.rightsizing import rightsizing_brief

        return rightsizing_brief(ctx, term.id)

    def done(brief: Any) -> None:
        recommended = getattr(brief, "recommended_seats", None)
        typed = dialog.values().get("seats")
        if recommended is None or str(typed or "") != str(term.seats or ""):
            return
        now = "no seat count" if term.seats is None else f"{term.seats:,}"
        need = f"{brief.seats_active:,} active seats plus headroom"
        if brief.other_terms_seats:
            need = (f"the tool's {need}, less the {brief.other_terms_seats:,} seats of its "
                    "other terms in force")
        if recommended == 0:
            note = (f"The rightsizing brief recommends no seats here ({need}): the other "
                    f"terms cover the use. This term has {now}.")
        else:
            dialog.set_value("seats", recommended)
            note = (f"Recommended by the rightsizing brief: {recommended:,} ({need}); this "
                    f"term has {now}.")
        dialog.seats_note = dialog.add_field_note("seats", note)  # type: ignore[attr-defined]

    dialog.env.run(work, done, lambda _exc: None, key=f"recommend:{id(dialog)}")


def delete(page: Page, term: TermRow | None) -> None:
    if term is None:
        return
    from stackadmin.ui.fmt import date_text

    if not confirm(page, "Delete term",
                   f"Delete the {term.tool} term {term.plan!r} "
                   f"({date_text(term.term_start) or 'no start'} to "
                   f"{date_text(term.renewal_date) or 'open'})? "
                   "Its renewal decisions and reminders go with it; seats stay."):
        return

    def work(ctx: ServiceContext, _job: Any) -> None:
        from stackadmin.services.inventory.terms import delete_term

        delete_term(ctx, term.id)

    page.env.run(work, lambda _r: page.env.changed("term"))
