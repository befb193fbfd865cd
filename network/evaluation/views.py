"""Evaluation pages."""
