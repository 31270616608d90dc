"""The dashboard served by `dyads serve`: templates, static files, server-rendered SVG."""
