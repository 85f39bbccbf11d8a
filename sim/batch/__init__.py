"""Batch studies: designs, paired seeds, backends, storage, resume, summaries and reports."""
