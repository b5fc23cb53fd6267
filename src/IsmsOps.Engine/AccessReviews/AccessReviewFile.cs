using System.Globalization;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Tables;

namespace IsmsOps.Engine.AccessReviews;

/// <summary>What became of one row of an imported decisions file.</summary>
public enum AccessReviewImportOutcome
{
    /// <summary>The decision was stored.</summary>
    Decided,
    /// <summary>-WhatIf: the row passed the file's checks and would be offered to the register.</summary>
    WouldDecide,
    /// <summary>The row holds the decision and justification already stored; nothing was recorded again.</summary>
    Unchanged,
    /// <summary>The Decision cell was left blank.</summary>
    Skipped,
    /// <summary>The row was refused, by the file's checks or by a decision rule; see ErrorId and Message.</summary>
    Rejected,
}

/// <summary>One row of an imported decisions file and its outcome. Line is the CSV line or the XLSX row number.</summary>
public sealed record AccessReviewImportRow
{
    /// <summary>The file (and worksheet) the row came from, as problems name it.</summary>
    public required string Location { get; init; }
    public required long Line { get; init; }
    /// <summary>The item's id, when the row named a known one.</summary>
    public long? ItemId { get; init; }
    /// <summary>The reviewer the row decides as, as written in its Reviewer cell.</summary>
    public string? Reviewer { get; init; }
    /// <summary>The decision the row holds, when it holds a valid one.</summary>
    public AccessReviewDecision? Decision { get; init; }
    public required AccessReviewImportOutcome Outcome { get; init; }
    /// <summary>For a rejected row, the stable error id (IsmsOps.Table.* or IsmsOps.AccessReview.*).</summary>
    public string? ErrorId { get; init; }
    /// <summary>For a rejected row: location:line, what is wrong and how to fix it.</summary>
    public string? Message { get; init; }
    /// <summary>The item as stored after a Decided outcome.</summary>
    public AccessReviewItem? Item { get; init; }
}

/// <summary>What an export wrote.</summary>
public sealed record AccessReviewExportResult(string CampaignId, string Path, string Format, int Sheets, int Rows);

/// <summary>
/// Exports a campaign's items as a file a reviewer fills in (CSV, or XLSX with one worksheet per reviewer) and imports
/// the decisions back. The columns follow the Entra access review history report; all are read-only except Decision
/// and Justification (and Reviewer, which names who decides and is checked against the item's reviewers). Import
/// checks the file against the campaign's items through <see cref="TableComparison"/> and hands the valid decisions to
/// <see cref="AccessReviewRegister.DecideAllAsync"/>, so every decision rule and the audit trail apply as for
/// Set-IsmsAccessReviewDecision.
/// </summary>
public sealed class AccessReviewFile
{
    /// <summary>The key column: the item's id within the campaign.</summary>
    public const string KeyColumn = "ItemId";

    /// <summary>The columns of an exported file, in order.</summary>
    public static readonly IReadOnlyList<TableColumn> Columns =
    [
        TableColumn.Text("ReviewName", readOnly: true),
        TableColumn.Text("CampaignId", readOnly: true),
        TableColumn.Text(KeyColumn, readOnly: true),
        TableColumn.Text("ResourceDisplayName", readOnly: true),
        TableColumn.Text("ResourceId", readOnly: true),
        TableColumn.Text("ResourceType", readOnly: true),
        TableColumn.Text("PrincipalName", readOnly: true),
        TableColumn.Text("PrincipalDisplayName", readOnly: true),
        TableColumn.Text("PrincipalId", readOnly: true),
        TableColumn.Text("PrincipalType", readOnly: true),
        TableColumn.Text("AccessKind", readOnly: true),
        TableColumn.Text("Assignment", readOnly: true),
        TableColumn.Text("InheritedFrom", readOnly: true),
        TableColumn.Text("Privileged", readOnly: true),
        TableColumn.Date("AccessSince", readOnly: true),
        TableColumn.Date("LastSignIn", readOnly: true),
        TableColumn.Text("AccessRecommendation", readOnly: true),
        TableColumn.Text("Reason", readOnly: true),
        TableColumn.Date("DueDate", readOnly: true),
        TableColumn.Text("Reviewer"),
        TableColumn.Choice("Decision", ["Approve", "Deny", "DontKnow"]),
        TableColumn.Text("Justification"),
    ];

