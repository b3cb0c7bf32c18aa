"""Scripts the runner starts in fresh processes; each prints one JSON object."""
