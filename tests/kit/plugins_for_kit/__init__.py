"""Plugin modules and helpers for the kit's own tests of how it runs inside pytest.

The plugin modules keep their deployments in the ``memory`` reference target and log each call
to the JSON-lines file named by ``KIT_RECORDING_LOG``, so a test can see exactly what the kit
asked a plugin to do and in which order.
"""
