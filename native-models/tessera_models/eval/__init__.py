"""Shared evaluator: one emoji classifier and the metrics every model family is judged by."""
