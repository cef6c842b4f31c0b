"""Money, rates, business dates, day counts, ids and the error tree (stdlib only)."""
