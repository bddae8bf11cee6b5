"""Hosting the publication: build then serve (and follow rebuilds), and package it for any host.

These are commands, not the publication: they may build the database and
register plugins; the Datasette plugins under ``evidence.publish`` only read
the database.
"""
