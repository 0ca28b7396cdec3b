"""The job use cases: one small module per `Job.kind`, each `run(job, deps)`; `headlines.dispatch` picks one.

- `process`: `process_article`, an article through the pipeline (summary, tags, store, delivery)
- `summarize`: `/headlines summarize <text or url>`, a summary answered to the user, nothing stored
- `find`: `ask` (the answer engine) and `latest` (keyword lookup), answered to the user
- `digest`: a channel's digest composed and posted (its stories claimed, released on failure)
- `respond`: how every answer reaches Slack (the slash command's `response_url`, else the channel or thread)

`deps.Deps` carries the collaborators an entry point built (`headlines.container.build_worker_deps`).
"""
