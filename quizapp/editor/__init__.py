"""Writing banks in the browser."""
