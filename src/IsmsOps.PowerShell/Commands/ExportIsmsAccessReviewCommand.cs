using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.AccessReviews;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Writes an access review campaign to a CSV or XLSX file for reviewers to fill in.</summary>
/// <remarks>
/// The columns follow the Entra access review history report: ReviewName, CampaignId, ItemId, ResourceDisplayName,
/// ResourceId, ResourceType, PrincipalName, PrincipalDisplayName, PrincipalId, PrincipalType, AccessKind, Assignment,
/// InheritedFrom, Privileged, AccessSince, LastSignIn, AccessRecommendation, Reason, DueDate, Reviewer, Decision and
/// Justification. Reviewers fill in Decision (Approve, Deny, DontKnow or blank) and Justification; every other column
/// is read-only (locked in XLSX) and is checked on import. Reviewer names who decides the row.
/// CSV holds the whole campaign, one row per item; where an item has several reviewers its Reviewer cell lists them
/// all, and whoever decides leaves only their own name. XLSX holds one worksheet per reviewer, named after the
/// reviewer, with that reviewer's items (an item with two reviewers is on both worksheets). -Reviewer writes only that
/// reviewer's items: run it once per reviewer to send each their own file. The format follows -Format, or else the
/// extension of -Path (.xlsx is XLSX, anything else CSV). Cells a spreadsheet would run as a formula are written as
/// text. The file is written under a temporary name and moved into place, so a failed export leaves nothing behind.
/// Graph permissions: none (the campaign is read from the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Export-IsmsAccessReview -CampaignId AR-20261124-3f9a1c -Path ./q4-review.xlsx</code>
/// <para>One workbook with a worksheet per reviewer.</para>
/// </example>
/// <example>
/// <code>Export-IsmsAccessReview AR-20261124-3f9a1c -Path ./grace.csv -Reviewer grace@contoso.com</code>
/// <para>Grace's items only, as CSV, to send to her.</para>
/// </example>
[Cmdlet(VerbsData.Export, "IsmsAccessReview", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(AccessReviewExportResult))]
public sealed class ExportIsmsAccessReviewCommand : IsmsCmdlet
{
    /// <summary>The campaign's id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string CampaignId { get; set; } = string.Empty;

    /// <summary>The file to write; an existing file is replaced.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("PSPath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Csv or Xlsx; by default taken from the extension of -Path. Must agree with the extension when both are given.</summary>
    [Parameter]
    [ValidateSet("Csv", "Xlsx")]
    public string? Format { get; set; }

    /// <summary>Writes only this reviewer's items (user principal name or object id).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Reviewer { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        ForEachItem(() =>
        {
            bool xlsx = file.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase);
            if (Format is not null && string.Equals(Format, "Xlsx", StringComparison.OrdinalIgnoreCase) != xlsx)
            {
                throw new IsmsException("IsmsOps.AccessReview.FormatMismatch", IsmsErrorKind.InvalidArgument,
                    $"-Format {Format} does not match the file name '{file}'. Nothing was written.",
                    "Give a path ending in .xlsx for Xlsx, or in .csv for Csv.", file);
            }

            if (ShouldProcess(file, $"Export access review {CampaignId}"))
            {
                WriteObject(Run((w, ct) => new AccessReviewFile(w.AccessReviews).ExportAsync(CampaignId, file, Reviewer, ct)));
            }
        });
    }
}
