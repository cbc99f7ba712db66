"""Who may do what: shared secrets, device signatures, device tokens, pairing, limits, origins."""
