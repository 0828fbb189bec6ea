"""The Webhooks page: endpoints, their delivery log, a test event."""