    private readonly AccessReviewRegister _register;

    public AccessReviewFile(AccessReviewRegister register)
    {
        ArgumentNullException.ThrowIfNull(register);
        _register = register;
    }

    /// <summary>
    /// Writes the campaign to <paramref name="path"/>: CSV (the format follows the extension; .xlsx is XLSX) holds one
    /// row per item; XLSX holds one worksheet per reviewer with that reviewer's items. With <paramref name="reviewer"/>
    /// only that reviewer's items (or worksheet) are written.
    /// </summary>
    public async Task<AccessReviewExportResult> ExportAsync(string campaignId, string path, string? reviewer, CancellationToken cancellationToken)
    {
        AccessReviewCampaign campaign = await _register.GetAsync(campaignId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<AccessReviewer> reviewers = await _register.ReviewersAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false);
        AccessReviewer? only = reviewer is null ? null : AccessReviewRegister.ResolveReviewer(campaign.CampaignId, reviewers, reviewer);
        var byId = reviewers.ToDictionary(r => r.ReviewerId, StringComparer.OrdinalIgnoreCase);
        var sheets = new List<TableSheet>();
        if (TableFile.IsXlsx(path))
        {
            foreach ((string sheetName, AccessReviewer sheetReviewer) in SheetNames(reviewers))
            {
                if (only is not null && !string.Equals(only.ReviewerId, sheetReviewer.ReviewerId, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                var sheet = new TableSheet(sheetName, Columns);
                foreach (AccessReviewItem item in _register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId, ReviewerId = sheetReviewer.ReviewerId }, cancellationToken))
                {
                    sheet.Add(Row(campaign, item, sheetReviewer.UserPrincipalName));
                }

                sheets.Add(sheet);
            }
        }
        else
        {
            var sheet = new TableSheet(campaign.Name, Columns);
            var query = new AccessReviewItemQuery { CampaignId = campaign.CampaignId, ReviewerId = only?.ReviewerId };
            foreach (AccessReviewItem item in _register.ReadItems(query, cancellationToken))
            {
                sheet.Add(Row(campaign, item, only?.UserPrincipalName ?? ReviewerCell(item, byId)));
            }

            sheets.Add(sheet);
        }

        TableFile.Write(path, sheets);
        return new AccessReviewExportResult(campaign.CampaignId, path, TableFile.IsXlsx(path) ? "Xlsx" : "Csv", sheets.Count, sheets.Sum(s => s.Rows.Count));
    }

    /// <summary>
    /// Reads a filled-in file and records its decisions. Rows with a blank Decision are skipped; a row is rejected, with
    /// its line, when the file's checks refuse it (unknown row, edited read-only column, invalid value, duplicate), when
    /// its Reviewer is not one of the item's reviewers or not the reviewer whose worksheet holds it, or when a decision
    /// rule refuses it. The other rows are stored in one batch. With <paramref name="whatIf"/> nothing is stored.
    /// </summary>
    public async Task<IReadOnlyList<AccessReviewImportRow>> ImportAsync(string campaignId, string path, bool whatIf, OperationContext context,
        CancellationToken cancellationToken)
    {
        AccessReviewCampaign campaign = await _register.GetAsync(campaignId, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<AccessReviewer> reviewers = await _register.ReviewersAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false);
        var sheetReviewers = SheetNames(reviewers).ToDictionary(s => s.Name, s => s.Reviewer, StringComparer.OrdinalIgnoreCase);
        var items = _register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, cancellationToken).ToDictionary(i => i.ItemId.ToString(CultureInfo.InvariantCulture));
        var byId = reviewers.ToDictionary(r => r.ReviewerId, StringComparer.OrdinalIgnoreCase);
        // The exported values of the read-only columns; Reviewer, Decision and Justification are the reviewer's to fill.
        List<IReadOnlyList<string?>> exported = items.Values.Select(i => (IReadOnlyList<string?>)Row(campaign, i, null)).ToList();

