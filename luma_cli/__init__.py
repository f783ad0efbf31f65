"""Luma: train small neural networks from a config file and see why they do or do not learn."""

__version__ = "0.1.0"
