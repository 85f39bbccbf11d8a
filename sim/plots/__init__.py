"""Charts and maps shared by the reports and the browser view."""
