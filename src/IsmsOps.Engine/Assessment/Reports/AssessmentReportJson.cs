using System.Text.Json;
using System.Text.Json.Serialization;

namespace IsmsOps.Engine.Assessment.Reports;

/// <summary>
/// The Json report: every control result of a run in full (run info, control, outcome, findings, waivers), so that
/// <see cref="Read(string)"/> gives back the same <see cref="ControlResult"/> objects for Compare-IsmsAssessment, a
/// later export in another format, or a pull-request job that compares with the last run on the main branch. A
/// <c>summary</c> object (counts per outcome) leads, for readers that want only the totals; it is ignored on read.
/// </summary>
/// <remarks>
/// Kept free of other engine types on purpose: the hosted PowerShell tests compile this file (with the result model)
/// into their own assembly to read the reports the module writes.
/// </remarks>
public static class AssessmentReportJson
{
    /// <summary>The value of the document's <c>format</c> member; a reader refuses any other.</summary>
    public const string FormatName = "ismsops-assessment-results";

    /// <summary>The version of the document's shape; raised when a change would break readers.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Computed counts are written for people and CI, and never read back: the findings are the truth.
        IgnoreReadOnlyProperties = false,
    };

    /// <summary>The document for <paramref name="results"/> as UTF-8 JSON (no byte order mark).</summary>
    public static byte[] Write(IReadOnlyList<ControlResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var document = new Document
        {
            Format = FormatName,
            Version = FormatVersion,
            Summary = Enum.GetValues<AssessmentOutcome>().ToDictionary(o => o.ToString(), o => results.Count(r => r.Outcome == o)),
            Results = results,
        };
        return JsonSerializer.SerializeToUtf8Bytes(document, Options);
    }

    /// <summary>Reads a Json report written by <see cref="Write"/>; errors name the file and the line.</summary>
    public static IReadOnlyList<ControlResult> Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IsmsException("IsmsOps.Assessment.ReportUnreadable", IsmsErrorKind.ReadError, $"The assessment report '{path}' cannot be read: {ex.Message}",
                "Check the path (a Json report written by Export-IsmsAssessmentReport -Format Json) and that this account can read it.", path, ex);
        }

        return Read(bytes, path);
    }

    /// <summary>Reads a Json report from <paramref name="utf8"/>; <paramref name="location"/> names it in errors.</summary>
    public static IReadOnlyList<ControlResult> Read(byte[] utf8, string location)
    {
        Document? document;
        try
        {
            document = JsonSerializer.Deserialize<Document>(utf8, Options);
        }
        catch (JsonException ex)
        {
            string where = ex.LineNumber is long line ? $"{location}:{line + 1}" : location;
            throw new IsmsException("IsmsOps.Assessment.InvalidReport", IsmsErrorKind.InvalidData,
                $"{where}: this is not an IsmsOps assessment report: {ex.Message}",
                "Pass a file written by Export-IsmsAssessmentReport -Format Json, unedited.", location, ex);
        }

        if (document is null || document.Format != FormatName)
        {
            throw new IsmsException("IsmsOps.Assessment.InvalidReport", IsmsErrorKind.InvalidData,
                $"{location}: this is not an IsmsOps assessment report (its 'format' is '{document?.Format}', not '{FormatName}').",
                "Pass the .json file Export-IsmsAssessmentReport -Format Json wrote, not the SARIF or OSCAL one.", location);
        }

        if (document.Version > FormatVersion)
        {
            throw new IsmsException("IsmsOps.Assessment.ReportVersion", IsmsErrorKind.NotSupportedVersion,
                $"{location}: the report has version {document.Version}; this IsmsOps reads version {FormatVersion} and older.",
                "Update IsmsOps to read it.", location);
        }

        return document.Results ?? [];
    }

    private sealed class Document
    {
        public string? Format { get; init; }

        public int Version { get; init; }

        public IReadOnlyDictionary<string, int>? Summary { get; init; }

        public IReadOnlyList<ControlResult>? Results { get; init; }
    }
}
