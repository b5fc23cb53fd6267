using System.Management.Automation;
using IsmsOps.Engine.Screening;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Approves the waiver of a person's screening, for a limited time.</summary>
/// <remarks>
/// A waiver lets access that needs screening go ahead before the screening is Cleared. It is requested with
/// Set-IsmsScreening -Status Waived -WaiverReason, and counts only once approved here by someone else: the requester's
/// own approval is refused (IsmsOps.Screening.SelfApproval). The approval needs a reason and a last day (-ExpiresOn),
/// no later than the policy's waivers.maxDuration from today (90 days by default); from the day after, the waiver no
/// longer counts. An approved waiver cannot be approved again; to extend it, request it anew. The approval is audited
/// as Screening.WaiverApproved with the requester, the level and the last day.
/// Graph permissions: none (this cmdlet changes only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Approve-IsmsScreeningWaiver scr-1a2b3c4d5e6f -Reason 'Read-only access; CISO accepts the risk' -ExpiresOn 2026-12-31</code>
/// <para>Approves a waiver that lasts until the end of 2026.</para>
/// </example>
/// <example>
/// <code>Get-IsmsScreening -Status Waived | Approve-IsmsScreeningWaiver -Reason 'Provider backlog' -ExpiresOn (Get-Date).AddDays(30) -Confirm</code>
/// <para>Approves each waiting waiver for 30 days, asking for each one.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Approve, "IsmsScreeningWaiver", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(ScreeningRecord))]
public sealed class ApproveIsmsScreeningWaiverCommand : IsmsCmdlet
{
    /// <summary>The waived screening to approve.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string ScreeningId { get; set; } = string.Empty;

    /// <summary>Why the risk is accepted; recorded with the approval.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Reason { get; set; } = string.Empty;

    /// <summary>The last day the waiver counts.</summary>
    [Parameter(Mandatory = true)]
    public DateTime ExpiresOn { get; set; }

    /// <summary>The version you read; the approval is refused if the screening changed since. Binds from a piped screening's Version.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Version")]
    public long? ExpectedVersion { get; set; }

    // The register for this run, with the screening policy read once for all piped screenings.
    private ScreeningRegister? _screening;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            ScreeningRegister screening = _screening ??= Workspace.Screening.WithPolicyReadOnce();
            // Refused before asking, so -WhatIf and -Confirm never offer an approval the engine would refuse.
            ScreeningRecord current = Run(ct => screening.PreviewApprovalAsync(ScreeningId, Reason, ExpiresOn, ExpectedVersion, Operation, ct));
            if (ShouldProcess($"{ScreeningId} ({current.PersonId}, {current.Level}, requested by {current.WaiverRequestedBy})",
                $"Approve screening waiver until {ExpiresOn:yyyy-MM-dd}"))
            {
                WriteObject(Run(ct => screening.ApproveWaiverAsync(ScreeningId, Reason, ExpiresOn, ExpectedVersion, Operation, ct)));
            }
        });
    }
}
