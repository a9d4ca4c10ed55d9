"""ISA override tables, one module per ISA feature family; catalog.py merges them."""
