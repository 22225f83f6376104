"""The command line, ``python -m analytics``: each command one function with its options.

main          the parser, the shared options and the data commands
users         the ``users`` commands
rounds        the ``rounds``, ``templates`` and ``completeness`` commands
"""
