using System.Management.Automation;
using IsmsOps.Engine.Screening;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Records progress on a background screening: status, check results, provider and dates.</summary>
/// <remarks>
/// Changes only what you name. The status rules apply: a check the policy requires cannot be NotRequired; any Adverse
/// result turns an open screening Adverse; Cleared needs every required check Clear and sets RescreenDueOn from the
/// level's interval; a Cleared screening can only become Expired. -Status Waived needs -WaiverReason and records you as
/// the waiver's requester; the waiver counts only after someone else approves it with Approve-IsmsScreeningWaiver. A
/// screening piped from Get-IsmsScreening binds its ScreeningId and Version: if it changed since, the update is refused
/// (IsmsOps.Screening.Conflict). -WhatIf lists each change; Notes and AdverseFindings are named, never shown, and are
/// stored encrypted. An empty string typed for Notes or AdverseFindings clears it.
/// Graph permissions: none (this cmdlet changes only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Set-IsmsScreening scr-1a2b3c4d5e6f -Status InProgress -Identity Clear -RightToWork Clear</code>
/// <para>Records the first two checks as clear.</para>
/// </example>
/// <example>
/// <code>Get-IsmsScreening -PersonId E1001 | Set-IsmsScreening -CriminalRecord Clear -References Clear -Status Cleared -WhatIf</code>
/// <para>Shows what clearing the screening would change, without changing it.</para>
/// </example>
/// <example>
/// <code>Set-IsmsScreening scr-1a2b3c4d5e6f -Status Waived -WaiverReason 'Provider backlog; starts on a read-only baseline'</code>
/// <para>Asks for a waiver, which another person must approve.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "IsmsScreening", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(ScreeningRecord))]
public sealed class SetIsmsScreeningCommand : IsmsCmdlet
{
    /// <summary>The screening to change.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string ScreeningId { get; set; } = string.Empty;

    /// <summary>The new status: NotStarted, Requested, InProgress, Cleared, Adverse, Expired or Waived.</summary>
    [Parameter]
    public ScreeningStatus? Status { get; set; }

    /// <summary>The result of the identity check.</summary>
    [Parameter]
    public ScreeningCheckResult? Identity { get; set; }

    /// <summary>The result of the right-to-work check.</summary>
    [Parameter]
    public ScreeningCheckResult? RightToWork { get; set; }

    /// <summary>The result of the criminal record check.</summary>
    [Parameter]
    public ScreeningCheckResult? CriminalRecord { get; set; }

    /// <summary>The result of the credit check.</summary>
    [Parameter]
    public ScreeningCheckResult? Credit { get; set; }

    /// <summary>The result of the reference checks.</summary>
    [Parameter]
    public ScreeningCheckResult? References { get; set; }

    /// <summary>The result of the education check.</summary>
    [Parameter]
    public ScreeningCheckResult? Education { get; set; }

    /// <summary>Who carries out the checks.</summary>
    [Parameter]
    public string? Provider { get; set; }

    /// <summary>The provider's case or order number.</summary>
    [Parameter]
    public string? ProviderReference { get; set; }

    /// <summary>When the checks were ordered.</summary>
    [Parameter]
    public DateTime? RequestedOn { get; set; }

    /// <summary>When the screening completed; with -Status Cleared, the re-screen date counts from it (today by default).</summary>
    [Parameter]
    public DateTime? CompletedOn { get; set; }

    /// <summary>Why screening should be waived; required with -Status Waived. A business reason, without findings about the person.</summary>
    [Parameter]
    public string? WaiverReason { get; set; }

    /// <summary>Free-text notes; an empty string clears them. Sensitive: encrypted, and named without their value in -WhatIf and the audit trail.</summary>
    [Parameter]
    public string? Notes { get; set; }

    /// <summary>What the provider found against the person; an empty string clears it. Sensitive, like Notes.</summary>
    [Parameter]
    public string? AdverseFindings { get; set; }

    /// <summary>The version you read. If the stored screening has moved on, the change is refused. Binds from a piped screening's Version.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Version")]
    public long? ExpectedVersion { get; set; }

    /// <summary>Writes the changed screening to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    // The register for this run, with the screening policy read once: the preview and the change of every piped
    // screening are held to the same reading.
    private ScreeningRegister? _screening;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ScreeningRecord Apply(ScreeningRecord s) => s with
        {
            Status = Status ?? s.Status,
            Identity = Identity ?? s.Identity,
            RightToWork = RightToWork ?? s.RightToWork,
            CriminalRecord = CriminalRecord ?? s.CriminalRecord,
            Credit = Credit ?? s.Credit,
            References = References ?? s.References,
            Education = Education ?? s.Education,
            Provider = Provider ?? s.Provider,
            ProviderReference = ProviderReference ?? s.ProviderReference,
            RequestedOn = RequestedOn ?? s.RequestedOn,
            CompletedOn = CompletedOn ?? s.CompletedOn,
            WaiverReason = WaiverReason ?? s.WaiverReason,
            Notes = Notes ?? s.Notes,
            AdverseFindings = AdverseFindings ?? s.AdverseFindings,
        };

        ForEachItem(() =>
        {
            ScreeningRegister screening = _screening ??= Workspace.Screening.WithPolicyReadOnce();
            if (ChangeAfterPreview(ScreeningId, (_, ct) => screening.PreviewUpdateAsync(ScreeningId, Apply, Operation, ct),
                    (_, ct) => screening.UpdateAsync(ScreeningId, Apply, ExpectedVersion, Operation, ct)) is not ScreeningRecord updated)
            {
                return;
            }

            WriteVerbose($"{updated.ScreeningId} is {updated.Status}, at version {updated.Version}.");
            if (PassThru)
            {
                WriteObject(updated);
            }
        });
    }
}
