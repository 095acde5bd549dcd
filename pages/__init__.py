"""Dashboard pages: one module per question, each a `main()` that app.py's navigation runs.

Pages are callables rather than scripts because Streamlit treats a `pages/` folder beside
`app.py` as a legacy multipage app and would run a page file directly, skipping app.py
(sign-in, the Viewer). A module that only defines functions draws nothing when run that way.
"""