        var rows = new List<AccessReviewImportRow>();
        var requests = new List<(AccessReviewImportRow Row, AccessReviewDecisionRequest Request)>();
        foreach (TableReadResult table in TableFile.Read(path))
        {
            AccessReviewer? sheetReviewer = null;
            if (table.SheetName is not null && !sheetReviewers.TryGetValue(table.SheetName, out sheetReviewer))
            {
                rows.Add(Rejected(table.Location, 1, null, null, "IsmsOps.AccessReview.UnknownSheet",
                    $"{table.Location}:1: worksheet '{table.SheetName}' is not one of campaign {campaign.CampaignId}'s reviewers; its rows were not imported. Keep the worksheets as exported."));
                continue;
            }

            TableComparisonResult compared = TableComparison.Compare(Columns, KeyColumn, exported, table);
            rows.AddRange(compared.Problems.Select(p => Rejected(table.Location, p.Line, null, null, p.ErrorId, p.Message)));
            foreach (TableRowEdit edit in compared.Rows)
            {
                AccessReviewItem item = items[edit.Key];
                string who = edit.Values.GetValueOrDefault("Reviewer", string.Empty).Trim();
                string decisionText = edit.Values.GetValueOrDefault("Decision", string.Empty);
                string justification = edit.Values.GetValueOrDefault("Justification", string.Empty).Trim();
                if (decisionText.Length == 0)
                {
                    rows.Add(new AccessReviewImportRow { Location = table.Location, Line = edit.Line, ItemId = item.ItemId, Reviewer = who, Outcome = AccessReviewImportOutcome.Skipped });
                    continue;
                }

                AccessReviewDecision decision = Enum.Parse<AccessReviewDecision>(decisionText, ignoreCase: true);
                if (who.Length == 0 && sheetReviewer is not null)
                {
                    // A worksheet belongs to one reviewer, so a cleared Reviewer cell there can only mean them.
                    who = sheetReviewer.UserPrincipalName;
                }

                AccessReviewer? decider = AccessReviewRegister.FindReviewer(reviewers, who);
                string? refusal = null;
                string errorId = "IsmsOps.AccessReview.NotYourItem";
                if (sheetReviewer is not null && (decider is null || decider.ReviewerId != sheetReviewer.ReviewerId))
                {
                    errorId = "IsmsOps.AccessReview.NotYourSheet";
                    refusal = $"the Reviewer '{who}' is not {sheetReviewer.UserPrincipalName}, whose worksheet this is; a worksheet decides only its reviewer's items. Put {sheetReviewer.UserPrincipalName} back, or decide in your own worksheet.";
                }
                else if (decider is null)
                {
                    refusal = who.Length == 0 || who.Contains(';', StringComparison.Ordinal)
                        ? $"item {item.ItemId} has a Decision but the Reviewer cell names no single reviewer ('{who}'). Leave exactly one of the item's reviewers: {Names(item, byId)}."
                        : $"'{who}' is not a reviewer of campaign {campaign.CampaignId}. The item's reviewers are {Names(item, byId)}.";
                }
                else if (!item.ReviewerIds.Contains(decider.ReviewerId, StringComparer.OrdinalIgnoreCase))
                {
                    refusal = $"{decider.UserPrincipalName} is not a reviewer of item {item.ItemId} ({item.PrincipalName} on {item.ResourceDisplayName}); only {Names(item, byId)} may decide it.";
                }

                if (refusal is not null)
                {
                    rows.Add(Rejected(table.Location, edit.Line, item.ItemId, who, errorId, $"{table.Location}:{edit.Line}: {refusal} Nothing was recorded for this row."));
                    continue;
                }

                if (item.Decision == decision && string.Equals(item.Justification ?? string.Empty, justification, StringComparison.Ordinal))
                {
                    // An export carries the stored decisions, so re-importing it must not re-decide (and re-audit) them.
                    rows.Add(new AccessReviewImportRow { Location = table.Location, Line = edit.Line, ItemId = item.ItemId, Reviewer = who, Decision = decision, Outcome = AccessReviewImportOutcome.Unchanged, Item = item });
                    continue;
                }

                var row = new AccessReviewImportRow { Location = table.Location, Line = edit.Line, ItemId = item.ItemId, Reviewer = decider!.UserPrincipalName, Decision = decision, Outcome = AccessReviewImportOutcome.WouldDecide };
                requests.Add((row, new AccessReviewDecisionRequest
                {
                    CampaignId = campaign.CampaignId,
                    ItemId = item.ItemId,
                    Decision = decision,
                    Reviewer = decider.ReviewerId,
                    Justification = justification.Length == 0 ? null : justification,
                }));
            }
        }

