"""Notebook cells of the notebook builders (:mod:`replication.report.notebook`,
:mod:`replication.report.pls_notebook`): Markdown and code cells, record text made safe for
Markdown, and the citation line that opens every notebook."""

from __future__ import annotations

import html

from nbformat.v4 import new_code_cell, new_markdown_cell

__all__ = ["md", "code", "text", "citation"]

#: What a notebook says when the source names no authors.
NO_AUTHORS = "Authors not named in the source"


def md(source: str):
    """A Markdown cell (surrounding blank lines dropped)."""
    return new_markdown_cell(source.strip("\n"))


def code(source: str, tags: list[str] | None = None):
    """A code cell without outputs, with optional cell tags (``parameters``)."""
    cell = new_code_cell(source.strip("\n"))
    if tags:
        cell.metadata["tags"] = tags
    return cell


def text(value: object) -> str:
    """Record text for a Markdown cell: HTML-escaped, so a record cannot inject markup."""
    return html.escape(str(value), quote=False)


def citation(rec) -> str:
    """``Authors (year). *Title*. Venue.`` of a record, escaped."""
    authors = text(", ".join(rec.citation.authors) or NO_AUTHORS)
    year = f" ({rec.citation.year})" if rec.citation.year else ""
    return f"{authors}{year}. *{text(rec.citation.title)}*. {text(rec.citation.venue)}."
