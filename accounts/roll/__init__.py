"""Loading a school's roll from its management information system (MIS).

columns.py  the headings each MIS uses, year groups and relationships, as plain data
parsing.py  bytes -> rows: encoding, headings, cells (pure, no database)
preview.py  rows + what is on file now -> what would change, row by row (reads only)
apply.py    the confirmed preview, written in one transaction with history
models.py   RollImport (one upload and its preview/result), ColumnMapping, Contact, PupilContact
tasks.py    the preview and the apply as Celery tasks, so a large file never runs in a request
"""
