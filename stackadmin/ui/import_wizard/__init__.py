"""The import wizard: choose a file, check how each column is read, see every problem, import
in the background (File → Import…)."""
