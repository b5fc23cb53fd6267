using System.Text;
using IsmsOps.Engine.Tables;

namespace IsmsOps.Engine.Assessment.Reports;

/// <summary>What to write: the formats, where, whether to replace, and the run to compare with.</summary>
public sealed record AssessmentReportRequest
{
    /// <summary>The formats, each written once (duplicates are ignored).</summary>
    public required IReadOnlyList<AssessmentReportFormat> Formats { get; init; }

    /// <summary>
    /// A folder (created when missing; each format gets its <see cref="AssessmentReportFileNames"/> name), or, for a single
    /// format, a file path (a path with an extension that is not an existing folder).
    /// </summary>
    public required string Path { get; init; }

    /// <summary>Replace files that exist; without it an existing target stops the export before anything is written.</summary>
    public bool Force { get; init; }

    /// <summary>An earlier run: the MarkdownSummary then says what newly fails and what was fixed.</summary>
    public IReadOnlyList<ControlResult>? Reference { get; init; }

    /// <summary>The report's generation time (the HTML page shows it; OSCAL's last-modified).</summary>
    public DateTimeOffset Now { get; init; } = DateTimeOffset.UtcNow;
}

/// <summary>
/// Writes an assessment's control results in the requested formats. Every target is checked before the first is
/// written, so a refused export leaves nothing behind; each file is written through a temporary file and renamed into
/// place (<see cref="TableFile.WriteAtomically"/>), so a reader never sees half a report.
/// </summary>
public static class AssessmentReportWriter
{
    /// <summary>Writes the files and says which.</summary>
    public static IReadOnlyList<AssessmentReportFile> Write(IReadOnlyList<ControlResult> results, AssessmentReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(results);
        ArgumentNullException.ThrowIfNull(request);
        List<AssessmentReportFormat> formats = request.Formats.Distinct().ToList();
        if (formats.Count == 0)
        {
            throw new IsmsException("IsmsOps.Assessment.NoFormat", IsmsErrorKind.InvalidArgument, "No report format was given.",
                "Name one or more formats with -Format: Html, Json, Csv, Markdown, MarkdownSummary, JUnit, Sarif, Oscal.");
        }

        if (results.Count == 0)
        {
            // An empty report would read as "nothing fails"; an empty pipeline is almost always a mistake upstream.
            throw new IsmsException("IsmsOps.Assessment.NoResults", IsmsErrorKind.InvalidArgument, "No control results were given, so no report was written.",
                "Pipe the output of Invoke-IsmsAssessment or Import-IsmsAssessment into the command, and check that it wrote results.");
        }

        List<(AssessmentReportFormat Format, string Path)> targets = Targets(formats, request.Path);
        if (!request.Force)
        {
            string[] existing = targets.Where(t => File.Exists(t.Path)).Select(t => t.Path).ToArray();
            if (existing.Length > 0)
            {
                throw new IsmsException("IsmsOps.Assessment.ReportExists", IsmsErrorKind.AlreadyExists,
                    $"The report file(s) {string.Join(", ", existing.Select(e => $"'{e}'"))} already exist. Nothing was written.",
                    "Add -Force to replace them, or name another -Path.", existing[0]);
            }
        }

        var written = new List<AssessmentReportFile>();
        foreach (var (format, path) in targets)
        {
            byte[] bytes = Render(format, results, request);
            string? folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
            if (folder is not null)
            {
                Directory.CreateDirectory(folder);
            }

            TableFile.WriteAtomically(path, stream => stream.Write(bytes));

            written.Add(new AssessmentReportFile(format, System.IO.Path.GetFullPath(path), new FileInfo(path).Length, results.Count));
        }

        return written;
    }

    /// <summary>The bytes of one format (the Csv bytes as the table layer writes them).</summary>
    public static byte[] Render(AssessmentReportFormat format, IReadOnlyList<ControlResult> results, AssessmentReportRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var utf8 = new UTF8Encoding(false);
        switch (format)
        {
            case AssessmentReportFormat.Html: return utf8.GetBytes(AssessmentHtml.Render(results, request.Now));
            case AssessmentReportFormat.Json: return AssessmentReportJson.Write(results);
            case AssessmentReportFormat.Markdown: return utf8.GetBytes(AssessmentMarkdown.Full(results));
            case AssessmentReportFormat.MarkdownSummary: return utf8.GetBytes(AssessmentMarkdown.Summary(results, request.Reference));
            case AssessmentReportFormat.JUnit: return AssessmentJUnit.Write(results);
            case AssessmentReportFormat.Sarif: return AssessmentSarif.Write(results);
            case AssessmentReportFormat.Oscal: return AssessmentOscal.Write(results, request.Now);
            case AssessmentReportFormat.Csv:
                using (var stream = new MemoryStream())
                {
                    CsvTableWriter.Write(stream, AssessmentCsv.Sheet(results));
                    return stream.ToArray();
                }

            default: throw new ArgumentOutOfRangeException(nameof(format));
        }
    }

    private static List<(AssessmentReportFormat, string)> Targets(List<AssessmentReportFormat> formats, string path)
    {
        bool asFile = formats.Count == 1 && !Directory.Exists(path) && System.IO.Path.HasExtension(path);
        if (asFile)
        {
            return [(formats[0], path)];
        }

        if (File.Exists(path))
        {
            throw new IsmsException("IsmsOps.Assessment.PathIsFile", IsmsErrorKind.InvalidArgument,
                $"-Path '{path}' is a file, and {formats.Count} formats need a folder to write into. Nothing was written.",
                "Name a folder (it is created when missing), or write one format to a file.", path);
        }

        return formats.Select(f => (f, System.IO.Path.Combine(path, AssessmentReportFileNames.Of(f)))).ToList();
    }
}
