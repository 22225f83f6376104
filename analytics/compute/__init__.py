"""Compute: indicators and what is read from them.

indicators     the indicator values of every level, period and territory as frames; deficits
indicator_sql  their SQL: the grouped query, targets, the long rows DuckDB writes itself
status         status, deficit, gap and shortfall in SQL; the ranking of deficits
distribution   how one indicator's values spread over the organisations: bins, counts
lookups        periods, hierarchy, who has not reported, default period
quality        data-quality findings
person_bases   the person bases (mentors and mentees) and what they say
targets        targets per period and territory
trajectories   planned values, plan against actual
disclosure     what a curator may see of other organisations
"""
