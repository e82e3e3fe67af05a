"""Staff side of booking: therapists' agendas, schedules and attendance; admins' reports."""
