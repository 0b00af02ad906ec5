"""The phone directory (sections, numbers with validity dates, staff entries, templates) and the public contact page."""
