"""Summarizers: pick the sentences a busy reader needs. See `base.Summarizer`."""

from headlines.summarize.base import Summarizer, fit_to_budget
from headlines.summarize.lead import LeadSummarizer

__all__ = ["LeadSummarizer", "Summarizer", "fit_to_budget"]
