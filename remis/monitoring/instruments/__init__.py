"""Monitoring instruments as data: their definition (questions, choices, relevance, scoring),
the relevance language (XLSForm's `relevant` subset), the scoring and the XLSForm export."""
