"""ghplan: drafts and reviews Chinese trade-union work plans."""
__version__ = "0.1.0"
