using System.Globalization;
using System.Text;
using System.Xml;

namespace IsmsOps.Engine.Assessment.Reports;

/// <summary>
/// JUnit XML, the test-report shape every CI system reads (GitHub Actions test reporters, Azure Pipelines'
/// PublishTestResults, GitLab's junit artifacts, Jenkins): one test suite per ISO domain (a control sits in the domain of
/// its first Annex A or CLD reference), one test case per control. Fail is a <c>failure</c> listing the failing
/// resources; Error is an <c>error</c> with the exception; Skipped and NotApplicable are <c>skipped</c> with the
/// reason; Pass and Waived pass (a waived control names its waivers in system-out). A failing control of severity
/// Info passes with its failures in system-out: Info never gates a pipeline.
/// </summary>
public static class AssessmentJUnit
{
    /// <summary>How many failing resources a failure element lists before it says how many more there are.</summary>
    public const int ResourcesPerFailure = 200;

    /// <summary>The document as UTF-8 XML (no byte order mark).</summary>
    public static byte[] Write(IReadOnlyList<ControlResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        using var stream = new MemoryStream();
        var settings = new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true };
        using (XmlWriter xml = XmlWriter.Create(stream, settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("testsuites");
            xml.WriteAttributeString("name", "IsmsOps assessment");
            Counts(xml, results);
            DateTimeOffset when = results.Count > 0 ? results[0].Run.EvaluatedAt : DateTimeOffset.UnixEpoch;
            foreach (IGrouping<AssessmentDomain, ControlResult> suite in results.GroupBy(r => AssessmentDomain.Primary(r.Control)).OrderBy(g => IndexOf(g.Key)))
            {
                List<ControlResult> cases = suite.OrderBy(r => r.Control.Id, StringComparer.OrdinalIgnoreCase).ToList();
                xml.WriteStartElement("testsuite");
                xml.WriteAttributeString("name", Clean(suite.Key.Name));
                Counts(xml, cases);
                // The JUnit schema's timestamp has no zone designator; it is the evaluation time in UTC.
                xml.WriteAttributeString("timestamp", when.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
                foreach (ControlResult r in cases)
                {
                    Case(xml, suite.Key, r);
                }

                xml.WriteEndElement();
            }

            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return stream.ToArray();
    }

    private static void Case(XmlWriter xml, AssessmentDomain domain, ControlResult r)
    {
        xml.WriteStartElement("testcase");
        xml.WriteAttributeString("classname", Clean($"IsmsOps.{domain.Key}.{r.Control.ResourceType}"));
        xml.WriteAttributeString("name", Clean($"{r.Control.Id}: {r.Control.Title}"));
        xml.WriteAttributeString("time", Seconds(r.Duration));
        var output = new StringBuilder();
        switch (r.Outcome)
        {
            case AssessmentOutcome.Fail when r.Control.Severity != ControlSeverity.Info:
                xml.WriteStartElement("failure");
                xml.WriteAttributeString("message", Clean($"{r.FailCount} of {r.Findings.Count} {r.Control.ResourceType} resource(s) fail {r.Control.Id} ({r.Control.Severity})"));
                xml.WriteAttributeString("type", r.Control.Severity.ToString());
                xml.WriteString(Clean(Failures(r)));
                xml.WriteEndElement();
                break;
            case AssessmentOutcome.Fail:
                output.Append("Info severity, reported and not gating:\n").Append(Failures(r));
                break;
            case AssessmentOutcome.Error:
                xml.WriteStartElement("error");
                xml.WriteAttributeString("message", Clean(r.Message ?? "The control could not be evaluated."));
                xml.WriteAttributeString("type", "EvaluationError");
                xml.WriteString(Clean(r.Message ?? string.Empty));
                xml.WriteEndElement();
                break;
            case AssessmentOutcome.Skipped:
                xml.WriteStartElement("skipped");
                xml.WriteAttributeString("message", Clean($"{r.SkipReason}: {r.Message}"));
                xml.WriteEndElement();
                break;
            case AssessmentOutcome.NotApplicable:
                xml.WriteStartElement("skipped");
                xml.WriteAttributeString("message", "NotApplicable: no resource matched the control's selector.");
                xml.WriteEndElement();
                break;
            case AssessmentOutcome.Waived:
                output.Append("Waived: every failing resource is covered by a waiver in force.\n");
                break;
        }

        foreach (AppliedWaiver w in r.Waivers)
        {
            output.Append(CultureInfo.InvariantCulture, $"Waiver {w.Id} ({w.Category}) approved by {w.Approver}, expires {Timestamp(w.ExpiresOn)}: {w.Justification}\n");
        }

        if (r.Control.References.Count > 0)
        {
            output.Append("References: ").Append(string.Join(", ", r.Control.References)).Append('\n');
        }

        if (output.Length > 0)
        {
            xml.WriteElementString("system-out", Clean(output.ToString()));
        }

        xml.WriteEndElement();
    }

    private static string Failures(ControlResult r)
    {
        var text = new StringBuilder();
        List<AssessmentFinding> failed = r.FindingsWith(AssessmentOutcome.Fail).ToList();
        foreach (AssessmentFinding f in failed.Take(ResourcesPerFailure))
        {
            text.Append(CultureInfo.InvariantCulture, $"{f.ResourceType} {f.ResourceName ?? f.ResourceId} ({f.ResourceId}): {f.Message}\n");
        }

        if (failed.Count > ResourcesPerFailure)
        {
            text.Append(CultureInfo.InvariantCulture, $"...and {failed.Count - ResourcesPerFailure} more.\n");
        }

        if (!string.IsNullOrWhiteSpace(r.Control.Remediation))
        {
            text.Append("Remediation: ").Append(r.Control.Remediation).Append('\n');
        }

        return text.ToString();
    }

    private static void Counts(XmlWriter xml, IReadOnlyCollection<ControlResult> results)
    {
        xml.WriteAttributeString("tests", results.Count.ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("failures", results.Count(r => r.Outcome == AssessmentOutcome.Fail && r.Control.Severity != ControlSeverity.Info).ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("errors", results.Count(r => r.Outcome == AssessmentOutcome.Error).ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("skipped", results.Count(r => r.Outcome is AssessmentOutcome.Skipped or AssessmentOutcome.NotApplicable).ToString(CultureInfo.InvariantCulture));
        xml.WriteAttributeString("time", Seconds(TimeSpan.FromTicks(results.Sum(r => r.Duration.Ticks))));
    }

    private static int IndexOf(AssessmentDomain domain)
    {
        for (int i = 0; i < AssessmentDomain.All.Count; i++)
        {
            if (AssessmentDomain.All[i] == domain)
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    // XML 1.0 cannot carry most control characters even as references, nor a surrogate without its pair; a directory
    // name holding one must not break the file. Everything written from the results passes through here.
    private static string Clean(string value)
    {
        var text = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                text.Append(c).Append(value[++i]);
                continue;
            }

            text.Append((c < 0x20 && c is not ('\t' or '\n' or '\r')) || char.IsSurrogate(c) || c is '\uFFFE' or '\uFFFF' ? '\uFFFD' : c);
        }

        return text.ToString();
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
