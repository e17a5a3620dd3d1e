"""Reusable widgets of the terminal game."""
