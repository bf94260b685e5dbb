"""qa: cited, multilingual (en / ru / uz), offline question answering over a folder of documents.

Importing qa has no side effects; process settings are applied by ``qa.runtime.configure`` when the
model or a vector index is first needed."""

__version__ = "0.1.0"
