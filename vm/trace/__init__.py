"""Tracing: running one call on the VM and recording every step (``trace_call``), the recorder
hook, bounded reprs, and the trace as plain data with its text and JSON renderings (``records``).

Layer 7, the top. May import: every layer below. Nothing in ``bytelens.vm`` imports it but the
drivers at the package's root.
"""
