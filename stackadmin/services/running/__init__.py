"""Running the stack: the connections between the company's own tools and their incidents
(and what breaks if a tool is cancelled), daily adoption snapshots with their trends and
targets, training resources, and onboarding bundles with a new hire's checklist.
"""
