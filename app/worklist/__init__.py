"""Composition: the worker's lists built from cases, interviews, call-backs and other features."""
