"""Staff API routes (working hours, time off, attendance, reports)."""

urlpatterns: list = []
