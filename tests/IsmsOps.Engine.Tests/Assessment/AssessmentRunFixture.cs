using IsmsOps.Engine.Assessment;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>
/// Control results of one run, built by hand the way Invoke-IsmsAssessment writes them: a pass, failures of each
/// severity (one with more failing resources than a report lists), a waived finding, an error, a skip, a control that
/// matched nothing, and resource names and messages that try to inject markup, formulas and Markdown.
/// </summary>
internal static class AssessmentRunFixture
{
    public const string ScriptName = "<script>document.title='pwned-script'</script>";
    public const string ImgName = "<img src=x onerror=\"document.title='pwned-img'\">";
    public const string StyleBreak = "</style><script>document.title='pwned-style'</script>";
    public const string JavascriptUrl = "<a href=\"javascript:alert(1)\">click</a>";
    public const string Formula = "=HYPERLINK(\"http://evil.example\",\"x\")";
    public const string MarkdownBreak = "| **bold** [link](http://evil.example) <b>x</b>";

    public static readonly DateTimeOffset EvaluatedAt = new(2026, 11, 24, 6, 0, 0, TimeSpan.Zero);

    public static AssessmentRunInfo Run(string? runId = null, DateTimeOffset? at = null) => new()
    {
        RunId = runId ?? "0f8fad5b-d9cb-469f-a165-70867728950e",
        EvaluatedAt = at ?? EvaluatedAt,
        CompletedAt = (at ?? EvaluatedAt).AddSeconds(2),
        TenantId = "11111111-2222-4333-8444-555555555555",
        TenantName = "Contoso <Test>",
        Source = "snapshot.json",
        SnapshotCollectedAt = (at ?? EvaluatedAt).AddMinutes(-5),
        ToolVersion = "0.1.0",
        PhaseTimings = [new("load", TimeSpan.FromMilliseconds(120)), new("evaluate", TimeSpan.FromMilliseconds(40))],
    };

    public static ControlSummary Control(string id, string title, ControlSeverity severity, string resourceType, params string[] references) => new()
    {
        Id = id,
        Title = title,
        Objective = $"Objective of {id}, in our own words.",
        Severity = severity,
        ResourceType = resourceType,
        References = references.Select(r => r.Split(' ') is [var framework, var clause] ? new ControlReference(framework, clause) : throw new ArgumentException(r)).ToList(),
        Remediation = $"Run Set-IsmsPerson to fix {id}.",
        Tags = ["baseline"],
        Parameters = new Dictionary<string, string> { ["maxInactiveDays"] = "90" },
        SourcePath = $"controls/{id.ToLowerInvariant()}.yaml",
    };

    public static AssessmentFinding Finding(string controlId, string type, string id, AssessmentOutcome outcome, string? name = null, string? message = null) => new()
    {
        ControlId = controlId,
        ResourceType = type,
        ResourceId = id,
        ResourceName = name ?? id,
        Outcome = outcome,
        Message = message ?? (outcome == AssessmentOutcome.Fail ? "the condition is not met" : "meets the condition"),
    };

