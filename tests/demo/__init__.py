"""Tests of the demo's sample data, story and rendering."""
