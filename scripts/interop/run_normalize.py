#!/usr/bin/env python3
"""Prints "--normalize MEAN,STD" when a run's config.json turns Normalize on, else nothing."""
import json
import sys

config = json.load(open(sys.argv[1]))
n = config.get("augment", {}).get("normalize")
if isinstance(n, dict):
    print("--normalize %r,%r" % (n.get("mean", 0.5), n.get("std", 0.5)))
