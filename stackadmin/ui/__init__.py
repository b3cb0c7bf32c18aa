"""The desktop GUI: Qt widgets, table models, dialogs. Qt is imported only under here."""
