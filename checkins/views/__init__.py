"""The check-in pages, split by concept: the weekly check-in (`checkin`) and what a team
acts on between check-ins (`act`: obstacles, help, experiments)."""
