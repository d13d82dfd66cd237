"""pubsync: keep a researcher's publication list in sync with ORCID, OpenAlex, arXiv and Google Scholar."""
__version__ = "0.1.0"
