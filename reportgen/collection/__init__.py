"""Collections: one briefing across many bundles (``collection.yaml``)."""

COLLECTION = "collection.yaml"  # the file that makes a folder a collection
