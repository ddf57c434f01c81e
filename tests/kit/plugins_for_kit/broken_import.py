"""A plugin module that fails to import, as one with a missing dependency does."""

raise ImportError("No module named 'some_sdk_this_plugin_needs'")