        if (whatIf || requests.Count == 0)
        {
            rows.AddRange(requests.Select(r => r.Row));
        }
        else
        {
            IReadOnlyList<AccessReviewDecisionOutcome> outcomes = await _register.DecideAllAsync(requests.Select(r => r.Request).ToArray(), context, cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < outcomes.Count; i++)
            {
                AccessReviewImportRow row = requests[i].Row;
                rows.Add(outcomes[i].Error is { } error
                    ? row with { Outcome = AccessReviewImportOutcome.Rejected, ErrorId = error.ErrorId, Message = $"{row.Location}:{row.Line}: {error.Message}" }
                    : row with { Outcome = AccessReviewImportOutcome.Decided, Item = outcomes[i].Item });
            }
        }

        return rows.OrderBy(r => r.Location, StringComparer.Ordinal).ThenBy(r => r.Line).ToArray();
    }

    /// <summary>The worksheet name of each reviewer, in the campaign's reviewer order, made unique the same way on export and import.</summary>
    private static IEnumerable<(string Name, AccessReviewer Reviewer)> SheetNames(IReadOnlyList<AccessReviewer> reviewers)
    {
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (AccessReviewer reviewer in reviewers.OrderBy(r => r.UserPrincipalName, StringComparer.OrdinalIgnoreCase).ThenBy(r => r.ReviewerId, StringComparer.Ordinal))
        {
            yield return (XlsxTableWriter.SheetName(reviewer.UserPrincipalName, taken), reviewer);
        }
    }

    // A decided item names who decided it; an undecided one lists its reviewers, and whoever decides leaves only their own name.
    private static string ReviewerCell(AccessReviewItem item, IReadOnlyDictionary<string, AccessReviewer> byId) =>
        item.DecidedBy is { } decidedBy && byId.TryGetValue(decidedBy, out AccessReviewer? who) ? who.UserPrincipalName : Names(item, byId);

    private static string Names(AccessReviewItem item, IReadOnlyDictionary<string, AccessReviewer> byId) =>
        string.Join("; ", item.ReviewerIds.Select(id => byId.TryGetValue(id, out AccessReviewer? r) ? r.UserPrincipalName : id));

    private static AccessReviewImportRow Rejected(string location, long line, long? itemId, string? reviewer, string errorId, string message) =>
        new() { Location = location, Line = line, ItemId = itemId, Reviewer = reviewer, Outcome = AccessReviewImportOutcome.Rejected, ErrorId = errorId, Message = message };

    private static string?[] Row(AccessReviewCampaign campaign, AccessReviewItem item, string? reviewer) =>
    [
        campaign.Name,
        campaign.CampaignId,
        item.ItemId.ToString(CultureInfo.InvariantCulture),
        item.ResourceDisplayName,
        item.ResourceId,
        item.ResourceKind.ToString(),
        item.PrincipalName,
        item.PrincipalDisplayName,
        item.PrincipalId,
        item.IsGuest ? "Guest" : "User",
        item.AccessKind.ToString(),
        item.Assignment.ToString(),
        item.InheritedFromGroupName ?? item.InheritedFromGroupId,
        item.Privileged ? "Yes" : "No",
        TableColumn.FormatDate(item.Since),
        TableColumn.FormatDate(item.LastSignIn),
        item.Recommendation.ToString(),
        string.Join("; ", item.Reasons) + (item.RecommendationNote is { Length: > 0 } note ? (item.Reasons.Count > 0 ? ": " : string.Empty) + note : string.Empty),
        TableColumn.FormatDate(campaign.DueDate),
        reviewer,
        item.IsPending ? null : item.Decision.ToString(),
        item.Justification,
    ];
}
