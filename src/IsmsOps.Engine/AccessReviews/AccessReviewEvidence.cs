using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Html;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Tables;

namespace IsmsOps.Engine.AccessReviews;

/// <summary>The evidence files of a campaign, as <see cref="AccessReviewEvidence.WriteAsync"/> wrote them, with their SHA-256.</summary>
public sealed record AccessReviewEvidenceFiles(string CampaignId, string CsvPath, string HtmlPath, int Items, string CsvSha256, string HtmlSha256);

/// <summary>
/// A campaign's evidence: a CSV of every item with its decision, effective decision and apply result, and one
/// self-contained HTML page (inline CSS, no scripts, no external URLs, a CSP forbidding both) with the completion,
/// the decisions, the removals and the overdue reviewers. Every value is HTML-encoded: names come from the directory,
/// which anyone able to rename a group or a user can write to.
/// </summary>
public static class AccessReviewEvidence
{
    /// <summary>Writes <c>{campaignId}-evidence.csv</c> and <c>{campaignId}-evidence.html</c> into <paramref name="folder"/>, each through a temporary file.</summary>
    public static async Task<AccessReviewEvidenceFiles> WriteAsync(AccessReviewRegister register, IIsmsStore store, string campaignId, string folder,
        DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(store);
        AccessReviewOverview overview = await register.OverviewAsync(campaignId, cancellationToken).ConfigureAwait(false);
        List<AccessReviewItem> items = register.ReadItems(new AccessReviewItemQuery { CampaignId = overview.CampaignId }, cancellationToken).ToList();
        IReadOnlyList<AccessReviewApplyResult> results = await store.GetAccessReviewResultsAsync(overview.CampaignId, cancellationToken).ConfigureAwait(false);
        Directory.CreateDirectory(folder);
        string csv = Path.Combine(folder, $"{overview.CampaignId}-evidence.csv");
        string html = Path.Combine(folder, $"{overview.CampaignId}-evidence.html");
        CsvTableWriter.Write(csv, Sheet(overview.Campaign, items, results));
        byte[] page = new UTF8Encoding(false).GetBytes(Render(overview, items, results, now));
        TableFile.WriteAtomically(html, stream => stream.Write(page));
        // The CSV of a large campaign runs to hundreds of megabytes: hashed as it streams from disk, never held whole.
        string csvSha256;
        using (FileStream written = File.OpenRead(csv))
        {
            csvSha256 = Convert.ToHexString(await SHA256.HashDataAsync(written, cancellationToken).ConfigureAwait(false)).ToLowerInvariant();
        }

        return new AccessReviewEvidenceFiles(overview.CampaignId, csv, html, items.Count, csvSha256, OffboardingEvidenceFile.Sha256(page));
    }

    /// <summary>One row per item: who, what, the decision, the effective decision and the apply result.</summary>
    public static TableSheet Sheet(AccessReviewCampaign campaign, IEnumerable<AccessReviewItem> items, IEnumerable<AccessReviewApplyResult> results)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        Dictionary<long, AccessReviewApplyResult> byItem = results.ToDictionary(r => r.ItemId);
        var sheet = new TableSheet("Evidence", new[]
        {
            "ItemId", "PrincipalName", "PrincipalId", "Resource", "ResourceId", "AccessKind", "Assignment", "Recommendation", "Decision",
            "DecidedBy", "DecidedAt", "Justification", "EffectiveDecision", "Result", "ResultReason", "GraphRequestId", "AppliedAt",
        }.Select(name => TableColumn.Text(name, readOnly: true)));
        foreach (AccessReviewItem i in items)
        {
            byItem.TryGetValue(i.ItemId, out AccessReviewApplyResult? r);
            sheet.Add(i.ItemId.ToString(CultureInfo.InvariantCulture), i.PrincipalName, i.PrincipalId, i.ResourceDisplayName, i.ResourceId, i.AccessKind.ToString(),
                i.Assignment.ToString(), i.Recommendation.ToString(), i.Decision.ToString(), i.DecidedBy, Time(i.DecidedAt), i.Justification,
                Effective(i, campaign), r?.Outcome.ToString(), r?.Reason, r?.GraphRequestId, Time(r?.AppliedAt));
        }

