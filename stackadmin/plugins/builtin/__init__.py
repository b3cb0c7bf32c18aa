"""The plugins that ship with stackadmin, registered through the same `stackadmin.plugins`
entry points as anyone else's: GitHub organisation members, GitHub Copilot seats, SCIM 2.0."""
