"""Step-by-step guides for filing an application electronically: versioned data files, read aloud on the phone."""
