"""arrears: servicing, risk and lawful collections for consumer-credit lenders."""
