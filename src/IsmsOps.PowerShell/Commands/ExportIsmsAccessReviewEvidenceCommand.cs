using System.Management.Automation;
using IsmsOps.Engine.AccessReviews;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Writes a campaign's evidence: a CSV of every item with its decision and apply result, and an HTML report.</summary>
/// <remarks>
/// Writes AR-…-evidence.csv and AR-…-evidence.html into -Path (a folder, created if missing; existing files of the same
/// name are replaced). The CSV has one row per item: principal, resource, access kind, recommendation, the reviewer's
/// decision, who decided and when, the effective decision (the campaign default for undecided items), and the apply
/// result with its reason, Graph request-id and time. The HTML page is self-contained (no scripts, no external
/// references, a Content-Security-Policy forbidding both) and shows the completion, the decisions, the removals and
/// the overdue reviewers; every name is encoded as text. Run it after Complete-IsmsAccessReview for the removals; before
/// that it shows the decisions so far.
/// Graph permissions: none (the campaign is read from the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Export-IsmsAccessReviewEvidence -CampaignId AR-20261124-3f9a1c -Path ./evidence</code>
/// <para>Writes the CSV and the HTML report of the campaign into ./evidence.</para>
/// </example>
[Cmdlet(VerbsData.Export, "IsmsAccessReviewEvidence", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(AccessReviewEvidenceFiles))]
public sealed class ExportIsmsAccessReviewEvidenceCommand : IsmsCmdlet
{
    /// <summary>The campaign's id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string CampaignId { get; set; } = string.Empty;

    /// <summary>The folder to write the two files into; created if missing.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("PSPath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        string folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        ForEachItem(() =>
        {
            if (!ShouldProcess(folder, $"Write the evidence CSV and HTML report of {CampaignId}"))
            {
                return;
            }

            DateTimeOffset now = DateTimeOffset.UtcNow;
            WriteObject(Run((w, ct) => AccessReviewEvidence.WriteAsync(w.AccessReviews, w.Store, CampaignId, folder, now, ct)));
        });
    }
}
