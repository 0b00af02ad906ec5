"""Contact with the applicant: calls, call-backs, phone numbers, other routes and their history."""
