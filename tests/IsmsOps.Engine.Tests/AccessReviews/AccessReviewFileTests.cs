using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Tables;
using static IsmsOps.Engine.Tests.Snapshots.Tenant;

namespace IsmsOps.Engine.Tests.AccessReviews;

public sealed class AccessReviewFileTests : IDisposable
{
    private const string Hostile = "=HYPERLINK(\"http://evil.example\",\"x\"), \"<script>alert(1)</script>\"";
    private static readonly DateTime Start = new(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc);

    private readonly TempWorkspace _store = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("isms-arfile-").FullName;
    private DateTime _now = Start;

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private AccessReviewRegister Register => new(_store.Workspace.Store, _store.Workspace.Audit, () => _now);

    private AccessReviewFile Files => new(Register);

    // Olga and Oscar own the team (Ada, Bob); only Olga owns the role-assignable admins group, whose member Ada is privileged.
    private static DirectorySnapshot Team(string adaDisplayName = "u-ada")
    {
        SnapshotUser Member(string id) => User(id) with { Mail = id[2..] + "@contoso.com", SignInActivity = new SnapshotSignInActivity { LastSignInDateTime = new DateTimeOffset(Start).AddDays(-3) } };
        SnapshotGroup team = Group("g-team", "u-ada", "u-bob") with
        {
            Owners = [new DirectoryObjectRef("u-olga", DirectoryObjectKind.User), new DirectoryObjectRef("u-oscar", DirectoryObjectKind.User)],
        };
        SnapshotGroup admins = Group("g-admins", "u-ada") with
        {
            IsAssignableToRole = true,
            Owners = [new DirectoryObjectRef("u-olga", DirectoryObjectKind.User)],
        };
        return With([Member("u-ada") with { DisplayName = adaDisplayName }, Member("u-bob"), Member("u-olga"), Member("u-oscar")], [team, admins]);
    }

