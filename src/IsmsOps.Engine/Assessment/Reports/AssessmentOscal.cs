using System.Globalization;
using System.Text.Json;

namespace IsmsOps.Engine.Assessment.Reports;

/// <summary>
/// OSCAL 1.1.2 assessment results (JSON). One <c>result</c> per run. Its observations are the evidence: one per
/// control, naming every resource examined as a subject (each an inventory item of the result's local definitions),
/// the method (TEST for automated checks of the directory, EXAMINE for checks of ISMS register records such as
/// screening, training, offboarding cases and access reviews) and when the evidence was collected. Its findings hold
/// one per control, targeting the control as an objective with state satisfied (Pass, NotApplicable) or
/// not-satisfied (Fail, Waived, Error, Skipped; the reason and remarks say which). Every uuid is a new random
/// (version 4) uuid.
/// </summary>
/// <remarks>
/// IsmsOps has no OSCAL assessment plan: the controls in <c>policies/</c> are the plan. The required <c>import-ap</c>
/// therefore points at <see cref="AssessmentPlanHref"/>, a placeholder URN (a valid uri-reference), with remarks
/// saying so; an organisation that keeps an OSCAL plan can replace it.
/// </remarks>
public static class AssessmentOscal
{
    /// <summary>The OSCAL version the document declares.</summary>
    public const string OscalVersion = "1.1.2";

    /// <summary>The placeholder for the assessment plan the document would import.</summary>
    public const string AssessmentPlanHref = "urn:ismsops:assessment-plan:policies";

    /// <summary>The namespace of IsmsOps' own OSCAL properties.</summary>
    public const string PropertyNamespace = "urn:ismsops:oscal";

