"""One rule per module: a pure check over plain data plus the thin policy object (`policy`) that wraps it.

The packs' `__main__.py` files only assemble these objects, so `pulumi preview --policy-pack`, the offline
preflight and the tests all evaluate the same policies.
"""
