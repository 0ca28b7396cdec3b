"""The Slack app: one Bolt `App` (see `headlines.slack.app.create_app`) served by the Lambda handler,
`headlines serve` (HTTP) and Socket Mode; Block Kit rendering, command parsing and digests.

Nothing is imported here so that `headlines.slack.blocks` stays cheap for the worker's delivery.
"""
