"""Exchanges with labelling tools: Label Studio and Argilla imports and exports."""
