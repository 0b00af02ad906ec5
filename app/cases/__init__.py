"""Applications (cases), call attempts, call-backs and statutory deadlines."""
