"""Buying well: tool requests and who asked, evaluations of candidates with weighted scorecards and
the purchase they end in, satisfaction feedback on the tools in use, capability tags, and the
overlaps between paid tools with what consolidating them would save. Reads seats (who is
active, what is paid for) and the spreadsheet import machinery; nothing below imports it.
"""