    private Task<AccessReviewCampaign> CreateAsync(string adaDisplayName = "u-ada") => Register.CreateAsync(new AccessReviewDefinition
    {
        Name = "Team review",
        Scope = new AccessReviewScope { GroupNames = ["g-*"] },
        Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.ResourceOwner },
        DueDate = new DateTimeOffset(Start).AddDays(7),
    }, DirectoryIndex.Build(Team(adaDisplayName)), null, RoleCatalog.Empty, TempWorkspace.Context, CancellationToken.None);

    private AccessReviewItem Item(AccessReviewCampaign campaign, string principal, string resource) =>
        Register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None)
            .Single(i => i.PrincipalId == principal && i.ResourceId == resource);

    private Task<IReadOnlyList<AccessReviewImportRow>> ImportAsync(AccessReviewCampaign campaign, string path, bool whatIf = false) =>
        Files.ImportAsync(campaign.CampaignId, path, whatIf, TempWorkspace.Context, CancellationToken.None);

    // What a reviewer does in a spreadsheet: change cells of the rows of each sheet, or add and remove rows.
    private static void Fill(string path, Action<string?, List<Dictionary<string, string?>>> edit)
    {
        var sheets = new List<TableSheet>();
        foreach (TableReadResult table in TableFile.Read(path))
        {
            List<Dictionary<string, string?>> rows = table.Rows.Select(r => new Dictionary<string, string?>(r.Cells, StringComparer.OrdinalIgnoreCase)).ToList();
            edit(table.SheetName, rows);
            var sheet = new TableSheet(table.SheetName ?? "Sheet", AccessReviewFile.Columns);
            rows.ForEach(sheet.Add);
            sheets.Add(sheet);
        }

        TableFile.Write(path, sheets);
    }

    private static Dictionary<string, string?> RowOf(List<Dictionary<string, string?>> rows, AccessReviewItem item) =>
        rows.Single(r => r["ItemId"] == item.ItemId.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task A_csv_round_trip_stores_the_filled_in_decisions_skips_blank_rows_and_a_second_import_changes_nothing()
    {
        AccessReviewCampaign campaign = await CreateAsync();
        AccessReviewItem adminAda = Item(campaign, "u-ada", "g-admins"), teamBob = Item(campaign, "u-bob", "g-team"), teamAda = Item(campaign, "u-ada", "g-team");
        string path = Path.Combine(_dir, "review.csv");

        AccessReviewExportResult exported = await Files.ExportAsync(campaign.CampaignId, path, null, CancellationToken.None);
        Assert.Equal(3, exported.Rows);
        Fill(path, (_, rows) =>
        {
            Assert.Equal("olga@contoso.com; oscar@contoso.com", RowOf(rows, teamBob)["Reviewer"]);
            RowOf(rows, adminAda)["Decision"] = "Deny";
            RowOf(rows, teamBob)["Decision"] = "approve";
            RowOf(rows, teamBob)["Reviewer"] = "oscar@contoso.com";
        });

        IReadOnlyList<AccessReviewImportRow> preview = await ImportAsync(campaign, path, whatIf: true);
        Assert.Equal(2, preview.Count(r => r.Outcome == AccessReviewImportOutcome.WouldDecide));
        Assert.True(Item(campaign, "u-ada", "g-admins").IsPending);

        IReadOnlyList<AccessReviewImportRow> rows = await ImportAsync(campaign, path);

        Assert.Equal(AccessReviewImportOutcome.Skipped, rows.Single(r => r.ItemId == teamAda.ItemId).Outcome);
        Assert.Equal(2, rows.Count(r => r.Outcome == AccessReviewImportOutcome.Decided));
        AccessReviewItem denied = Item(campaign, "u-ada", "g-admins"), approved = Item(campaign, "u-bob", "g-team");
        Assert.Equal((AccessReviewDecision.Deny, "u-olga"), (denied.Decision, denied.DecidedBy));
        Assert.Equal((AccessReviewDecision.Approve, "u-oscar"), (approved.Decision, approved.DecidedBy));
        Assert.True(Item(campaign, "u-ada", "g-team").IsPending);
        Assert.Equal(2, _store.Events().Count(e => e.Action == AccessReviewAuditActions.ItemDecided));

        IReadOnlyList<AccessReviewImportRow> again = await ImportAsync(campaign, path);
        Assert.Equal(2, again.Count(r => r.Outcome == AccessReviewImportOutcome.Unchanged));
        Assert.Equal(2, _store.Events().Count(e => e.Action == AccessReviewAuditActions.ItemDecided));
        Assert.Equal(2, Item(campaign, "u-bob", "g-team").Version);
    }

    [Fact]
    public async Task An_xlsx_export_has_one_sheet_per_reviewer_and_its_decisions_round_trip_with_the_justification_a_blank_reviewer_meaning_the_sheets()
    {
        AccessReviewCampaign campaign = await CreateAsync();
        AccessReviewItem adminAda = Item(campaign, "u-ada", "g-admins");
        string path = Path.Combine(_dir, "review.xlsx");

        await Files.ExportAsync(campaign.CampaignId, path, null, CancellationToken.None);
        IReadOnlyList<TableReadResult> sheets = TableFile.Read(path);
        Assert.Equal(["olga@contoso.com", "oscar@contoso.com"], sheets.Select(s => s.SheetName));
        Assert.Equal(3, sheets[0].Rows.Count);
        Assert.Equal(2, sheets[1].Rows.Count);
        Assert.All(sheets[1].Rows, r => Assert.Equal("oscar@contoso.com", r.Cells["Reviewer"]));

        Fill(path, (sheet, rows) =>
        {
            if (sheet == "olga@contoso.com")
            {
                RowOf(rows, adminAda)["Decision"] = "Approve";
                RowOf(rows, adminAda)["Justification"] = "On-call administrator until March";
                RowOf(rows, adminAda)["Reviewer"] = null;
            }
        });
        IReadOnlyList<AccessReviewImportRow> rows = await ImportAsync(campaign, path);

        AccessReviewImportRow decided = Assert.Single(rows, r => r.Outcome == AccessReviewImportOutcome.Decided);
        Assert.Equal(adminAda.ItemId, decided.ItemId);
        AccessReviewItem stored = Item(campaign, "u-ada", "g-admins");
        Assert.Equal((AccessReviewDecision.Approve, "On-call administrator until March", "u-olga"), (stored.Decision, stored.Justification, stored.DecidedBy));
    }

    [Fact]
    public async Task Unknown_rows_edited_read_only_columns_and_someone_elses_items_are_rejected_by_line_and_the_valid_row_is_still_stored()
    {
        AccessReviewCampaign campaign = await CreateAsync();
        AccessReviewItem adminAda = Item(campaign, "u-ada", "g-admins"), teamAda = Item(campaign, "u-ada", "g-team"), teamBob = Item(campaign, "u-bob", "g-team");
        string path = Path.Combine(_dir, "review.csv");
        await Files.ExportAsync(campaign.CampaignId, path, null, CancellationToken.None);
        Fill(path, (_, rows) =>
        {
            // Rows are in item order: line 2 is item 1, and so on; the added row is line 5.
            rows.Sort((a, b) => long.Parse(a["ItemId"]!, System.Globalization.CultureInfo.InvariantCulture).CompareTo(long.Parse(b["ItemId"]!, System.Globalization.CultureInfo.InvariantCulture)));
            RowOf(rows, adminAda)["Decision"] = "Deny";
            RowOf(rows, adminAda)["Reviewer"] = "oscar@contoso.com";
            RowOf(rows, teamAda)["Decision"] = "Deny";
            RowOf(rows, teamAda)["ResourceDisplayName"] = "Somewhere else";
            RowOf(rows, teamBob)["Decision"] = "Deny";
            RowOf(rows, teamBob)["Reviewer"] = "olga@contoso.com";
            var added = new Dictionary<string, string?>(RowOf(rows, teamBob), StringComparer.OrdinalIgnoreCase) { ["ItemId"] = "99" };
            rows.Add(added);
        });
        long Line(AccessReviewItem item) => item.ItemId + 1;

        IReadOnlyList<AccessReviewImportRow> rows = await ImportAsync(campaign, path);

        AccessReviewImportRow notTheirs = Assert.Single(rows, r => r.Line == Line(adminAda));
        Assert.Equal((AccessReviewImportOutcome.Rejected, "IsmsOps.AccessReview.NotYourItem"), (notTheirs.Outcome, notTheirs.ErrorId));
        Assert.StartsWith($"{path}:{Line(adminAda)}: oscar@contoso.com is not a reviewer of item {adminAda.ItemId}", notTheirs.Message, StringComparison.Ordinal);
        AccessReviewImportRow edited = Assert.Single(rows, r => r.Line == Line(teamAda));
        Assert.Equal("IsmsOps.Table.ReadOnlyEdited", edited.ErrorId);
        Assert.Contains($"{path}:{Line(teamAda)}: column ResourceDisplayName", edited.Message, StringComparison.Ordinal);
        AccessReviewImportRow unknown = Assert.Single(rows, r => r.Line == 5);
        Assert.Equal("IsmsOps.Table.UnknownRow", unknown.ErrorId);
        Assert.Equal(AccessReviewImportOutcome.Decided, Assert.Single(rows, r => r.Line == Line(teamBob)).Outcome);

        Assert.True(Item(campaign, "u-ada", "g-admins").IsPending);
        Assert.True(Item(campaign, "u-ada", "g-team").IsPending);
        Assert.Equal(AccessReviewDecision.Deny, Item(campaign, "u-bob", "g-team").Decision);
    }

    [Fact]
    public async Task A_reviewers_sheet_cannot_decide_another_reviewers_items_even_when_the_rows_are_copied_into_it()
    {
        AccessReviewCampaign campaign = await CreateAsync();
        AccessReviewItem adminAda = Item(campaign, "u-ada", "g-admins"), teamBob = Item(campaign, "u-bob", "g-team");
        string path = Path.Combine(_dir, "review.xlsx");
        await Files.ExportAsync(campaign.CampaignId, path, null, CancellationToken.None);
        Dictionary<string, string?>? olgasAdminRow = null;
        Fill(path, (sheet, rows) =>
        {
            if (sheet == "olga@contoso.com")
            {
                olgasAdminRow = new Dictionary<string, string?>(RowOf(rows, adminAda), StringComparer.OrdinalIgnoreCase);
                rows.Clear();
            }
            else
            {
                // Oscar pastes Olga's item into his sheet as himself, and decides a shared item in Olga's name.
                rows.Add(new Dictionary<string, string?>(olgasAdminRow!, StringComparer.OrdinalIgnoreCase) { ["Reviewer"] = "oscar@contoso.com", ["Decision"] = "Deny" });
                RowOf(rows, teamBob)["Reviewer"] = "olga@contoso.com";
                RowOf(rows, teamBob)["Decision"] = "Deny";
            }
        });

        IReadOnlyList<AccessReviewImportRow> rows = await ImportAsync(campaign, path);

        Assert.Equal(2, rows.Count(r => r.Outcome == AccessReviewImportOutcome.Rejected));
        AccessReviewImportRow pasted = Assert.Single(rows, r => r.ItemId == adminAda.ItemId);
        Assert.Equal("IsmsOps.AccessReview.NotYourItem", pasted.ErrorId);
        Assert.Equal(4, pasted.Line);
        Assert.StartsWith($"{path}:oscar@contoso.com:4:", pasted.Message, StringComparison.Ordinal);
        Assert.Equal("IsmsOps.AccessReview.NotYourSheet", Assert.Single(rows, r => r.ItemId == teamBob.ItemId && r.Outcome == AccessReviewImportOutcome.Rejected).ErrorId);
        Assert.All(Register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None), i => Assert.True(i.IsPending));
        Assert.DoesNotContain(_store.Events(), e => e.Action == AccessReviewAuditActions.ItemDecided);
    }

    [Fact]
    public async Task Decision_rules_apply_to_a_file_a_privileged_approval_without_justification_and_a_late_file_are_refused_on_their_row_and_audited()
    {
        AccessReviewCampaign campaign = await CreateAsync();
        AccessReviewItem adminAda = Item(campaign, "u-ada", "g-admins");
        string path = Path.Combine(_dir, "olga.csv");
        await Files.ExportAsync(campaign.CampaignId, path, "olga@contoso.com", CancellationToken.None);
        Fill(path, (_, rows) => RowOf(rows, adminAda)["Decision"] = "Approve");

        AccessReviewImportRow refused = Assert.Single(await ImportAsync(campaign, path), r => r.ItemId == adminAda.ItemId);
        Assert.Equal("IsmsOps.AccessReview.JustificationRequired", refused.ErrorId);
        Assert.StartsWith($"{path}:", refused.Message, StringComparison.Ordinal);

        Fill(path, (_, rows) => RowOf(rows, adminAda)["Justification"] = "Still the on-call administrator");
        _now = Start.AddDays(8);
        Assert.Equal("IsmsOps.AccessReview.PastDue", Assert.Single(await ImportAsync(campaign, path), r => r.ItemId == adminAda.ItemId).ErrorId);
        Assert.True(Item(campaign, "u-ada", "g-admins").IsPending);
        Assert.Equal(2, _store.Events().Count(e => e.Action == AccessReviewAuditActions.DecisionRefused));
    }

    [Fact]
    public async Task A_hostile_display_name_is_exported_as_inert_text_and_an_unchanged_row_with_it_imports_cleanly()
    {
        AccessReviewCampaign campaign = await CreateAsync(Hostile);
        AccessReviewItem teamAda = Item(campaign, "u-ada", "g-team");
        foreach (string name in new[] { "hostile.csv", "hostile.xlsx" })
        {
            string path = Path.Combine(_dir, name);
            await Files.ExportAsync(campaign.CampaignId, path, "oscar@contoso.com", CancellationToken.None);
            if (name.EndsWith(".csv", StringComparison.Ordinal))
            {
                Assert.Contains("\"'=HYPERLINK(", File.ReadAllText(path), StringComparison.Ordinal);
            }

            Assert.Contains(TableFile.Read(path)[0].Rows, r => r.Cells["PrincipalDisplayName"] == Hostile);
            Fill(path, (_, rows) => RowOf(rows, teamAda)["Decision"] = name.EndsWith(".csv", StringComparison.Ordinal) ? "DontKnow" : "Deny");

            IReadOnlyList<AccessReviewImportRow> rows = await ImportAsync(campaign, path);

            Assert.DoesNotContain(rows, r => r.Outcome == AccessReviewImportOutcome.Rejected);
            Assert.Equal(AccessReviewImportOutcome.Decided, Assert.Single(rows, r => r.ItemId == teamAda.ItemId).Outcome);
        }

        Assert.Equal(AccessReviewDecision.Deny, Item(campaign, "u-ada", "g-team").Decision);
    }

    [Fact]
    public async Task A_worksheet_that_is_no_reviewers_is_refused_whole_and_decides_nothing()
    {
        AccessReviewCampaign campaign = await CreateAsync();
        string path = Path.Combine(_dir, "review.xlsx");
        await Files.ExportAsync(campaign.CampaignId, path, "oscar@contoso.com", CancellationToken.None);
        TableReadResult oscars = Assert.Single(TableFile.Read(path));
        var renamed = new TableSheet("mallory@contoso.com", AccessReviewFile.Columns);
        foreach (TableRow row in oscars.Rows)
        {
            renamed.Add(new Dictionary<string, string?>(row.Cells, StringComparer.OrdinalIgnoreCase) { ["Reviewer"] = "oscar@contoso.com", ["Decision"] = "Deny" });
        }

        TableFile.Write(path, [renamed]);

        AccessReviewImportRow refused = Assert.Single(await ImportAsync(campaign, path));

        Assert.Equal(("IsmsOps.AccessReview.UnknownSheet", 1L), (refused.ErrorId, refused.Line));
        Assert.Contains("'mallory@contoso.com'", refused.Message, StringComparison.Ordinal);
        Assert.All(Register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None), i => Assert.True(i.IsPending));
    }
}
