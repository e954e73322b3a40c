"""
Importers of monitoring data: the portal's data package and the official files.

Every importer reads a workbook into Records (what each school's report should
hold) and Issues (Russian messages naming sheet, row, column and value). The
plan module compares Records with the database and writes them, all or nothing.
"""
