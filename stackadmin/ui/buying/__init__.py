"""Buying's widgets shared by several pages: the request form (reachable from anywhere), the
comparison of candidates with its chart, a tool's feedback section."""
