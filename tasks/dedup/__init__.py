"""Duplicate removal: exact (content hash) and near (MinHash LSH) as corpus-level stages."""
