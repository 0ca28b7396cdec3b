"""Headlines: a serverless news summarizer and Slack chatbot.

Importing this package is cheap: no model, network or AWS client is created at import.
"""

__version__ = "0.1.0"
