"""The in-call interview runner: start, autosave answers, complete, reopen."""
