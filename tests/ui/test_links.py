"""stackadmin:// links opened in the main window: the digest's links land on their page with
their row selected (or their record's page); a bad link or a record that is not there is
said in the status bar, and the window carries on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from stackadmin.services.context import ServiceContext
from stackadmin.services.digest.run import compose
from stackadmin.store.models import Person, SubscriptionTerm, Tool
from stackadmin.ui.mainwindow import MainWindow
from tests.ui.conftest import screenshot, wait_idle


def _open(window: MainWindow, qtbot: Any, link: str) -> str:
    window.statusBar().clearMessage()
    window.open_link(link)
    wait_idle(qtbot, window.env)
    wait_idle(qtbot, window.env)
    return str(window.statusBar().currentMessage())


def _selected(page: Any) -> list[Any]:
    return list(page.selected_rows())


def test_a_renewals_link_selects_its_term(window: MainWindow, demo_ctx: ServiceContext,
                                          qtbot: Any) -> None:
    with demo_ctx.read() as session:
        term_id, plan = session.execute(
            select(SubscriptionTerm.id, SubscriptionTerm.plan).join(Tool)
            .where(Tool.name == "Jira")).one()
    said = _open(window, qtbot, f"stackadmin://renewals?term_id={term_id}")
    assert window.current_key == "renewals"
    page = window.pages["renewals"]
    assert [r.id for r in _selected(page)] == [term_id]
    assert said == f"Opened Jira's {plan + ' ' if plan else ''}term on Renewals."
    qtbot.wait(50)
    screenshot(window, "link-renewals")


def test_a_link_to_a_term_renewed_since_lands_on_its_current_term(
        window: MainWindow, demo_ctx: ServiceContext, qtbot: Any) -> None:
    """The digest was sent before the renewal: its link names the old term, which Renewals
    no longer lists. It lands on the term that renewed it, and says so; a cancelled term
    is said to be closed."""
    from stackadmin.services.inventory import terms

    with demo_ctx.read() as session:
        old_id, plan = session.execute(
            select(SubscriptionTerm.id, SubscriptionTerm.plan).join(Tool)
            .where(Tool.name == "Jira")).one()
    first = terms.renew_term(demo_ctx, old_id)
    current = terms.renew_term(demo_ctx, first.id)  # renewed twice since the e-mail
    said = _open(window, qtbot, f"stackadmin://renewals?term_id={old_id}")
    page = window.pages["renewals"]
    assert window.current_key == "renewals"
    assert [r.id for r in _selected(page)] == [current.id]
    assert said == (f"Opened Jira's {plan + ' ' if plan else ''}term, renewed since: its "
                    "current term on Renewals.")
    terms.update_term(demo_ctx, current.id, status="cancelled")
    said = _open(window, qtbot, f"stackadmin://renewals?term_id={old_id}")
    assert said == (f"Jira's {plan + ' ' if plan else ''}term was renewed since, and the term "
                    "that renewed it is closed too: Renewals lists open terms only; showing "
                    "Renewals.")
    assert window.current_key == "renewals"


def test_the_digests_own_links_open_where_they_say(window: MainWindow,
                                                   demo_ctx: ServiceContext,
                                                   qtbot: Any) -> None:
    """Every link the demo's digest writes opens: its page, its row or record."""
    links = [item.link for section in compose(demo_ctx).sections for item in section.items
             if item.link]
    pages = {link.split("://")[1].split("?")[0] for link in links}
    assert {"renewals", "savings", "connections", "requests"} <= pages
    for link in links:
        said = _open(window, qtbot, link)
        page_key = link.split("://")[1].split("?")[0]
        assert window.current_key == page_key, link
        assert said.startswith("Opened "), (link, said)
        page = window.pages[page_key]
        if "?" not in link:
            continue
        wanted = int(link.rsplit("=", 1)[1])
        if page_key == "savings":
            assert page.seats.choice("tool") == wanted
        elif page_key == "person":
            assert page.person_id == wanted
        else:
            assert [r.id for r in _selected(page)] == [wanted], link
        if page_key == "connections":
            assert page.dialog is not None and page.dialog.isVisible()  # its history
            page.dialog.close()


def test_a_person_link_opens_their_page(window: MainWindow, demo_ctx: ServiceContext,
                                        qtbot: Any) -> None:
    with demo_ctx.read() as session:
        person_id, name = session.execute(select(Person.id, Person.name).limit(1)).one()
    said = _open(window, qtbot, f"stackadmin://person?person_id={person_id}")
    assert window.current_key == "person" and window.pages["person"].person_id == person_id
    assert said == f"Opened {name} on their page."
    assert window.sidebar.currentItem().text() == "People"


def test_bad_links_are_said_in_the_status_bar(window: MainWindow, demo_ctx: ServiceContext,
                                              qtbot: Any) -> None:
    window.show_page("tools")
    wait_idle(qtbot, window.env)
    said = _open(window, qtbot, "stackadmin://nowhere?id=3")
    assert said == ("Cannot open the link: 'nowhere' is not a page of stackadmin (the link "
                    "was 'stackadmin://nowhere?id=3').")
    assert window.current_key == "tools" and window.banner.isHidden()  # nothing moved
    said = _open(window, qtbot, "stackadmin://renewals?term_id=abc")
    assert "'abc' is not a term id" in said and window.current_key == "tools"
    said = _open(window, qtbot, "https://example.com")
    assert "is not a stackadmin:// link" in said

    # Ids that are not in this database: the list page, said why.
    said = _open(window, qtbot, "stackadmin://renewals?term_id=99999")
    assert said == ("The link stackadmin://renewals?term_id=99999 names term 99999, which is "
                    "not in this database (deleted since, or the link is from another one); "
                    "showing Renewals.")
    assert window.current_key == "renewals" and not _selected(window.pages["renewals"])
    said = _open(window, qtbot, "stackadmin://person?person_id=99999")
    assert "names person 99999, which is not in this database" in said
    assert window.current_key == "people"
    assert window.banner.isHidden()  # no error, no traceback: words in the status bar
    screenshot(window, "link-missing-person")


def test_every_page_a_link_names_is_a_page_of_the_window() -> None:
    from stackadmin.domain.links import PAGES
    from stackadmin.ui.pages import spec

    assert all(spec(page) is not None for page in PAGES)


def test_the_command_line_hands_the_link_to_the_window() -> None:
    from stackadmin.cli import _gui_fast_path, build_parser

    fast = _gui_fast_path(["--db", "x.sqlite", "gui", "stackadmin://renewals?term_id=3"])
    assert (fast.command, fast.db, fast.link) == ("gui", "x.sqlite",
                                                  "stackadmin://renewals?term_id=3")
    assert _gui_fast_path(["stackadmin://integrations"]).link == "stackadmin://integrations"
    # Anything else after gui goes through the full parser, and reaches the window as is.
    assert _gui_fast_path(["gui", "renewals"]) is None
    args = build_parser().parse_args(["gui", "renewals", "--exit-when-ready"])
    assert (args.link, args.exit_when_ready) == ("renewals", True)


def test_the_message_takes_the_database_label_s_place(window: MainWindow, qtbot: Any) -> None:
    """The page a link opens loads on a worker, and the busy bar it adds to the status bar
    must not bring the database's name back under the message."""
    said = _open(window, qtbot, "stackadmin://renewals")
    assert said
    assert not window.where.isVisible()
    window.statusBar().clearMessage()
    assert window.where.isVisible()
