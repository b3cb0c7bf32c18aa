"""The overview: the dashboard's figures, the Tools page's lines, and the start-up first look read
without SQLAlchemy.
"""
