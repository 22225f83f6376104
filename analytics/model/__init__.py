"""Model: the domain's vocabulary, declared once.

contract      every input column, its type and spellings; org types; consistency rules
levels        the levels of the hierarchy, each one record: key, name column, table, words
periods       the period: parsed from any spelling, its Russian label, order, previous
catalogue     the indicators: numerator and denominator SQL, factor, target, traits
legend        statuses against targets, their labels and colours; changes for better or worse
errors        the one base of every error a person can act on, and a value that cannot be read
text          how typed text is compared: whitespace, case, «ё» and dashes folded
"""
