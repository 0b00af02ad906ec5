"""Documents and statements received about a case (art. 15o: "documents or statements, including electronic copies")."""
