"""Optimizers and LR schedules by config name."""

from luma_cli.registry import Registry

OPTIMIZERS: Registry[type] = Registry("optimizer")
SCHEDULES: Registry[type] = Registry("lr schedule")
