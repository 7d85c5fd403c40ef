"""The fast paths: runs of instructions compiled into Python functions (``blocks``), and their
recording variant that also writes trace steps (``recording``).

Layer 6. May import: every layer below. The runtime calls into it only through what vm/machine.py
plugs into its state (``compile_blocks``, ``compile_recording_blocks``).
"""
