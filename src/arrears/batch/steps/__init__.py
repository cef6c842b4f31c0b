"""The steps of the vectorised close, one a module, in the order ``plan.STEPS`` runs them."""
