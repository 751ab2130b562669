"""Compiling selected nodes and running them in DAG order."""
