"""Ingest: from files people send to rows in the store.

readers       files → sheets (CSV decoding, calamine for spreadsheets, ODS merges)
normalize     cells → canonical values (numbers, yes/no, ИНН, dates)
parse         sheets → validated records, every problem located
problems      a problem with its file, sheet, row, column and value; grouping
identity      which organisation a written name means: match keys, fuzzy scores
resolve       rows placed on organisations; what waits for the user's decision
aliases       the names an organisation has been written with
questions     the rows awaiting a person as one table to fill in, and its answers read back
unregistered  organisations outside a municipality's registry: merged or removed
load          preview, all-or-nothing load, history, rollback
template      the XLSX templates of the contract
collector     the cycle collector held off while an upload runs
"""
