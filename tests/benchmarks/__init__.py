"""Tests of the benchmark runner's limit scripts."""
