"""Wording: the Russian of pages and documents.

narrative     the sentences of the documents and pages
formatting    Russian numbers, percentages, dates and plurals
"""
