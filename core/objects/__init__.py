"""Assistants v2 wire (response) objects, one per module, named after openai-python's types."""
