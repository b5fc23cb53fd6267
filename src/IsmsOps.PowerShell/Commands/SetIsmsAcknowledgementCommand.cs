using System.Globalization;
using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Acknowledgements;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Records that a person accepted terms and conditions, an NDA or a policy, or completed security-awareness training.</summary>
/// <remarks>
/// Adds one acknowledgement for a person in the register: which document or course (-Kind and -Name), which version
/// (-Version), on which day (-On, today by default), until when it counts (-ExpiresOn), and where the proof is
/// (-Evidence, such as an LMS certificate id or an e-signature envelope id). The record and an audit event naming the
/// person, the facts and who recorded them are stored in one transaction. History is kept: accepting a newer version
/// of the NDA, or retaking training, adds a record beside the older ones. Recording exactly the same acceptance again
/// (same person, document, version and day) changes nothing, so an LMS export can be imported again safely; a
/// different -ExpiresOn or -Evidence for it is stored as an audited correction.
/// Security training without -ExpiresOn expires one year after completion; documents do not lapse unless -ExpiresOn
/// is given. Terms and conditions and the NDA need no -Name (each defaults to its kind's name); a policy or a course does.
/// Every parameter binds from pipeline properties of the same name (or an alias: EmployeeId, Course, CompletedOn,
/// CertificateId, ...), so rows of an LMS or e-signature export can be piped in from Import-Csv. Dates are taken as
/// ISO 8601 (2026-01-05) when they arrive as text. A bad row (an unknown person, an unknown kind, a date that is not
/// ISO 8601, a date in the future) is reported as an error that names the row and its PersonId; the other rows are
/// recorded. An unknown person is refused with IsmsOps.Person.NotFound.
/// Graph permissions: none (this cmdlet changes only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Set-IsmsAcknowledgement -PersonId E1001 -Kind NonDisclosureAgreement -Version 2.0 -On 2026-01-05 -Evidence 'envelope 5f1c2a'</code>
/// <para>Records that E1001 signed version 2.0 of the NDA on 5 January 2026.</para>
/// </example>
/// <example>
/// <code>Set-IsmsAcknowledgement E1001 Policy -Name 'Acceptable Use Policy' -Version 4</code>
/// <para>Records that E1001 accepted version 4 of the Acceptable Use Policy today.</para>
/// </example>
/// <example>
/// <code>Import-Csv ./lms-completions.csv | Set-IsmsAcknowledgement -Kind SecurityTraining</code>
/// <para>Imports an LMS export with the columns PersonId, Name, Version, CompletedOn and CertificateId; each completion expires one year later.</para>
/// </example>
/// <example>
/// <code>Import-Csv ./training.csv | Set-IsmsAcknowledgement -WhatIf</code>
/// <para>Checks an export row by row and shows what would be recorded, without recording anything.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "IsmsAcknowledgement", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(Acknowledgement))]
public sealed class SetIsmsAcknowledgementCommand : IsmsCmdlet
{
    private int _row;

    /// <summary>The PersonId of a person in the register.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("EmployeeId")]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string PersonId { get; set; } = string.Empty;

    /// <summary>What was acknowledged: TermsAndConditions, NonDisclosureAgreement, Policy or SecurityTraining.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyString]
    [ArgumentCompleter(typeof(AcknowledgementKindCompleter))]
    public string Kind { get; set; } = string.Empty;

    /// <summary>
    /// The policy or course, such as 'Acceptable Use Policy' or 'Security Awareness 2026'. Optional for
    /// TermsAndConditions and NonDisclosureAgreement, which default to their kind's name.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Policy", "Course", "CourseName", "Document")]
    public string? Name { get; set; }

    /// <summary>The version of the document accepted, or of the course completed, as its owner numbers it (3.1, 2026-01).</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Alias("DocumentVersion", "CourseVersion")]
    [AllowEmptyString]
    public string Version { get; set; } = string.Empty;

    /// <summary>The day it was accepted or completed: a date, or text in ISO 8601 form (2026-01-05). Today when left out.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("AcknowledgedOn", "CompletedOn", "AcceptedOn", "SignedOn")]
    public object? On { get; set; }

    /// <summary>
    /// The first day it no longer counts: a date, or ISO 8601 text. Security training without it expires one year
    /// after -On; documents without it do not lapse.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ExpiryDate", "ValidUntil")]
    public object? ExpiresOn { get; set; }

