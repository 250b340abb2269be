"""`field__among=[…]`: `field IN (…)` for a long list of plain values, sent to PostgreSQL as
one array (`field = ANY(%s)`) instead of one placeholder per value.

An import's checks look up a thousand references, case ids or submission ids per chunk.
With `__in`, Django prepares each value and psycopg rewrites a query of a thousand
placeholders, which the server then parses: profiled on the KoBo import at 1M cases, about
as much time as the server's own answers to those queries. As an array the list is one
parameter. Other databases (and a subquery, or an empty list) get Django's own `IN`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Field, ForeignObject
from django.db.models.lookups import In


@Field.register_lookup
@ForeignObject.register_lookup  # relations keep lookups of their own: `case_id__among` too
class Among(In):
    lookup_name = "among"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        if not self.rhs_is_direct_value() or not self.rhs:
            return super().as_sql(compiler, connection)
        field = self.lhs.output_field
        lhs_sql, lhs_params = self.process_lhs(compiler, connection)
        values = [field.get_db_prep_value(v, connection, prepared=True) for v in self.rhs if v is not None]
        return f"{lhs_sql} = ANY(%s::{field.db_type(connection)}[])", [*lhs_params, values]
