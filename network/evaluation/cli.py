"""Evaluation commands."""
