"""The resources of the Pimelo API, one plural noun each, reached as attributes of `PimeloClient`.

One module per resource; `PimeloClient` imports each at its first use, so this package
imports none of them.
"""
