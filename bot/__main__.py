"""`python -m bot` runs the citebot command."""

from bot.cli import main

main()
