namespace IsmsOps.Engine.Tables;

/// <summary>
/// Picks the format from the file name (.xlsx or CSV) and owns file access for the table layer: reads report an
/// unreadable file clearly, and writes go through a temporary file so a failure never leaves half a file behind.
/// </summary>
public static class TableFile
{
    /// <summary>True when <paramref name="path"/> names an XLSX workbook rather than a CSV file.</summary>
    public static bool IsXlsx(string path) => path.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes <paramref name="sheets"/> as one XLSX workbook, or as CSV when the path is not .xlsx (then exactly one sheet).</summary>
    public static void Write(string path, IReadOnlyList<TableSheet> sheets)
    {
        ArgumentNullException.ThrowIfNull(sheets);
        if (IsXlsx(path))
        {
            XlsxTableWriter.Write(path, sheets);
        }
        else if (sheets.Count == 1)
        {
            CsvTableWriter.Write(path, sheets[0]);
        }
        else
        {
            throw new ArgumentException($"A CSV file holds one table; {sheets.Count} were given. Write XLSX or one CSV per table.", nameof(sheets));
        }
    }

    /// <summary>Reads every table in <paramref name="path"/>: each worksheet of an XLSX workbook, or the one table of a CSV file.</summary>
    public static IReadOnlyList<TableReadResult> Read(string path)
    {
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".xls" or ".xlsm" or ".xlsb" or ".ods" or ".numbers")
        {
            // Read as CSV these would fail on their first bytes with a misleading encoding error.
            throw new IsmsException("IsmsOps.Table.UnsupportedFormat", IsmsErrorKind.InvalidData,
                $"{path}: {extension} files are not read. Nothing was imported.", "Save the file as an Excel Workbook (.xlsx) or as CSV UTF-8.", path);
        }

        return IsXlsx(path) ? XlsxTableReader.Read(path) : [CsvTableReader.Read(path)];
    }

    internal static byte[] ReadAllBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IsmsException("IsmsOps.Table.Unreadable", IsmsErrorKind.ReadError, $"The file '{path}' cannot be read: {ex.Message}",
                "Check that the file exists, is closed in other programs, and that this account can read it.", path, ex);
        }
    }

    internal static void WriteAtomically(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string temp = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IsmsException("IsmsOps.Table.Unwritable", IsmsErrorKind.WriteError, $"The file '{path}' cannot be written: {ex.Message}",
                "Check that the folder exists, the file is not open in another program, and this account can write there.", path, ex);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }
}
