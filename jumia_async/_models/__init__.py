"""attrs models of the API's payloads; conversion rules live in _converter."""
