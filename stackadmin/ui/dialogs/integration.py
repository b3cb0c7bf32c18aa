"""Adding or editing an integration: a form made from the plugin's declaration (its
options, its secret in a password field), the integration's own settings (schedule, brake,
company directory), and Test connection before anything is saved."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

from stackadmin.ui.sync_center import secrets_of, sync_settings

if TYPE_CHECKING:
    from stackadmin.plugins.registry import PluginInfo
    from stackadmin.services.context import ServiceContext
    from stackadmin.services.sync.integrations import IntegrationRow
    from stackadmin.ui.env import Env
    from stackadmin.ui.tasks import Job

# (what the user reads, what `--set interval=` takes)
SCHEDULES = [("Every hour", "hourly"), ("Every 6 hours", "6h"), ("Every day", "daily"),
             ("Every week", "weekly"), ("Only when asked", "manual")]


class IntegrationDialog(QDialog):
    """`plugins`: the installed plugins; `row`: the integration to edit (None: a new one).
    Saving runs on a worker; problems stay in the dialog, in words."""

    def __init__(self, env: Env, plugins: list[PluginInfo], tools: list[str],
                 row: IntegrationRow | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.env = env
        self.plugins = {p.id: p for p in plugins}
        self.row = row
        self.setWindowTitle("Edit integration" if row else "Add an integration")
        self.setMinimumWidth(560)
        self.option_inputs: dict[str, QWidget] = {}
        self.secret_text: str | None = None  # a key file read with "From file…"
        from stackadmin.ui.filedialogs import PathAsker, ask_with_dialog

        self.ask_path: PathAsker = ask_with_dialog

        self.plugin = QComboBox(self)
        for info in plugins:
            self.plugin.addItem(f"{info.name} ({info.id})", info.id)
        self.description = QLabel(self)
        self.description.setWordWrap(True)
        self.description.setObjectName("count")
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("e.g. GitHub acme")
        self.tool = QComboBox(self)
        self.tool.setEditable(True)
        self.tool.addItems(tools)
        self.tool.setCurrentText("")
        self.tool.lineEdit().setPlaceholderText("the tool it feeds (a new name adds the tool)")

        self.options_box = QGroupBox("Connection", self)
        self.options_form = QFormLayout(self.options_box)
        # Made with the plugin's options (_build_options).
        self.secret = QLineEdit(self.options_box)
        self.secret_file = QPushButton("From file…", self.options_box)
        self.secret_label = QLabel(self.options_box)

        self.schedule = QComboBox(self)
        for text, value in SCHEDULES:
            self.schedule.addItem(text, value)
        self.schedule.setCurrentIndex(2)
        self.brake = QSpinBox(self)
        self.brake.setRange(0, 100)
        self.brake.setSuffix(" %")
        self.brake.setValue(20)
        self.brake.setToolTip("A sync that would deprovision more than this share of the "
                              "tool's accounts stops before writing and says why")
        self.directory = QCheckBox("Company directory: its users feed the people list", self)
        self.enabled = QCheckBox("Scheduled syncs run it", self)
        self.enabled.setChecked(True)
        settings_box = QGroupBox("Sync", self)
        settings = QFormLayout(settings_box)
        settings.addRow("Schedule", self.schedule)
        settings.addRow("Brake", self.brake)
        settings.addRow("", self.directory)
        settings.addRow("", self.enabled)

        top = QFormLayout()
        top.addRow("Plugin", self.plugin)
        top.addRow("", self.description)
        top.addRow("Name", self.name)
        top.addRow("Tool", self.tool)

        self.problems = QLabel(self)
        self.problems.setWordWrap(True)
        self.problems.setProperty("problem", True)
        self.problems.setObjectName("problems")
        self.problems.hide()
        self.test_result = QLabel(self)
        self.test_result.setWordWrap(True)
        self.test_result.setObjectName("testResult")
        self.test_button = QPushButton("Test connection", self)
        self.test_button.clicked.connect(self.test)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        bottom = QHBoxLayout()
        bottom.addWidget(self.test_button)
        bottom.addStretch(1)
        bottom.addWidget(self.buttons)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.options_box)
        layout.addWidget(settings_box)
        layout.addWidget(self.problems)
        layout.addWidget(self.test_result)
        layout.addLayout(bottom)

        self.plugin.currentIndexChanged.connect(lambda _n: self._build_options())
        if row is not None:
            index = self.plugin.findData(row.plugin_id)
            if index >= 0:
                self.plugin.setCurrentIndex(index)
            self.plugin.setEnabled(False)
            self.name.setText(row.name)
            self.tool.setCurrentText(row.tool or "")
            self.brake.setValue(row.brake_pct)
            self.directory.setChecked(row.is_directory_source)
            self.enabled.setChecked(row.enabled)
            self._select_schedule(row.interval_minutes)
        else:
            self.enabled.hide()
        self._build_options()

    # -- the plugin's form -----------------------------------------------------------------
    @property
    def info(self) -> PluginInfo | None:
        return self.plugins.get(self.plugin.currentData())

    def _build_options(self) -> None:
        while self.options_form.rowCount():
            self.options_form.removeRow(0)
        self.option_inputs = {}
        info = self.info
        if info is None:
            return
        self.description.setText(info.description)
        stored = dict(self.row.options) if self.row is not None else {}
        for option in info.options:
            label = option.label + (" *" if option.required else "")
            if option.kind.value == "bool":
                check = QCheckBox(self.options_box)
                value = stored.get(option.name, option.default or "false")
                check.setChecked(value == "true")
                widget: QWidget = check
            else:
                line = QLineEdit(self.options_box)
                line.setText(stored.get(option.name, ""))
                line.setPlaceholderText(option.default or option.help)
                widget = line
            widget.setToolTip(option.help)
            widget.setObjectName(f"option_{option.name}")
            self.option_inputs[option.name] = widget
            self.options_form.addRow(label, widget)
        for old in (self.secret, self.secret_file, self.secret_label):
            if isValid(old):  # the previous plugin's (removing its rows deleted some)
                old.deleteLater()
        box_parent = self.options_box
        self.secret = QLineEdit(box_parent)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setObjectName("secret")
        self.secret_file = QPushButton("From file…", box_parent)
        self.secret_file.clicked.connect(self._secret_from_file)
        self.secret_label = QLabel(box_parent)
        self.secret_label.hide()
        if info.secret is not None:
            self.secret.setPlaceholderText(
                "kept in the OS keyring; empty keeps the stored one" if self.row else
                "kept in the OS keyring, never in the database")
            line_box = QHBoxLayout()
            line_box.addWidget(self.secret, 1)
            if info.secret.multiline:
                line_box.addWidget(self.secret_file)
            else:
                self.secret_file.hide()
            self.secret_label.setText(info.secret.label)
            self.secret_label.setWordWrap(True)
            self.secret_label.setObjectName("count")
            box = QVBoxLayout()
            box.setSpacing(2)
            box.addLayout(line_box)
            box.addWidget(self.secret_label)
            self.options_form.addRow("Secret *" if self.row is None else "Secret", box)
            self.secret_label.show()
        else:
            self.secret.hide()
            self.secret_file.hide()
        for widget in self.option_inputs.values():
            widget.show()  # at once, also when the dialog is already open
        self.secret.setVisible(info.secret is not None)
        self.directory.setEnabled(info.directory_capable)
        self.directory.setToolTip("" if info.directory_capable else
                                  f"{info.name} is not a directory of the company's people")
        if not info.directory_capable:
            self.directory.setChecked(False)

    def _select_schedule(self, minutes: int | None) -> None:
        from stackadmin.services.sync.config import interval_text, parse_interval

        for n, (_text, value) in enumerate(SCHEDULES):
            if parse_interval(value) == minutes:
                self.schedule.setCurrentIndex(n)
                return
        text = interval_text(minutes)
        self.schedule.addItem(text.capitalize(), f"{minutes}m" if minutes else "manual")
        self.schedule.setCurrentIndex(self.schedule.count() - 1)

    def _secret_from_file(self) -> None:
        from stackadmin.ui.filedialogs import PathRequest, last_dir

        request = PathRequest("The key file", last_dir(self.env.settings),
                              name_filter="Key files (*.json *.pem *.txt);;All files (*)",
                              save=False, suffix="")
        self.ask_path(self, request, lambda path: self.load_secret_file(Path(path)))

    def load_secret_file(self, path: Path) -> None:
        self.secret_text = path.read_text(encoding="utf-8").strip()
        self.secret.clear()
        self.secret.setPlaceholderText(f"read from {path.name} ({len(self.secret_text)} "
                                       "characters); kept in the OS keyring")

    # -- values ----------------------------------------------------------------------------
    def given(self) -> dict[str, str]:
        """The `--set` values the form says (an empty option clears it)."""
        out: dict[str, str] = {}
        for name, widget in self.option_inputs.items():
            if isinstance(widget, QCheckBox):
                out[name] = "true" if widget.isChecked() else "false"
            elif isinstance(widget, QLineEdit):
                out[name] = widget.text().strip()
        out["interval"] = str(self.schedule.currentData())
        out["brake"] = str(self.brake.value())
        out["directory"] = "true" if self.directory.isChecked() else "false"
        return out

    def secret_value(self) -> str | None:
        typed = self.secret.text()
        return typed.strip() if typed.strip() else self.secret_text

    def set_option(self, name: str, value: str) -> None:
        """Fills an option as a user would (tests)."""
        widget = self.option_inputs[name]
        if isinstance(widget, QCheckBox):
            widget.setChecked(value == "true")
        elif isinstance(widget, QLineEdit):
            widget.setText(value)

    # -- actions ---------------------------------------------------------------------------
    def submit(self) -> None:
        self.problems.hide()
        info = self.info
        if info is None:
            return
        plugin_id, name, tool = info.id, self.name.text(), self.tool.currentText()
        given, secret, row = self.given(), self.secret_value(), self.row
        enabled = self.enabled.isChecked()
        secrets = secrets_of(self.env)
        self.buttons.setEnabled(False)

        def work(ctx: ServiceContext, job: Job) -> Any:
            from stackadmin.services.sync import integrations

            if row is None:
                return integrations.add_integration(ctx, plugin_id, name, tool, given, secret,
                                                    secrets=secrets)
            return integrations.edit_integration(
                ctx, row.name, new_name=name if name != row.name else None,
                tool=tool if tool != (row.tool or "") else None, given=given, secret=secret,
                enabled=enabled, secrets=secrets)

        self.env.run(work, self._saved, self._failed, key=f"dialog:{id(self)}")

    def _saved(self, saved: Any) -> None:
        self.buttons.setEnabled(True)
        self.env.changed("integration")
        self.env.changed("tool")
        self.env.message.emit(f"Integration {saved.name} saved"
                              + ("; its secret is in the OS keyring." if self.secret_value()
                                 else "."))
        self.accept()

    def _failed(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.show_problems(exc)

    def show_problems(self, exc: BaseException) -> None:
        from stackadmin.errors import UserError, ValidationError
        from stackadmin.ui.mainwindow import describe_error

        if isinstance(exc, ValidationError):
            lines = exc.problems
        elif isinstance(exc, UserError):
            lines = [str(exc)]
        else:
            lines = [describe_error(exc)]
        self.problems.setText("\n".join(t[:1].upper() + t[1:] for t in lines))
        self.problems.show()

    def test(self) -> None:
        """Runs the plugin's check with what the form says, saved or not."""
        info = self.info
        if info is None:
            return
        plugin_id, given = info.id, self.given()
        secret = self.secret_value()
        row = self.row
        settings = dict(sync_settings(self.env))
        store = settings.pop("secrets", None)
        self.test_result.setText("Testing…")
        self.test_button.setEnabled(False)

        def work(ctx: ServiceContext, job: Job) -> str:
            from stackadmin.plugins.registry import load_registry
            from stackadmin.secrets import SecretStore
            from stackadmin.services.sync import integrations

            known = secret
            if row is not None and not secret:
                with ctx.read() as session:
                    stored = integrations.find_integration(session, row.name)
                    known = integrations.read_secret(stored, load_registry().get(plugin_id),
                                                     store or SecretStore())
            return integrations.test_settings(plugin_id, given, known, **settings).summary

        def done(summary: str) -> None:
            self.test_button.setEnabled(True)
            self.test_result.setText(f"✔ {summary}")

        def failed(exc: BaseException) -> None:
            from stackadmin.ui.mainwindow import describe_error

            self.test_button.setEnabled(True)
            self.test_result.setText(f"✘ {describe_error(exc)}")

        self.env.run(work, done, failed, key=f"dialog-test:{id(self)}")
