"""Item pipelines, one concern each: validate → normalize → dedupe (order set in settings.ITEM_PIPELINES)."""
