"""Events: stories from many sources about one happening share an `event_id` (assigned at processing time)."""

from headlines.events.features import EventFeatures, features_of
from headlines.events.index import EventIndex, Match
from headlines.events.rule import EventRule

__all__ = ["EventFeatures", "EventIndex", "EventRule", "Match", "features_of"]
