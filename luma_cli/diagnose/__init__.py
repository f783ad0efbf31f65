"""Gradient-flow diagnostics: read a tape and a model, return findings as plain dataclasses."""

from luma_cli.diagnose.analyze import StepRecord, analyze
from luma_cli.diagnose.findings import Finding, Report

__all__ = ["Finding", "Report", "StepRecord", "analyze"]
