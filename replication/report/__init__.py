"""report layer: notebooks, their execution, HTML reports, tables, plots and diagrams.

The report modules read and write notebooks with nbformat, whose validator imports jsonschema;
jsonschema in turn builds some forty parsers of an optional IRI format checker
(``rfc3987_syntax``) when that package is installed, about a second in every process. Notebook
schemas have no IRI fields, so that checker is marked as absent before nbformat is imported
(jsonschema then skips the format, as it does when the package is not installed).
"""

import sys as _sys

_sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
