"""Webhooks: endpoints registered by leaders (company-wide) and team leads (their team),
signed deliveries through an outbox (docs/architecture.md, "Webhooks")."""
