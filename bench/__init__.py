"""Benchmarks: ratios measured side by side in one run (``make bench``).

Every comparison interleaves its contenders round by round against the same
embedded DynamoDB (moto's server on loopback), so machine noise hits both sides
alike; the figure reported is the ratio of medians.
"""
