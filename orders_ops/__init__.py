"""The orders stack's own operations: Pulumi.orders.yaml lists orders_ops, no other stack does."""
