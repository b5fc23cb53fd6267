namespace IsmsOps.Engine.Offboarding;

/// <summary>How much a finding matters: an Error makes the record invalid; a Notice is information for the auditor.</summary>
public enum OffboardingEvidenceSeverity
{
    Error,
    Notice,
}

/// <summary>One thing a check of an evidence record found.</summary>
/// <param name="Severity">Error (the record is not what the trail says) or Notice.</param>
/// <param name="Subject">What it is about: <c>case</c>, <c>step 3</c>, <c>event 42</c>, <c>verification</c>, <c>trail</c>, <c>checkpoint</c>, <c>file</c>.</param>
/// <param name="Field">The field that differs, in the record's JSON naming, when there is one.</param>
/// <param name="Message">What was found, with the record's and the trail's values.</param>
public sealed record OffboardingEvidenceFinding(OffboardingEvidenceSeverity Severity, string Subject, string? Field, string Message);

/// <summary>What <c>Test-IsmsOffboardingEvidence</c> reports: whether the record agrees with the audit trail, and every finding.</summary>
public sealed record OffboardingEvidenceCheck
{
    /// <summary>True when no finding is an Error.</summary>
    public required bool Valid { get; init; }

    /// <summary>The record that was checked.</summary>
    public required string Path { get; init; }

    public required string CaseId { get; init; }

    /// <summary>SHA-256 of the record file's bytes.</summary>
    public required string FileSha256 { get; init; }

    /// <summary>The trail it was checked against: the store, or an Export-IsmsAuditTrail file.</summary>
    public required string TrailSource { get; init; }

    public required int EventCount { get; init; }

    public long? FirstEventSequence { get; init; }

    public long? LastEventSequence { get; init; }

    /// <summary>The trail's verified head at the time of the check.</summary>
    public long TrailHeadSequence { get; init; }

    /// <summary>Errors first, then notices.</summary>
    public required IReadOnlyList<OffboardingEvidenceFinding> Findings { get; init; }

    /// <summary>One line: the verdict and the first error, if any.</summary>
    public required string Message { get; init; }
}

/// <summary>What <c>Export-IsmsOffboardingEvidence</c> wrote for one case.</summary>
public sealed record OffboardingEvidenceExportResult
{
    public required string CaseId { get; init; }

    public string? PersonId { get; init; }

    public required OffboardingCaseStatus Status { get; init; }

    /// <summary>The evidence record, <c>&lt;CaseId&gt;.evidence.json</c>.</summary>
    public required string JsonPath { get; init; }

    /// <summary>The human-readable page, <c>&lt;CaseId&gt;.evidence.html</c>.</summary>
    public required string HtmlPath { get; init; }

    /// <summary>SHA-256 of the JSON file, lower-case hex; also recorded in the Offboarding.EvidenceExported audit event.</summary>
    public required string JsonSha256 { get; init; }

    public required int EventCount { get; init; }

    public required long FirstEventSequence { get; init; }

    public required long LastEventSequence { get; init; }

    public required bool DeadlineBreached { get; init; }

    /// <summary>Null when the trail holds no verification for the case.</summary>
    public bool? NothingRemovableRemains { get; init; }

    /// <summary>The audit event that recorded this export.</summary>
    public required long ExportEventSequence { get; init; }
}
