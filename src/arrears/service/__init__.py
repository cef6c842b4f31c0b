"""arrears."""
