"""stackadmin: a local-first inventory of a company's SaaS tools, seats, costs and renewals."""

__version__ = "0.1.0"
