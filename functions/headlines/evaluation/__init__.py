"""Evaluation harnesses behind `headlines eval ...`."""
