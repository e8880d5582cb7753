"""Accounts: registration, login, logout, password change, role checks."""
