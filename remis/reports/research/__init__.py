"""Pseudonymised extracts for researchers (docs/data-protection.md says what they hold,
what they never hold, and why).

* `pseudonyms.py`: stable pseudonyms from a keyed hash (HMAC-SHA256).
* `anonymity.py`: the k rule over the quasi-identifiers (sex × age group × country of
  origin × month of arrival): coarsen, then suppress.
* `rows.py`: one row per returnee read from the cases the requester may read, with no
  direct identifier, free text or sensitive group.
* `files.py`: the CSV and the XLSX with its definitions sheet.
* `requests.py`: the audited request, the job that builds the files, who reads them.
"""
