"""Plain Python / SQL computation of the Order-to-Cash KPIs (no ORM, a cursor is enough)."""
