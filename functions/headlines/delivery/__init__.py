"""Delivery targets for finished stories."""
