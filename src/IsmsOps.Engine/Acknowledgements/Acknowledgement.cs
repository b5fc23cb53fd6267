namespace IsmsOps.Engine.Acknowledgements;

/// <summary>What a person acknowledged: a document they accepted, or a course they completed.</summary>
public enum AcknowledgementKind
{
    TermsAndConditions,
    NonDisclosureAgreement,
    Policy,
    SecurityTraining,
}

/// <summary>
/// One acceptance of one version of a document (terms and conditions, an NDA, a policy), or one completion of a
/// security-awareness course, by one person. Records are never overwritten by a newer version or a renewal: each is a
/// row of its own, so the register can show which version a person accepted, and when, at any point in the past.
/// Dates are calendar dates (no time of day).
/// </summary>
public sealed record Acknowledgement
{
    /// <summary>The record's own id (a GUID), assigned when it is recorded.</summary>
    public string AcknowledgementId { get; init; } = string.Empty;

    /// <summary>The PersonId of the person in the people register.</summary>
    public required string PersonId { get; init; }

    public required AcknowledgementKind Kind { get; init; }

    /// <summary>
    /// The document or course, such as "Acceptable Use Policy" or "Security Awareness 2026". For terms and conditions
    /// and the NDA it defaults to the kind's own name, since an organisation usually has one of each.
    /// </summary>
    public required string Name { get; init; }

    /// <summary>The version of the document accepted or of the course completed, as its owner numbers it ("3.1", "2026-01").</summary>
    public required string DocumentVersion { get; init; }

    /// <summary>The day the document was accepted or the course completed.</summary>
    public required DateTime AcknowledgedOn { get; init; }

    /// <summary>
    /// The first day the acknowledgement no longer counts (a course to be retaken, an NDA with a term), or null when it
    /// does not lapse. When not given, it follows from <see cref="AcknowledgementValidity"/> (P1Y for security training).
    /// </summary>
    public DateTime? ExpiresOn { get; init; }

    /// <summary>Where the proof is: an LMS certificate id, an e-signature envelope id, a ticket. A reference, never the document.</summary>
    public string? Evidence { get; init; }

    /// <summary>Who recorded it (the operator or job account), as the audit trail names them.</summary>
    public string RecordedBy { get; init; } = string.Empty;

    public DateTime RecordedAt { get; init; }

    /// <summary>Increments on every correction; pass it back to detect a concurrent edit.</summary>
    public long Version { get; init; }

    /// <summary>
    /// Whether the acknowledgement counts on the day the register was asked about (today by default), given its expiry
    /// and the version policies/acknowledgements.yaml has in force. Worked out when read, never stored; null on a
    /// record not read through the register.
    /// </summary>
    public AcknowledgementStatus? Status { get; init; }

    /// <summary>The version of this document or course in force (policies/acknowledgements.yaml), or null when any version counts.</summary>
    public string? CurrentVersion { get; init; }

    /// <summary>True when this acknowledgement counts on <paramref name="day"/>: made on or before it, and not yet expired.</summary>
    public bool IsCurrentOn(DateTime day) => AcknowledgedOn <= day.Date && (ExpiresOn is not DateTime expires || day.Date < expires);

    /// <summary>The default <see cref="Name"/> of terms and conditions and of the NDA; null for kinds that need a name.</summary>
    public static string? DefaultName(AcknowledgementKind kind) => kind switch
    {
        AcknowledgementKind.TermsAndConditions => "Terms and Conditions",
        AcknowledgementKind.NonDisclosureAgreement => "Non-Disclosure Agreement",
        _ => null,
    };
}

/// <summary>Whether an acknowledgement counts on a given day.</summary>
public enum AcknowledgementStatus
{
    /// <summary>Made on or before the day, not expired, and of the version in force (or any version counts).</summary>
    Current,

    /// <summary>Of a version other than the one policies/acknowledgements.yaml has in force: the person must acknowledge the current one.</summary>
    NotCurrentVersion,

    /// <summary>Its expiry has passed.</summary>
    Expired,

    /// <summary>Made after the day asked about.</summary>
    NotYetMade,
}

/// <summary>Which acknowledgements to read. All filters are optional and combine with AND; names are case-insensitive, without wildcards.</summary>
public sealed record AcknowledgementQuery
{
    public string? PersonId { get; init; }

    public AcknowledgementKind? Kind { get; init; }

    public string? Name { get; init; }

    public static AcknowledgementQuery All { get; } = new();
}

/// <summary>Why a person does not have a current acknowledgement of a required version.</summary>
public enum AcknowledgementGapReason
{
    /// <summary>No acknowledgement of this document or course at all.</summary>
    Missing,

    /// <summary>Only of other (older) versions.</summary>
    OtherVersion,

    /// <summary>The required version was acknowledged, but that has expired.</summary>
    Expired,

    /// <summary>Current today, but it expires within the window asked about.</summary>
    Expiring,
}

/// <summary>
/// A person who lacks what a control or the onboarding gate requires: a current acknowledgement of a document or
/// course (of a given version, when one is required).
/// </summary>
public sealed record AcknowledgementGap
{
    public required string PersonId { get; init; }

    public required AcknowledgementKind Kind { get; init; }

    public required string Name { get; init; }

    /// <summary>The version required, or null when any version counts.</summary>
    public string? RequiredVersion { get; init; }

    public required AcknowledgementGapReason Reason { get; init; }

    /// <summary>The person's newest acknowledgement of this document or course, whatever its version; null when there is none.</summary>
    public Acknowledgement? Latest { get; init; }

    /// <summary>When the latest acknowledgement lapses (or lapsed), for Expired and Expiring.</summary>
    public DateTime? ExpiresOn => Latest?.ExpiresOn;
}
