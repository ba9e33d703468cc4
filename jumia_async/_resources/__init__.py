"""One module per API section, each a thin layer over the transport."""
