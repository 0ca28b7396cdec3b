"""Answer on demand: ask about stored news, get an extractive answer with its sources.

Public API: `AnswerEngine(store, embeddings, encoder).ask(question) -> Answer`, the `EmbeddingStore`
interface with its SQLite implementation, and `embed_story` used by the pipeline at processing time.
"""

from headlines.ask.embeddings import EmbeddingStore, EmbeddingStoreError, SQLiteEmbeddingStore, StoryVectors, embed_story
from headlines.ask.engine import Answer, AnswerEngine, AskError, Source

__all__ = [
    "Answer",
    "AnswerEngine",
    "AskError",
    "EmbeddingStore",
    "EmbeddingStoreError",
    "SQLiteEmbeddingStore",
    "Source",
    "StoryVectors",
    "embed_story",
]
