"""Opening a stackadmin:// link in the main window (the digest e-mail's links, handed to
`stackadmin gui LINK` by the desktop): the page it names, with its row selected or its
record shown. A link that is not one, or names a record that is not in this database, is
told in the status bar in words; the window stays usable."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stackadmin.services.context import ServiceContext
    from stackadmin.ui.mainwindow import MainWindow
    from stackadmin.ui.tasks import Job

# Where a page that needs a record goes when the record is not there.
_LIST_OF = {"person": "people", "tool": "tools", "request": "requests"}


def open_link(window: MainWindow, text: str) -> None:
    from stackadmin.domain.links import LinkError, parse_link
    from stackadmin.ui.pages import spec

    env = window.env
    try:
        link = parse_link(text)
    except LinkError as exc:
        env.message.emit(f"Cannot open the link: {exc}.")
        return
    if spec(link.page) is None:  # the link vocabulary names a page this window lacks
        env.message.emit(f"Cannot open the link: there is no {link.page} page.")
        return
    if not link.target:
        window.show_page(link.page)
        env.message.emit(f"Opened {_title(link.page)} from {link.text()}.")
        return

    def work(ctx: ServiceContext, job: Job) -> Any:
        from stackadmin.services.overview.links import resolve

        return resolve(ctx, link)

    def done(found: Any) -> None:
        if found.found and not found.listed:
            window.show_page(link.page)
            env.message.emit(f"{found.what[:1].upper()}{found.what[1:]}; showing "
                             f"{_title(link.page)}.")
            return
        if found.found:
            target = dict(link.target) if found.target is None else found.target
            window.show_page(link.page, target)
            env.message.emit(f"Opened {found.what} on {_title(link.page)}.")
            return
        page = _LIST_OF.get(link.page, link.page)
        window.show_page(page)
        env.message.emit(f"The link {link.text()} names {found.missing}, which is not in this "
                         f"database (deleted since, or the link is from another one); "
                         f"showing {_title(page)}.")

    env.run(work, done, key="open-link")


def _title(page: str) -> str:
    from stackadmin.ui.pages import spec

    found = spec(page)
    titles = {"person": "their page", "tool": "its page", "request": "its page"}
    return titles.get(page) or (found.title if found is not None else page)
