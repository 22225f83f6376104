"""The engine: pure Python over DuckDB, no Streamlit. The map, by stage:

Model — the domain's vocabulary, declared once
    contract      every input column, its type and spellings; org types; consistency rules
    levels        the levels of the hierarchy, each one record: key, name column, table, words
    periods       the period: parsed from any spelling, its Russian label, order, previous
    scope         which data a question covers: its SQL condition and its words
    catalogue     the indicators: numerator and denominator SQL, factor, target
    legend        statuses against targets, their labels and colours; changes for better or worse
    errors        the one base of every error a person can act on

Store — the database and what keeps it whole
    db            one connection, a cursor per query, transactions, migrations, derived tables
    aggregates    org_values: each form's numerators and denominators, derived with the forms
    audit         who uploaded, rolled back, changed targets, deleted data
    backup        consistent, optionally encrypted backups and atomic restore
    snapshot      read-only published copies for replicas (without names)
    private       files only their owner reads
    remember      a login that survives a reload: a signed, expiring cookie token
    reset         clearing the database
    signoff       the documents' sign-off, set once

Ingest — from files people send to rows in the store
    readers       files → sheets (CSV decoding, calamine for spreadsheets, ODS merges)
    normalize     cells → canonical values (numbers, yes/no, ИНН, dates)
    parse         sheets → validated records, every problem located
    problems      a problem with its file, sheet, row, column and value; grouping
    identity      which organisation a written name means: match keys, fuzzy scores
    resolve       rows placed on organisations; what waits for the user's decision
    aliases       the names an organisation has been written with
    ingest        preview, all-or-nothing load, history, rollback
    template      the XLSX templates of the contract

Compute — indicators and what is read from them
    indicators    one grouped query for every level, period and territory; deficits
    lookups       periods, hierarchy, who has not reported, default period
    quality       data-quality findings
    registers     the person bases (mentors and mentees) and what they say
    targets       targets per period and territory
    trajectories  planned values, plan against actual
    disclosure    what a curator may see of other organisations

Meetings and monitoring rounds
    meetings      working-group meetings with frozen values
    decisions     decisions on deficits and whether their indicator moved
    rounds        monitoring rounds: who was asked, who sent what, by when
    round_templates  pre-filled templates per organisation, signed
    round_letters    the «не представили» list and letter

Documents and wording
    documents     the note, school notes, deck and protocol (see its own map)
    narrative     the sentences of the documents and pages
    formatting    Russian numbers, percentages, dates and plurals
    exports       tables as CSV and XLSX that spreadsheets read as numbers
    outputs       the command line's CSV and JSON, written by DuckDB with formulas defused
    images        chart images through kaleido and chromium
    docgen        the user guide of the forms (docs/forms.md)

Operations — who may do what, and the command line
    access        View: every read and write of the pages, scoped to the user's role
    users         the users file: bcrypt hashes, backoff, credential generations
    cli           the command line (python -m analytics)
    users_cli     its ``users`` commands
    rounds_cli    its ``rounds``, ``templates`` and ``completeness`` commands
    demo          the built-in demo data
"""
