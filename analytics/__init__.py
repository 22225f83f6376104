"""The engine: pure Python over DuckDB, no Streamlit. The map, by stage, bottom first: a
stage imports only itself and the stages listed before it (tests/test_architecture.py
holds it so); each package's own docstring lists its modules.

    model         the domain's vocabulary, declared once: contract, levels, indicators,
                  legend, errors, text
    wording       the Russian of pages and documents: sentences, numbers, plurals
    store         the database and what keeps it whole: connection, migrations, derived
                  tables, scope, audit, backups, snapshots
    ingest        from files people send to rows in the store: readers, normalising,
                  parsing, problems, identity, placement, loading
    compute       indicators and what is read from them: deficits, lookups, quality, person
                  bases, targets, trajectories, disclosure
    meetings      working-group meetings, decisions and monitoring rounds
    documents     the note, school notes, deck, protocol, round letters, exports and images
    operations    who may do what: the View gate, users, remembered logins, demo data
    cli           the command line (``python -m analytics``)
"""
