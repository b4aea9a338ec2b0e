"""claimdesk: a fact-checking and claims-tracking workbench."""

__version__ = "0.1.0"
__all__ = ["__version__"]
