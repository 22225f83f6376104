"""Operations: who may do what.

access        View: every read and write of the pages, scoped to the user's role
users         the users file: bcrypt hashes, backoff, credential generations
remember      a login that survives a reload: a signed, expiring cookie token
demo          the built-in demo data
"""
