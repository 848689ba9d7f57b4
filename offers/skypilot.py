"""Transforms for SkyPilot catalog CSVs (vms.csv of GCP, Samsung SCP, Lambda, OCI)."""
