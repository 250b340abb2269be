"""Date formats that cannot be misread: 29 Nov 2026 in every language, never 11/29/2026
(which a French reader takes for the 11th of the 29th month). Django falls back to its own
locale formats for anything not set here (input formats among them)."""
