"""Views: render analysis results (rich, JSON, SARIF, Markdown, GitHub, HTML, graphviz).

Views never recompute analysis; they only present what the analysis produced."""
