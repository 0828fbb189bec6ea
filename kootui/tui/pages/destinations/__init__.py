"""The Destinations page: per-destination limits and the destinations being slowed."""
