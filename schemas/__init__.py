"""Arrow schemas, config models and SQL views: the shapes Sieve writes and reads."""
