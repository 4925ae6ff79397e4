"""Review before write: a dry run shown to a person as a diff in an MCP App, applied on Approve.

`pane.py` registers the view (`ui://pimelo/review-pane.html`) with the SDK's MCP Apps
extension; `handles.py` signs what a dry run planned; `payload.py` turns the plans into
what the pane shows; `apply.py` is the app-only tool that applies a handle.
See docs/review-pane.md.
"""
