"""Store: the database and what keeps it whole.

db            one connection, a cursor per query, transactions, migrations, derived tables
opening       opening for reading or writing, waiting, the file system's refusals in Russian
scope         which data a question covers: its SQL condition and its words
rows          rows DuckDB writes itself and how a format spells their cells
aggregates    org_values: each form's numerators and denominators, derived with the forms
archive       uploaded files archived by content hash, in their upload's unit of work
sweep         the start-up sweep of what a killed process left beside the database
faults        named points where a fault test kills the process
audit         who uploaded, rolled back, changed targets, deleted data
undo          what an upload created or changed besides its rows, for its rollback
backup        consistent, optionally encrypted backups and atomic restore
discarded     what a restore would discard: the work the backup does not hold
workdir       backup's and restore's working folders, and the start-up sweep of them
snapshot      read-only published copies for replicas (without names)
private       files only their owner reads
reset         clearing the database
signoff       the documents' sign-off, set once
"""
