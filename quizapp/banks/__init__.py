"""The question-bank format: schema (pydantic), YAML loader, importer, exporter.

Nothing in this package imports Flask: the CLI, the web upload and the tests call it alike.
"""

from .errors import BankError, BankErrors
from .loader import load_bank, load_bank_bytes
from .schema import BankFile

__all__ = ["BankError", "BankErrors", "BankFile", "load_bank", "load_bank_bytes"]