        return sheet;
    }

    /// <summary>The HTML page for the campaign.</summary>
    public static string Render(AccessReviewOverview overview, IReadOnlyList<AccessReviewItem> items, IReadOnlyList<AccessReviewApplyResult> results, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(overview);
        AccessReviewCampaign c = overview.Campaign;
        Dictionary<long, AccessReviewApplyResult> byItem = results.ToDictionary(r => r.ItemId);
        HtmlPage page = HtmlPage.Begin($"Access review evidence {c.CampaignId}");
        page.Raw("<h1>");
        page.Text($"Access review evidence: {c.Name} ({c.CampaignId})");
        page.Raw("</h1>\n<h2 id=\"completion\">Completion</h2>\n<table>\n");
        page.Row("Status", c.Status.ToString());
        page.Row("Scope", c.Scope.Describe());
        page.Row("Start / due", $"{Time(c.StartDate)} / {Time(c.DueDate)}");
        page.Row("Default decision", c.DefaultDecision.ToString());
        page.Row("Items", $"{c.ItemCount} ({overview.Decided} decided, {overview.Pending} not decided)");
        page.Row("Items SHA-256", c.ItemsSha256);
        page.Row("Removal results SHA-256", AccessReviewCompletion.Digest(results));
        foreach (AccessRemovalOutcome outcome in Enum.GetValues<AccessRemovalOutcome>())
        {
            page.Row(outcome.ToString(), results.Count(r => r.Outcome == outcome).ToString(CultureInfo.InvariantCulture));
        }

        page.Row("Generated", Time(now));
        page.Raw("</table>\n<h2 id=\"decisions\">Decisions</h2>\n<table id=\"decision-table\">\n");
        page.HeaderRow("Item", "Principal", "Resource", "Access", "Recommendation", "Decision", "Decided by", "Effective");
        foreach (AccessReviewItem i in items)
        {
            page.Cells(i.ItemId.ToString(CultureInfo.InvariantCulture), Who(i), i.ResourceDisplayName, $"{i.AccessKind} ({i.Assignment})", i.Recommendation.ToString(),
                i.Decision.ToString(), i.DecidedBy, Effective(i, c));
        }

        page.Raw("</table>\n<h2 id=\"removals\">Removals</h2>\n<table id=\"removal-table\">\n");
        page.HeaderRow("Item", "Principal", "Resource", "Result", "Reason", "Graph request-id", "Applied at");
        Dictionary<long, AccessReviewItem> itemById = items.ToDictionary(i => i.ItemId);
        foreach (AccessReviewApplyResult r in results)
        {
            itemById.TryGetValue(r.ItemId, out AccessReviewItem? i);
            page.Cells(r.ItemId.ToString(CultureInfo.InvariantCulture), i is null ? null : Who(i), i?.ResourceDisplayName, r.Outcome.ToString(), r.Reason, r.GraphRequestId, Time(r.AppliedAt));
        }

        page.Raw("</table>\n<h2 id=\"overdue\">Overdue reviewers</h2>\n");
        List<AccessReviewerProgress> overdue = overview.Reviewers.Where(r => r.IsOverdue || (c.DueDate < now && r.Pending > 0)).ToList();
        if (overdue.Count == 0)
        {
            page.Raw("<p class=\"ok\">None: every reviewer decided their items by the due date, or it has not passed.</p>\n");
        }
        else
        {
            page.Raw("<table id=\"overdue-table\">\n");
            page.HeaderRow("Reviewer", "Assigned", "Decided", "Not decided");
            foreach (AccessReviewerProgress p in overdue)
            {
                page.Cells(p.Reviewer.DisplayName is { Length: > 0 } name ? $"{name} ({p.Reviewer.UserPrincipalName})" : p.Reviewer.UserPrincipalName,
                    p.Assigned.ToString(CultureInfo.InvariantCulture), p.Decided.ToString(CultureInfo.InvariantCulture), p.Pending.ToString(CultureInfo.InvariantCulture));
            }

            page.Raw("</table>\n");
        }

        page.End();
        return page.ToString();
    }

    private static string Who(AccessReviewItem i) => i.PrincipalDisplayName is { Length: > 0 } name ? $"{name} ({i.PrincipalName})" : i.PrincipalName;

    private static string Effective(AccessReviewItem i, AccessReviewCampaign c) =>
        AccessReviewCompletion.EffectiveDecision(i, c.DefaultDecision)?.ToString() ?? "None (kept, not reviewed)";

    private static string? Time(DateTimeOffset? time) => time is DateTimeOffset t ? HtmlPage.Time(t) : null;
}
