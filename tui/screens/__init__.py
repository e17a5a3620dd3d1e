"""Screens of the terminal game."""
