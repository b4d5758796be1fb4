"""citebot: answers about news articles with verbatim, cited passages."""
