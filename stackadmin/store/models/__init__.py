"""The database's tables as typed SQLAlchemy models, one module per room. Only the store and
the services see these; importing this package registers every table on `Base.metadata`."""

from stackadmin.store.models.base import NAMING_CONVENTION, Base, Timestamped, Versioned, utcnow
from stackadmin.store.models.buying import (
    Evaluation,
    EvaluationCandidate,
    EvaluationCriterion,
    EvaluationDecision,
    EvaluationScore,
    FeedbackResponse,
    FeedbackRound,
    ToolRequest,
    ToolTag,
)
from stackadmin.store.models.inventory import (
    Account,
    AuditEvent,
    ExchangeRate,
    Person,
    Setting,
    SubscriptionTerm,
    Tool,
    Vendor,
)
from stackadmin.store.models.renewals import ReminderStateRow, TermDecision
from stackadmin.store.models.running import (
    AdoptionSnapshot,
    AdoptionTarget,
    BundleItem,
    Connection,
    ConnectionIncident,
    DigestSend,
    TrainingResource,
)
from stackadmin.store.models.seats import OffboardingItem
from stackadmin.store.models.sync import AccountListing, Integration, SyncRun, VendorSeatCount
from stackadmin.store.models.tools import ToolContact, ToolDocument

__all__ = [
    "NAMING_CONVENTION",
    "Account",
    "AccountListing",
    "AdoptionSnapshot",
    "AdoptionTarget",
    "AuditEvent",
    "Base",
    "BundleItem",
    "Connection",
    "ConnectionIncident",
    "DigestSend",
    "Evaluation",
    "EvaluationCandidate",
    "EvaluationCriterion",
    "EvaluationDecision",
    "EvaluationScore",
    "ExchangeRate",
    "FeedbackResponse",
    "FeedbackRound",
    "Integration",
    "OffboardingItem",
    "Person",
    "ReminderStateRow",
    "Setting",
    "SubscriptionTerm",
    "SyncRun",
    "TermDecision",
    "Timestamped",
    "Tool",
    "ToolContact",
    "ToolDocument",
    "ToolRequest",
    "ToolTag",
    "TrainingResource",
    "Vendor",
    "VendorSeatCount",
    "Versioned",
    "utcnow",
]