    /// <summary>Where the proof is: an LMS certificate id, an e-signature envelope id, a ticket number. A reference, not the document.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("CertificateId", "EnvelopeId", "Reference")]
    public string? Evidence { get; set; }

    // The register for this run, with policies/acknowledgements.yaml read once for every row.
    private AcknowledgementRegister? _acknowledgements;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        _row++;
        string where = MyInvocation.ExpectingInput ? $"Row {_row} (PersonId '{PersonId}'): " : string.Empty;
        ForEachItem(() =>
        {
            try
            {
                AcknowledgementRegister acknowledgements = _acknowledgements ??= Workspace.Acknowledgements.WithPolicyReadOnce();
                var draft = new Acknowledgement
                {
                    PersonId = PersonId,
                    Kind = ParseKind(Kind),
                    Name = Name!,
                    DocumentVersion = Version,
                    AcknowledgedOn = ParseDay(On, "On") ?? acknowledgements.Today,
                    ExpiresOn = ParseDay(ExpiresOn, "ExpiresOn"),
                    Evidence = Evidence,
                };

                // Validated (and the person looked up) before asking, so -WhatIf never promises what would be refused.
                Acknowledgement prepared = acknowledgements.Prepare(draft);
                _ = Run((w, ct) => w.People.GetAsync(prepared.PersonId, ct));
                string expires = prepared.ExpiresOn is DateTime e ? $", expires {Day(e)}" : string.Empty;
                if (ShouldProcess($"{prepared.PersonId}: {prepared.Kind} '{prepared.Name}' version {prepared.DocumentVersion} on {Day(prepared.AcknowledgedOn)}{expires}",
                    "Record acknowledgement"))
                {
                    AcknowledgementResult result = Run(ct => acknowledgements.RecordAsync(draft, Operation, ct));
                    if (result.Outcome == AcknowledgementOutcome.Unchanged)
                    {
                        WriteVerbose($"{where}already recorded ({result.Acknowledgement.AcknowledgementId}); nothing changed.");
                    }

                    WriteObject(result.Acknowledgement);
                }
            }
            catch (IsmsException ex) when (where.Length > 0 && !ex.ErrorId.StartsWith("IsmsOps.Store.", StringComparison.Ordinal))
            {
                throw new IsmsException(ex.ErrorId, ex.Kind, where + ex.Message, ex.RecommendedAction, ex.Target, ex);
            }
        });
    }

    private static AcknowledgementKind ParseKind(string text)
    {
        string trimmed = text.Trim();
        if (Enum.TryParse(trimmed, ignoreCase: true, out AcknowledgementKind kind) && Enum.IsDefined(kind) && !int.TryParse(trimmed, out _))
        {
            return kind;
        }

        throw new IsmsException("IsmsOps.Acknowledgement.InvalidKind", IsmsErrorKind.InvalidArgument,
            $"Kind '{text}' is not one of {string.Join(", ", Enum.GetNames<AcknowledgementKind>())}. Nothing was recorded.",
            "Give -Kind (or a Kind column) as TermsAndConditions, NonDisclosureAgreement, Policy or SecurityTraining.", text);
    }

    // Text from a CSV is read as ISO 8601 only: 05/01/2026 means different days in different exports.
    private static DateTime? ParseDay(object? value, string parameter)
    {
        object? raw = value is PSObject ps ? ps.BaseObject : value;
        switch (raw)
        {
            case null:
                return null;
            case DateTime date:
                return date.Date;
            case DateTimeOffset offset:
                return offset.Date;
            case string text when string.IsNullOrWhiteSpace(text):
                return null;
            case string text when DateTime.TryParseExact(text.Trim(), ["yyyy-MM-dd", "yyyy-MM-ddTHH:mm:ss", "yyyy-MM-ddTHH:mm:ssK", "yyyy-MM-ddTHH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss"],
                CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out DateTime parsed):
                return parsed.Date;
            default:
                throw new IsmsException("IsmsOps.Acknowledgement.Invalid" + parameter, IsmsErrorKind.InvalidArgument,
                    $"-{parameter} '{raw}' is not a date in ISO 8601 form. Nothing was recorded.",
                    $"Give -{parameter} as yyyy-MM-dd, for example 2026-01-05 (convert the export's date column if it uses another form).", raw);
        }
    }

    private static string Day(DateTime day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
