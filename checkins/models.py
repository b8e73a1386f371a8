"""Weekly PDCA check-ins, experiments and the reminder outbox (see the open issues)."""
