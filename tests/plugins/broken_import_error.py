"""Breaks module.loads: importing the module fails, as when the plugin's SDK is not installed."""

VIOLATES = "module.loads"
ALSO_FAILS: set[str] = set()

raise ImportError("No module named 'acme_serving_sdk': install the plugin's 'acme' extra")