    /// <summary>The whole run: nine controls across every domain and outcome.</summary>
    public static List<ControlResult> Results(AssessmentRunInfo? run = null)
    {
        run ??= Run();
        var results = new List<ControlResult>();
        ControlResult Add(ControlSummary c, AssessmentOutcome outcome, IReadOnlyList<AssessmentFinding> findings, AssessmentSkipReason skip = AssessmentSkipReason.None,
            string? message = null, IReadOnlyList<AppliedWaiver>? waivers = null)
        {
            var r = new ControlResult { Run = run, Control = c, Outcome = outcome, Findings = findings, SkipReason = skip, Message = message, Waivers = waivers ?? [], Duration = TimeSpan.FromMilliseconds(3) };
            results.Add(r);
            return r;
        }

        Add(Control("ISMS-PEO-001", "Screening before access", ControlSeverity.High, "person", "iso27001:2022 A.6.1", "iso27002:2013 7.1.1"), AssessmentOutcome.Pass,
            [Finding("ISMS-PEO-001", "person", "E1001", AssessmentOutcome.Pass, "Ada Lovelace"), Finding("ISMS-PEO-001", "person", "E1002", AssessmentOutcome.Pass, "Alan Turing")]);

        Add(Control("ISMS-PRV-001", "Global Administrators hold eligible, not standing, assignments", ControlSeverity.Critical, "roleAssignment", "iso27001:2022 A.8.2", "iso27017 CLD.9.5.1"),
            AssessmentOutcome.Fail,
            [
                Finding("ISMS-PRV-001", "roleAssignment", "ra-1", AssessmentOutcome.Fail, ScriptName, "standing assignment " + ImgName),
                Finding("ISMS-PRV-001", "roleAssignment", "ra-2", AssessmentOutcome.Fail, StyleBreak, JavascriptUrl),
                Finding("ISMS-PRV-001", "roleAssignment", "ra-3", AssessmentOutcome.Fail, Formula, MarkdownBreak),
                Finding("ISMS-PRV-001", "roleAssignment", "ra-4", AssessmentOutcome.Pass, "eligible.admin@contoso.example"),
            ]);

        Add(Control("ISMS-ACC-002", "No enabled account is inactive for longer than the limit", ControlSeverity.Medium, "account", "iso27001:2022 A.5.18", "iso27001:2022 A.8.2"),
            AssessmentOutcome.Fail,
            Enumerable.Range(1, 130).Select(i => Finding("ISMS-ACC-002", "account", $"u-{i:000}", AssessmentOutcome.Fail, $"user{i:000}@contoso.example", "no sign-in for 120 days"))
                .Append(Finding("ISMS-ACC-002", "account", "u-ok", AssessmentOutcome.Pass, "active@contoso.example")).ToList());

        var waiver = new AppliedWaiver
        {
            Id = "WVR-0001",
            Category = "AcceptedRisk",
            Justification = "Break-glass account <kept> by design",
            Approver = "ciso@contoso.example",
            CreatedOn = EvaluatedAt.AddDays(-10),
            ExpiresOn = new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero),
        };
        Add(Control("ISMS-PRV-004", "Privileged users have registered MFA", ControlSeverity.High, "account", "iso27001:2022 A.8.5"), AssessmentOutcome.Waived,
            [
                Finding("ISMS-PRV-004", "account", "bg-1", AssessmentOutcome.Pass, "admin@contoso.example"),
                Finding("ISMS-PRV-004", "account", "bg-2", AssessmentOutcome.Waived, "breakglass@contoso.example", "no MFA method registered") with
                {
                    OriginalOutcome = AssessmentOutcome.Fail,
                    WaiverId = "WVR-0001",
                },
            ],
            waivers: [waiver]);

        Add(Control("ISMS-AUD-001", "The audit trail verified within the last week", ControlSeverity.High, "auditTrail", "iso27001:2022 A.8.15"), AssessmentOutcome.Error, [],
            message: "InvalidOperationException: the audit trail could not be read <boom>");

        Add(Control("ISMS-SIG-001", "Sign-in activity shows no dormant privileged account", ControlSeverity.Medium, "account", "iso27001:2022 A.8.16"), AssessmentOutcome.Skipped, [],
            AssessmentSkipReason.NotLicensed, "Sign-in activity needs Entra ID P1.");

        Add(Control("ISMS-GST-001", "Guests have a sponsor", ControlSeverity.Low, "account", "iso27001:2022 A.5.19", "iso27017 CLD.6.3.1"), AssessmentOutcome.NotApplicable, []);

        Add(Control("ISMS-INF-001", "Groups have a description", ControlSeverity.Info, "group"), AssessmentOutcome.Fail,
            [Finding("ISMS-INF-001", "group", "g-1", AssessmentOutcome.Fail, "Engineering", "no description")]);

        Add(Control("ISMS-OFF-001", "Leavers' access removed within the SLA", ControlSeverity.High, "offboardingCase", "iso27001:2022 A.5.11", "iso27001:2022 A.5.18", "iso27001:2022 A.6.5"),
            AssessmentOutcome.Fail,
            [
                Finding("ISMS-OFF-001", "offboardingCase", "OFB-1", AssessmentOutcome.Fail, "OFB-1", "closed 3 days after the deadline"),
                Finding("ISMS-OFF-001", "offboardingCase", "OFB-2", AssessmentOutcome.Pass),
                Finding("ISMS-OFF-001", "offboardingCase", "OFB-3", AssessmentOutcome.Error) with { Error = "FormatException: the case's due date <is> unreadable" },
            ]);

        return results;
    }
}
