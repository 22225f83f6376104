"""The command line, ``python -m analytics``: each command one function with its options.

registry      how a command is declared: its name, help, options, database and writes
options       the options several commands share: the scope, format, --out, --user, --wait
main          the parser walked from the registry, and running the command chosen
data          ``ingest``, ``aliases``, ``orgs``, ``indicators``, ``deficits``, ``quality``
documents     ``docs``, ``template``, ``report``, ``school-notes``, ``deck``
database      ``demo``, ``uploads``, ``rollback``, ``audit``, ``snapshot``, ``backup``, ``restore``
users         the ``users`` commands
meetings      ``meetings`` and ``protocol``
rounds        the ``rounds``, ``templates`` and ``completeness`` commands
"""
