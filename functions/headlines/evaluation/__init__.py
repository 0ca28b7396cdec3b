"""Offline evaluation of Headlines components against labelled data."""
