"""Scripts the GitHub Actions workflows run (stdlib only, so a job needs no install to run them)."""
