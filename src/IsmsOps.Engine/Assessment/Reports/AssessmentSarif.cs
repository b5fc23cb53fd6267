using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IsmsOps.Engine.Assessment.Reports;

/// <summary>
/// SARIF 2.1.0 for code-scanning views (GitHub code scanning, Azure DevOps' SARIF viewer): one run; the tool's rules are
/// the controls (title, objective, remediation as help, severity as the default level and as
/// <c>security-severity</c>); the results are the failing and waived findings, each with a logical location naming
/// the resource (<c>personType/id</c>, kind <c>resource</c>) and, when the control's file is known, a physical location
/// at that file so that views which need one can place it. Critical and High are <c>error</c>, Medium
/// <c>warning</c>, Low and Info <c>note</c>. A waived finding carries an accepted external suppression with the
/// waiver's justification; controls that could not run are tool execution notifications.
/// </summary>
public static class AssessmentSarif
{
    /// <summary>The SARIF schema's address, as the <c>$schema</c> member names it.</summary>
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <summary>The document as UTF-8 JSON.</summary>
    public static byte[] Write(IReadOnlyList<ControlResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            List<ControlResult> controls = results.OrderBy(r => r.Control.Id, StringComparer.OrdinalIgnoreCase).ToList();
            AssessmentRunInfo? run = results.Count > 0 ? results[0].Run : null;
            json.WriteStartObject();
            json.WriteString("$schema", SchemaUri);
            json.WriteString("version", "2.1.0");
            json.WriteStartArray("runs");
            json.WriteStartObject();

            json.WriteStartObject("tool");
            json.WriteStartObject("driver");
            json.WriteString("name", "IsmsOps");
            json.WriteString("semanticVersion", SemanticVersion(run?.ToolVersion));
            json.WriteStartArray("rules");
            foreach (ControlResult r in controls)
            {
                Rule(json, r.Control);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();

            if (run is not null)
            {
                json.WriteStartObject("automationDetails");
                json.WriteString("id", $"ismsops/assessment/{run.RunId}");
                json.WriteEndObject();
                json.WriteStartArray("invocations");
                json.WriteStartObject();
                json.WriteBoolean("executionSuccessful", results.All(r => r.Outcome != AssessmentOutcome.Error));
                json.WriteString("startTimeUtc", Time(run.EvaluatedAt));
                if (run.CompletedAt != default)
                {
                    json.WriteString("endTimeUtc", Time(run.CompletedAt));
                }

                json.WriteStartArray("toolExecutionNotifications");
                foreach (ControlResult r in controls.Where(r => r.Outcome is AssessmentOutcome.Error or AssessmentOutcome.Skipped))
                {
                    json.WriteStartObject();
                    json.WriteString("level", r.Outcome == AssessmentOutcome.Error ? "error" : "note");
                    Message(json, r.Outcome == AssessmentOutcome.Error ? $"{r.Control.Id} could not be evaluated: {r.Message}" : $"{r.Control.Id} was skipped ({r.SkipReason}): {r.Message}");
                    json.WriteStartObject("associatedRule");
                    json.WriteString("id", r.Control.Id);
                    json.WriteNumber("index", controls.IndexOf(r));
                    json.WriteEndObject();
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndArray();
            }

            json.WriteStartArray("results");
            for (int index = 0; index < controls.Count; index++)
            {
                ControlResult r = controls[index];
                foreach (AssessmentFinding f in r.FindingsWith(AssessmentOutcome.Fail, AssessmentOutcome.Waived))
                {
                    Result(json, r, f, index);
                }
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    /// <summary>The SARIF level of a failure of a control of <paramref name="severity"/>.</summary>
    public static string Level(ControlSeverity severity) => severity switch
    {
        ControlSeverity.Critical or ControlSeverity.High => "error",
        ControlSeverity.Medium => "warning",
        _ => "note",
    };

    private static void Rule(Utf8JsonWriter json, ControlSummary c)
    {
        json.WriteStartObject();
        json.WriteString("id", c.Id);
        json.WriteString("name", PascalName(c.Title));
        json.WriteStartObject("shortDescription");
        json.WriteString("text", c.Title);
        json.WriteEndObject();
        json.WriteStartObject("fullDescription");
        json.WriteString("text", c.Objective ?? c.Title);
        json.WriteEndObject();
        string references = c.References.Count == 0 ? "" : $"\n\nReferences: {string.Join(", ", c.References)}.";
        json.WriteStartObject("help");
        json.WriteString("text", $"{c.Objective ?? c.Title}\n\nRemediation: {c.Remediation ?? "see the control's definition."}{references}");
        json.WriteString("markdown", $"{AssessmentMarkdown.Escape(c.Objective ?? c.Title)}\n\n**Remediation:** {AssessmentMarkdown.Escape(c.Remediation ?? "see the control's definition.")}{AssessmentMarkdown.Escape(references)}");
        json.WriteEndObject();
        json.WriteStartObject("defaultConfiguration");
        json.WriteString("level", Level(c.Severity));
        json.WriteEndObject();
        json.WriteStartObject("properties");
        json.WriteStartArray("tags");
        json.WriteStringValue("security");
        json.WriteStringValue("isms");
        foreach (ControlReference reference in c.References)
        {
            json.WriteStringValue(reference.ToString());
        }

        foreach (string tag in c.Tags)
        {
            json.WriteStringValue(tag);
        }

        json.WriteEndArray();
        // GitHub code scanning ranks by this number (0.1-10); Info stays below its "low" band.
        json.WriteString("security-severity", c.Severity switch
        {
            ControlSeverity.Critical => "9.5",
            ControlSeverity.High => "8.0",
            ControlSeverity.Medium => "5.5",
            ControlSeverity.Low => "3.0",
            _ => "0.5",
        });
        json.WriteString("severity", c.Severity.ToString());
        json.WriteString("resourceType", c.ResourceType);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Result(Utf8JsonWriter json, ControlResult r, AssessmentFinding f, int ruleIndex)
    {
        json.WriteStartObject();
        json.WriteString("ruleId", r.Control.Id);
        json.WriteNumber("ruleIndex", ruleIndex);
        json.WriteString("kind", "fail");
        json.WriteString("level", Level(r.Control.Severity));
        Message(json, $"{f.ResourceType} '{f.ResourceName ?? f.ResourceId}' fails {r.Control.Id} ({r.Control.Title}): {f.Message ?? "the condition is not met"}.");
        json.WriteStartArray("locations");
        json.WriteStartObject();
        if (!string.IsNullOrWhiteSpace(r.Control.SourcePath))
        {
            json.WriteStartObject("physicalLocation");
            json.WriteStartObject("artifactLocation");
            json.WriteString("uri", r.Control.SourcePath.Replace('\\', '/'));
            json.WriteEndObject();
            json.WriteStartObject("region");
            json.WriteNumber("startLine", 1);
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteStartArray("logicalLocations");
        json.WriteStartObject();
        json.WriteString("name", f.ResourceName ?? f.ResourceId);
        json.WriteString("fullyQualifiedName", $"{f.ResourceType}/{f.ResourceId}");
        json.WriteString("kind", "resource");
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteStartObject("partialFingerprints");
        // Stable across runs for the same control and resource, so code scanning tracks one alert, not a new one per run.
        json.WriteString("ismsopsResource/v1", Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{r.Control.Id}\n{f.ResourceType}\n{f.ResourceId}".ToUpperInvariant()))).ToLowerInvariant());
        json.WriteEndObject();
        if (f.Outcome == AssessmentOutcome.Waived)
        {
            AppliedWaiver? w = AssessmentMarkdown.WaiverOf(r, f);
            json.WriteStartArray("suppressions");
            json.WriteStartObject();
            json.WriteString("kind", "external");
            json.WriteString("status", "accepted");
            json.WriteString("justification", w is null ? $"Waiver {f.WaiverId}" : $"Waiver {w.Id} ({w.Category}) approved by {w.Approver}, expires {Time(w.ExpiresOn)}: {w.Justification}");
            json.WriteEndObject();
            json.WriteEndArray();
        }

        json.WriteStartObject("properties");
        json.WriteString("resourceId", f.ResourceId);
        json.WriteString("outcome", f.Outcome.ToString());
        if (f.OriginalOutcome is AssessmentOutcome original)
        {
            json.WriteString("originalOutcome", original.ToString());
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static void Message(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject("message");
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    private static string PascalName(string title)
    {
        var name = new StringBuilder();
        foreach (string word in title.Split([' ', '-', '_', '/', '.', ',', ':', '(', ')', '\''], StringSplitOptions.RemoveEmptyEntries))
        {
            string letters = new(word.Where(char.IsLetterOrDigit).ToArray());
            if (letters.Length > 0)
            {
                name.Append(char.ToUpperInvariant(letters[0])).Append(letters.AsSpan(1));
            }
        }

        return name.Length == 0 ? "Control" : name.ToString();
    }

    private static string SemanticVersion(string? version) => string.IsNullOrWhiteSpace(version) ? "0.0.0" : version;

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
