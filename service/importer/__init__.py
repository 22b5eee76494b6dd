"""Pool import (`fleksmatch import`): Access (.accdb/.mdb), Excel (.xlsx) and CSV files → citizens.

readers.py reads files into tables, mapping.py finds the pool columns, rows.py validates each row into a
Candidate with Danish errors, writer.py upserts all-or-nothing, command.py runs it and prints the summary.
"""
