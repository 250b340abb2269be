"""Interoperability: reading and writing the files other tools exchange with REMIS.

`tables.open_table` reads any uploaded table (CSV in its common encodings and dialects,
XLSX, a zip of CSVs) as a header and streamed rows; `submissions.read_submissions` reads
KoBoToolbox and ODK Central submission exports on top of it. Both raise
`errors.UnreadableFile` for a file that cannot be read, naming where."""
