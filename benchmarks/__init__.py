"""Benchmarks: `python -m benchmarks` measures stackadmin against the limits it is held
to, in fresh processes (README, "Benchmarks")."""
