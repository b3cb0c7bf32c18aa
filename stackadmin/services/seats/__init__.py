"""Seats: who uses what (utilization and unused seats with their reasons), savings, rightsizing
briefs, the directory reconciliation, offboarding, and acting on a seat (exempt, reclaim).
"""
