using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.AccessReviews;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Records the decisions of a filled-in access review file written by Export-IsmsAccessReview.</summary>
/// <remarks>
/// Reads the CSV or XLSX file and writes one result per row: Decided, Unchanged (the stored decision already),
/// Skipped (Decision left blank), WouldDecide (-WhatIf) or Rejected. A row is rejected, with its file:line (or
/// file:sheet:row) and a non-terminating error, when its ItemId was not exported (IsmsOps.Table.UnknownRow), when it
/// appears twice (IsmsOps.Table.DuplicateRow), when a read-only column was changed (IsmsOps.Table.ReadOnlyEdited),
/// when a Decision is not Approve, Deny or DontKnow (IsmsOps.Table.InvalidValue), when its Reviewer is not one of the
/// item's reviewers (IsmsOps.AccessReview.NotYourItem), or when it names another reviewer than the worksheet's own
/// (IsmsOps.AccessReview.NotYourSheet). The other rows are decided in one transaction under the same rules as
/// Set-IsmsAccessReviewDecision: a justification to approve privileged access, no decisions after the due date, and
/// the first decision wins; a refusal is reported on its row and audited. Rejected rows change nothing; the valid rows
/// of the same file are still recorded, so fix the rejected rows and import the file again (rows already recorded come
/// back Unchanged).
/// Graph permissions: none (this cmdlet changes only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Import-IsmsAccessReviewDecision -CampaignId AR-20261124-3f9a1c -Path ./q4-review.xlsx -WhatIf</code>
/// <para>Checks the returned workbook and shows what would be recorded, without recording anything.</para>
/// </example>
/// <example>
/// <code>Import-IsmsAccessReviewDecision AR-20261124-3f9a1c ./grace.csv | Where-Object Outcome -eq 'Rejected'</code>
/// <para>Records Grace's decisions and lists the rows that were refused, each with its line and reason.</para>
/// </example>
[Cmdlet(VerbsData.Import, "IsmsAccessReviewDecision", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(AccessReviewImportRow))]
public sealed class ImportIsmsAccessReviewDecisionCommand : IsmsCmdlet
{
    /// <summary>The campaign's id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string CampaignId { get; set; } = string.Empty;

    /// <summary>The filled-in CSV or XLSX file.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("PSPath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        ForEachItem(() =>
        {
            bool apply = ShouldProcess(file, $"Record the decisions of access review {CampaignId}");
            IReadOnlyList<AccessReviewImportRow> rows = Run((w, ct) => new AccessReviewFile(w.AccessReviews).ImportAsync(CampaignId, file, !apply, Operation, ct));
            foreach (AccessReviewImportRow row in rows)
            {
                if (row.Outcome == AccessReviewImportOutcome.Rejected)
                {
                    WriteIsmsError(new IsmsException(row.ErrorId ?? "IsmsOps.AccessReview.RowRejected", IsmsErrorKind.InvalidData, row.Message ?? $"{row.Location}:{row.Line}: rejected.",
                        "Fix the row as the message says and import the file again; rows already recorded come back Unchanged.", row));
                }

                WriteObject(row);
            }
        });
    }
}
