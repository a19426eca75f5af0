"""Prefect flows: thin orchestration over the traduco library."""
