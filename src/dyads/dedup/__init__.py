"""Cross-article deduplication: event mentions grouped into event clusters (see docs/dedup.md)."""

from dyads.dedup.cluster import (
    MentionKey, Place, assign_clusters, block_key, dated_by_text, interval, places_compatible,
)

__all__ = ["MentionKey", "Place", "assign_clusters", "block_key", "dated_by_text", "interval",
           "places_compatible"]
