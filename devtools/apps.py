from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development and measurement only: the demo and load seeders, the benchmark
    commands and the test factories. Product code never imports it; this module imports
    nothing heavy, so the app loads even where the development extras are not installed."""

    name = "devtools"
    verbose_name = "Development tools"
