"""arrears."""

from arrears.batch import keep_freed_memory

keep_freed_memory()  # before anything imports polars
