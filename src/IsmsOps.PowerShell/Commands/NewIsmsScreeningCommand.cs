using System.Management.Automation;
using IsmsOps.Engine.Screening;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Opens a background screening for a person.</summary>
/// <remarks>
/// Records that a registered person is to be screened at a level (Basic, Standard or Enhanced, as the role needs). The
/// checks that the screening policy (policies/screening.yaml; $ISMSOPS_POLICIES overrides the folder) requires for
/// that level and the country start Pending; the others are NotRequired. The country is the person's Location unless
/// -Country is given. The provider's report is never stored, only its reference. Notes and AdverseFindings are
/// sensitive: they are encrypted under the person's own data key, the audit event names them without their values,
/// and the output does not show them (Get-IsmsScreening -IncludeSensitive does, and audits the read).
/// Graph permissions: none (this cmdlet changes only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>New-IsmsScreening -PersonId E1001 -Level Enhanced -Status Requested -Provider 'Acme Screening' -ProviderReference ACME-2231</code>
/// <para>Opens an Enhanced screening and records that it was ordered from the provider today.</para>
/// </example>
/// <example>
/// <code>Get-IsmsPerson -Status Candidate | New-IsmsScreening -Level Standard</code>
/// <para>Opens a Standard screening for every candidate in the register.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "IsmsScreening", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ScreeningRecord))]
public sealed class NewIsmsScreeningCommand : IsmsCmdlet
{
    /// <summary>The PersonId of the person to screen; they must be in the people register.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("EmployeeId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string PersonId { get; set; } = string.Empty;

    /// <summary>The screening level the role needs: Basic, Standard or Enhanced.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    public ScreeningLevel Level { get; set; }

    /// <summary>The starting status, NotStarted by default; Requested also sets RequestedOn to today unless given.</summary>
    [Parameter]
    public ScreeningStatus Status { get; set; } = ScreeningStatus.NotStarted;

    /// <summary>The country whose requirements apply, as an ISO 3166-1 two-letter code; the person's Location by default.</summary>
    [Parameter]
    public string? Country { get; set; }

    /// <summary>Who carries out the checks.</summary>
    [Parameter]
    public string? Provider { get; set; }

    /// <summary>The provider's case or order number.</summary>
    [Parameter]
    public string? ProviderReference { get; set; }

    /// <summary>When the checks were ordered from the provider.</summary>
    [Parameter]
    public DateTime? RequestedOn { get; set; }

    /// <summary>Free-text notes. Sensitive: stored encrypted under the person's data key and never shown by default.</summary>
    [Parameter]
    public string? Notes { get; set; }

    // The register for this run, with the screening policy read once for every person piped in.
    private ScreeningRegister? _screening;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var draft = new ScreeningRecord
        {
            PersonId = PersonId,
            Level = Level,
            Status = Status,
            Country = Country,
            Provider = Provider,
            ProviderReference = ProviderReference,
            RequestedOn = RequestedOn,
            Notes = Notes,
        };

        ForEachItem(() =>
        {
            if (ShouldProcess($"{PersonId} ({Level}, {Status})", "Open screening"))
            {
                ScreeningRegister screening = _screening ??= Workspace.Screening.WithPolicyReadOnce();
                WriteObject(Run(ct => screening.CreateAsync(draft, Operation, ct)));
            }
        });
    }
}