    private static readonly HashSet<string> RegisterResourceTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "person", "screening", "acknowledgement", "training", "offboardingCase", "accessReview", "auditTrail", "onboarding", "move", "waiver",
    };

    /// <summary>The document as UTF-8 JSON; <paramref name="now"/> is its last-modified time.</summary>
    public static byte[] Write(IReadOnlyList<ControlResult> results, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(results);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartObject("assessment-results");
            json.WriteString("uuid", NewUuid());
            json.WriteStartObject("metadata");
            json.WriteString("title", "IsmsOps assessment results");
            json.WriteString("last-modified", Time(now));
            json.WriteString("version", results.Count > 0 ? results[0].Run.ToolVersion ?? "0.0.0" : "0.0.0");
            json.WriteString("oscal-version", OscalVersion);
            json.WriteString("remarks", "Written by Export-IsmsAssessmentReport -Format Oscal from IsmsOps control results. Controls reference ISO/IEC 27001:2022 Annex A, ISO/IEC 27002:2013 and ISO/IEC 27017 by id only.");
            json.WriteEndObject();
            json.WriteStartObject("import-ap");
            json.WriteString("href", AssessmentPlanHref);
            json.WriteString("remarks", "Placeholder: IsmsOps keeps its assessment plan as YAML controls in the policies folder, not as an OSCAL assessment plan.");
            json.WriteEndObject();
            json.WriteStartArray("results");
            foreach (IGrouping<string, ControlResult> run in results.GroupBy(r => r.Run.RunId, StringComparer.Ordinal))
            {
                Result(json, run.ToList());
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static void Result(Utf8JsonWriter json, List<ControlResult> results)
    {
        AssessmentRunInfo run = results[0].Run;
        // One inventory item per resource, shared by every observation that examined it.
        var items = new Dictionary<(string, string), (string Uuid, AssessmentFinding Finding)>();
        foreach (AssessmentFinding f in results.SelectMany(r => r.Findings))
        {
            var key = (f.ResourceType.ToUpperInvariant(), f.ResourceId.ToUpperInvariant());
            if (!items.ContainsKey(key))
            {
                items[key] = (NewUuid(), f);
            }
        }

        json.WriteStartObject();
        json.WriteString("uuid", NewUuid());
        json.WriteString("title", $"IsmsOps assessment run {run.RunId}");
        json.WriteString("description", $"Evaluation of {results.Count} IsmsOps control(s) against evidence from {run.Source}" +
            ((run.TenantName ?? run.TenantId) is { } tenant ? $" for tenant {tenant}" : "") + ".");
        json.WriteString("start", Time(run.SnapshotCollectedAt ?? run.EvaluatedAt));
        if (run.CompletedAt != default)
        {
            json.WriteString("end", Time(Max(run.CompletedAt, run.SnapshotCollectedAt ?? run.EvaluatedAt)));
        }

        json.WriteStartArray("props");
        Prop(json, "run-id", run.RunId);
        Prop(json, "evidence-source", run.Source);
        Prop(json, "evaluated-at", Time(run.EvaluatedAt));
        json.WriteEndArray();

        if (items.Count > 0)
        {
            json.WriteStartObject("local-definitions");
            json.WriteStartArray("inventory-items");
            foreach (var (uuid, f) in items.Values)
            {
                json.WriteStartObject();
                json.WriteString("uuid", uuid);
                json.WriteString("description", $"{f.ResourceType} {f.ResourceName ?? f.ResourceId}");
                json.WriteStartArray("props");
                Prop(json, "resource-type", f.ResourceType);
                Prop(json, "resource-id", f.ResourceId);
                json.WriteEndArray();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteStartObject("reviewed-controls");
        json.WriteString("description", "The IsmsOps controls evaluated in this run, by id.");
        json.WriteStartArray("control-selections");
        json.WriteStartObject();
        List<string> tokenIds = results.Select(r => r.Control.Id).Where(IsToken).Distinct(StringComparer.Ordinal).ToList();
        if (tokenIds.Count == results.Count && tokenIds.Count > 0)
        {
            json.WriteStartArray("include-controls");
            foreach (string id in tokenIds)
            {
                json.WriteStartObject();
                json.WriteString("control-id", id);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }
        else
        {
            json.WriteStartObject("include-all");
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndArray();
        json.WriteEndObject();

        var observationOf = new Dictionary<ControlResult, string>();
        json.WriteStartArray("observations");
        foreach (ControlResult r in results)
        {
            string uuid = NewUuid();
            observationOf[r] = uuid;
            json.WriteStartObject();
            json.WriteString("uuid", uuid);
            json.WriteString("title", $"{r.Control.Id}: {r.Control.Title}");
            json.WriteString("description", Describe(r));
            json.WriteStartArray("methods");
            json.WriteStringValue(RegisterResourceTypes.Contains(r.Control.ResourceType) ? "EXAMINE" : "TEST");
            json.WriteEndArray();
            json.WriteStartArray("types");
            json.WriteStringValue(r.Outcome == AssessmentOutcome.Fail ? "finding" : "control-objective");
            json.WriteEndArray();
            if (r.Findings.Count > 0)
            {
                json.WriteStartArray("subjects");
                foreach (AssessmentFinding f in r.Findings)
                {
                    json.WriteStartObject();
                    json.WriteString("subject-uuid", items[(f.ResourceType.ToUpperInvariant(), f.ResourceId.ToUpperInvariant())].Uuid);
                    json.WriteString("type", "inventory-item");
                    json.WriteString("title", f.ResourceName ?? f.ResourceId);
                    json.WriteStartArray("props");
                    Prop(json, "outcome", f.Outcome.ToString());
                    if (f.OriginalOutcome is AssessmentOutcome original)
                    {
                        Prop(json, "original-outcome", original.ToString());
                    }

                    json.WriteEndArray();
                    if (!string.IsNullOrWhiteSpace(f.Message) || !string.IsNullOrWhiteSpace(f.Error))
                    {
                        json.WriteString("remarks", f.Error ?? f.Message);
                    }

                    json.WriteEndObject();
                }

                json.WriteEndArray();
            }

            json.WriteString("collected", Time(run.SnapshotCollectedAt ?? run.EvaluatedAt));
            json.WriteEndObject();
        }

        json.WriteEndArray();

        json.WriteStartArray("findings");
        foreach (ControlResult r in results)
        {
            bool satisfied = r.Outcome is AssessmentOutcome.Pass or AssessmentOutcome.NotApplicable;
            json.WriteStartObject();
            json.WriteString("uuid", NewUuid());
            json.WriteString("title", $"{r.Control.Id}: {r.Control.Title}");
            json.WriteString("description", r.Control.Objective ?? r.Control.Title);
            json.WriteStartArray("props");
            Prop(json, "severity", r.Control.Severity.ToString());
            Prop(json, "outcome", r.Outcome.ToString());
            foreach (ControlReference reference in r.Control.References)
            {
                Prop(json, "reference", reference.ToString());
            }

            json.WriteEndArray();
            json.WriteStartObject("target");
            json.WriteString("type", "objective-id");
            json.WriteString("target-id", IsToken(r.Control.Id) ? r.Control.Id : "control-" + Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(r.Control.Id)));
            json.WriteString("title", r.Control.Title);
            json.WriteStartObject("status");
            json.WriteString("state", satisfied ? "satisfied" : "not-satisfied");
            json.WriteString("reason", r.Outcome switch
            {
                AssessmentOutcome.Pass => "pass",
                AssessmentOutcome.Fail => "fail",
                _ => "other",
            });
            json.WriteString("remarks", Status(r));
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteStartArray("related-observations");
            json.WriteStartObject();
            json.WriteString("observation-uuid", observationOf[r]);
            json.WriteEndObject();
            json.WriteEndArray();
            if (!string.IsNullOrWhiteSpace(r.Control.Remediation))
            {
                json.WriteString("remarks", "Remediation: " + r.Control.Remediation);
            }

            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    /// <summary>True when <paramref name="value"/> is an OSCAL token (an XML NCName), as control and target ids must be.</summary>
    public static bool IsToken(string value) =>
        value.Length > 0 && (char.IsLetter(value[0]) || value[0] == '_') && value.All(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_');

    private static string Describe(ControlResult r) => r.Outcome switch
    {
        AssessmentOutcome.Error => $"The control could not be evaluated: {r.Message}",
        AssessmentOutcome.Skipped => $"The control was skipped ({r.SkipReason}): {r.Message}",
        _ => $"Evaluated {r.Findings.Count} {r.Control.ResourceType} resource(s): {r.PassCount} pass, {r.FailCount} fail, {r.WaivedCount} waived, {r.ErrorCount} error(s).",
    };

    private static string Status(ControlResult r) => r.Outcome switch
    {
        AssessmentOutcome.Pass => "Every resource examined meets the control.",
        AssessmentOutcome.NotApplicable => "No resource is in the control's scope.",
        AssessmentOutcome.Fail => $"{r.FailCount} resource(s) fail the control.",
        AssessmentOutcome.Waived => "Resources fail the control; waivers in force accept the risk: " +
            string.Join("; ", r.Waivers.Select(w => $"{w.Id} ({w.Category}, approved by {w.Approver}, expires {Time(w.ExpiresOn)})")),
        AssessmentOutcome.Error => $"Not determined: evaluation failed ({r.Message}).",
        AssessmentOutcome.Skipped => $"Not determined: skipped ({r.SkipReason}).",
        _ => r.Outcome.ToString(),
    };

    private static void Prop(Utf8JsonWriter json, string name, string value)
    {
        json.WriteStartObject();
        json.WriteString("name", name);
        json.WriteString("ns", PropertyNamespace);
        // OSCAL property values are one line without surrounding space (pattern ^\S(.*\S)?$).
        string line = string.Join(' ', value.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        json.WriteString("value", line.Length == 0 ? "-" : line);
        json.WriteEndObject();
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>A random (version 4) uuid, lower case.</summary>
    private static string NewUuid() => Guid.NewGuid().ToString("D");

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
