"""Settings: base currency, thresholds and reminder leads (shared in the database), and the
exchange rates totals are converted with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from stackadmin.ui import theme
from stackadmin.ui.columns import ColumnSizer, longest_texts
from stackadmin.ui.filtertable import make_view
from stackadmin.ui.fmt import date_text
from stackadmin.ui.pages.base import Page
from stackadmin.ui.tablemodel import Column, RowTableModel

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.inventory.rates import RateRow
    from stackadmin.ui.tasks import Job

LABELS = {
    "base_currency": "Base currency",
    "default_inactivity_days": "Unused after (days without activity)",
    "reminder_leads": "Reminder leads (days before cancel-by)",
    "headroom_pct": "Spare seats recommended (%)",
}

DIGEST_LABELS = {
    "digest_recipients": "Send the digest to (addresses, commas)",
    "digest_frequency": "How often",
    "smtp_host": "Mail server",
    "smtp_port": "Port (587 STARTTLS, 465 TLS)",
    "smtp_security": "Security",
    "smtp_user": "Login",
    "smtp_from": "Sender address (default: the login)",
    "unverified_days": "Connections unverified after (days)",
}

# Settings chosen from a list: (stored value, what it is called here).
CHOICES: dict[str, tuple[tuple[str, str], ...]] = {
    "digest_frequency": (("daily", "Every day"), ("weekly", "Every week"),
                         ("monthly", "Every month")),
    "smtp_security": (("starttls", "STARTTLS (usually port 587)"),
                      ("tls", "TLS from the start (usually port 465)")),
}

RATE_COLUMNS: list[Column[RateRow]] = [
    Column("Currency", lambda r: r.currency, width=80),
    Column("Rate", lambda r: str(r.rate), key=lambda r: r.rate, numeric=True, width=120),
    Column("Base", lambda r: r.base_currency, width=60),
    Column("As of", lambda r: date_text(r.as_of), key=lambda r: r.as_of, searchable=False),
]


class SettingsPage(Page):
    title = "Settings"
    icon = "settings"
    reload_on: ClassVar[frozenset[str]] = frozenset({"setting"})

    def __init__(self, env: Any, parent: QWidget | None = None) -> None:
        super().__init__(env, parent)
        self.inputs: dict[str, QLineEdit | QComboBox] = {}
        self.problems: dict[str, QLabel] = {}
        self.loaded_values: dict[str, str] = {}
        box = QGroupBox("Shared settings (everyone using this database)", self)
        form = QFormLayout(box)
        for key, label in LABELS.items():
            edit: QLineEdit | QComboBox
            if key == "base_currency":
                edit = QComboBox(box)  # ISO 4217 codes only: filled when the page loads
                edit.setEditable(True)
                edit.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
                edit.completer().setFilterMode(Qt.MatchFlag.MatchContains)
                edit.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            else:
                edit = QLineEdit(box)
            problem = QLabel(box)
            problem.setStyleSheet("color: #c62828;")
            problem.hide()
            column = QVBoxLayout()
            column.addWidget(edit)
            column.addWidget(problem)
            form.addRow(label, column)
            self.inputs[key] = edit
            self.problems[key] = problem
        digest = QGroupBox("Digest e-mail and connections", self)
        digest_form = QFormLayout(digest)
        for key, label in DIGEST_LABELS.items():
            if key in CHOICES:  # an enumeration: its values in words
                edit = QComboBox(digest)
                for value, text in CHOICES[key]:
                    edit.addItem(text, value)
            else:
                edit = QLineEdit(digest)
            problem = QLabel(digest)
            problem.setStyleSheet("color: #c62828;")
            problem.setWordWrap(True)
            problem.hide()
            column = QVBoxLayout()
            column.addWidget(edit)
            column.addWidget(problem)
            digest_form.addRow(label, column)
            self.inputs[key] = edit
            self.problems[key] = problem
        self.password = QLineEdit(digest)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setPlaceholderText("kept in the OS keyring; empty keeps the stored one")
        digest_form.addRow("Password", self.password)
        self.digest_note = QLabel(digest)
        self.digest_note.setWordWrap(True)
        self.digest_note.setObjectName("count")
        self.send_button = QPushButton("Send the digest now", digest)
        self.send_button.clicked.connect(self.send_digest)
        self.save_digest_button = QPushButton("Save settings", digest)
        self.save_digest_button.clicked.connect(self.save)
        digest_form.addRow("", self.save_digest_button)
        digest_form.addRow(self.send_button, self.digest_note)
        self.save_button = QPushButton("Save settings", box)
        self.save_button.clicked.connect(self.save)
        form.addRow("", self.save_button)

        rates = QGroupBox("Exchange rates (1 unit = rate × base currency)", self)
        self.rate_model: RowTableModel[RateRow] = RowTableModel(RATE_COLUMNS, self)
        self.rate_view = make_view(self.rate_model, rates)
        self.rate_view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.rate_sizer = ColumnSizer(self.rate_view, env.settings, "pages/settings/rates")
        self.rate_sizer.restore()
        self.rate_currency = QLineEdit(rates)
        self.rate_currency.setPlaceholderText("EUR")
        self.rate_currency.setMaximumWidth(80)
        self.rate_value = QLineEdit(rates)
        self.rate_value.setPlaceholderText("1.08")
        self.rate_value.setMaximumWidth(120)
        self.rate_button = QPushButton("Set rate as of today", rates)
        self.rate_button.clicked.connect(self.set_rate)
        self.rate_problem = QLabel(rates)
        self.rate_problem.setStyleSheet("color: #c62828;")
        self.rate_problem.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.rate_currency)
        row.addWidget(self.rate_value)
        row.addWidget(self.rate_button)
        row.addStretch(1)
        inner = QVBoxLayout(rates)
        inner.addWidget(self.rate_view)
        inner.addLayout(row)
        inner.addWidget(self.rate_problem)

        local = QGroupBox("This computer", self)
        local_form = QFormLayout(local)
        self.scheme_box = QComboBox(local)
        for value, text in theme.SCHEMES.items():
            self.scheme_box.addItem(text, value)
        self.scheme_box.setCurrentIndex(max(self.scheme_box.findData(
            theme.stored_choice(env.settings)), 0))
        self.scheme_box.currentIndexChanged.connect(self._scheme_chosen)
        local_form.addRow("Appearance", self.scheme_box)

        left = QVBoxLayout()
        left.addWidget(box)
        left.addWidget(digest)
        left.addWidget(local)
        left.addStretch(1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        layout.addLayout(left, 1)
        layout.addWidget(rates, 1)

    def _scheme_chosen(self, _n: int) -> None:
        """Light, dark or as the system says: applied at once, kept for the next start."""
        from PySide6.QtWidgets import QApplication

        choice = str(self.scheme_box.currentData())
        theme.choose(QApplication.instance(), choice, self.env.settings)  # type: ignore[arg-type]
        self.env.message.emit(f"Appearance: {self.scheme_box.currentText().lower()}.")

    def _value(self, key: str) -> str:
        edit = self.inputs[key]
        if key in CHOICES and isinstance(edit, QComboBox):
            return str(edit.currentData() or "")
        if isinstance(edit, QComboBox):
            from stackadmin.ui.dialogs import combo_value

            return combo_value(edit, "currency")
        return edit.text()

    def load(self) -> None:
        def work(ctx: ServiceContext, job: Job) -> tuple[dict[str, str], list[Any]]:
            from stackadmin.services.inventory.rates import list_rates
            from stackadmin.services.inventory.settings import all_settings

            return all_settings(ctx), list_rates(ctx)

        self.env.run(work, self._show, key="load:settings")

    def _show(self, result: tuple[dict[str, str], list[Any]]) -> None:
        values, rates = result
        self.loaded_values = values
        for key, edit in self.inputs.items():
            if not self.problems[key].isHidden():
                # Refused on the last save while others were saved (which reloads the
                # page): what the user typed stays, with the reason, until corrected.
                continue
            value = values.get(key, "")
            if key in CHOICES and isinstance(edit, QComboBox):
                edit.setCurrentIndex(max(edit.findData(value), 0))
            elif isinstance(edit, QComboBox):
                from stackadmin.ui.dialogs.fields import currency_items

                edit.blockSignals(True)
                edit.clear()
                for code, text in currency_items(value or None):
                    edit.addItem(text, code)
                edit.setCurrentIndex(max(edit.findData(value), 0))
                edit.blockSignals(False)
            else:
                edit.setText(value)
        self.rate_model.set_rows(rates)
        self.rate_sizer.measure(longest_texts(RATE_COLUMNS, rates))
        self.loaded.emit()

    def save(self) -> None:
        changed = {k: self._value(k) for k in self.inputs
                   if self._value(k) != self.loaded_values.get(k)}
        for label in self.problems.values():
            label.hide()

        secret = self.password.text()
        self.password.clear()

        def work(ctx: ServiceContext, job: Job) -> dict[str, str]:
            from stackadmin.errors import UserError, ValidationError
            from stackadmin.services.inventory.settings import set_secret, set_setting

            problems: dict[str, str] = {}
            if secret:
                try:
                    set_secret(ctx, "smtp_password", secret)
                except UserError as exc:
                    problems["smtp_user"] = f"the password was not stored: {exc}"
            for key, value in changed.items():
                try:
                    set_setting(ctx, key, value)
                except ValidationError as exc:
                    problems[key] = str(exc).removeprefix(f"{key}: ")
            return problems

        def done(problems: dict[str, str]) -> None:
            for key, text in problems.items():
                self.problems[key].setText(text[:1].upper() + text[1:])
                self.problems[key].show()
            if len(problems) < len(changed) + bool(secret):
                self.env.changed("setting")
                self.env.message.emit("Settings saved.")

        self.env.run(work, done)

    def send_digest(self) -> None:
        """Sends the digest now (on a worker); the outcome is said under the button."""
        self.digest_note.setText("Sending…")

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.digest.run import send_digest

            return send_digest(ctx)

        def done(result: Any) -> None:
            self.digest_note.setText(f"Sent to {', '.join(result.recipients)}.")
            self.env.changed("audit")

        def failed(exc: BaseException) -> None:
            from stackadmin.ui.errors import describe_error

            self.digest_note.setText(describe_error(exc))

        self.env.run(work, done, failed, title="sending the digest")

    def set_rate(self) -> None:
        currency, value = self.rate_currency.text(), self.rate_value.text()
        self.rate_problem.clear()

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.inventory.rates import set_rate

            return set_rate(ctx, currency, value)

        def failed(exc: BaseException) -> None:
            from stackadmin.ui.errors import describe_error

            self.rate_problem.setText(describe_error(exc))

        def done(_row: Any) -> None:
            self.rate_currency.clear()
            self.rate_value.clear()
            self.env.changed("setting")

        self.env.run(work, done, failed)
