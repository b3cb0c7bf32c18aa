"""`python -m stackadmin` runs the same entry point as the `stackadmin` command."""

from stackadmin.cli import main

raise SystemExit(main())
