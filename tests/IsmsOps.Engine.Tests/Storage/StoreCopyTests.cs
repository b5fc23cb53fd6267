using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Tests.Storage;

/// <summary>Copy-IsmsStore's engine: SQLite to PostgreSQL and back, the trail verified, a non-empty destination refused without -Force.</summary>
public sealed class StoreCopyTests : IDisposable
{
    private readonly TempWorkspace _embedded = new(TempWorkspace.Embedded);

    public void Dispose() => _embedded.Dispose();

    // Two people, a protected value, audit events, and an access review campaign (compact item layout) with one decision.
    private async Task<string> FillAsync(TempWorkspace home)
    {
        await home.AddPersonAsync("E1", "Ada");
        await home.AddPersonAsync("E2", "Grace");
        await using (IStoreWriteTransaction transaction = await home.Workspace.Store.BeginWriteAsync(CancellationToken.None))
        {
            await home.Workspace.PersonalData.ProtectAsync(transaction, "E1", "HomeAddress", "1 Analytical Row", CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }

        await home.AppendEventsAsync(5);
        AccessReviewCampaign campaign = await StoreCampaigns.CreateAsync(home.Workspace);
        AccessReviewItem admin = StoreCampaigns.Items(home.Workspace.Store, campaign.CampaignId).Single(i => i.ResourceId == "g-admins");
        Assert.True(await StoreCampaigns.DecideAsync(home.Workspace.Store, admin, AccessReviewDecision.Deny, "u-olga"));
        return campaign.CampaignId;
    }

    [Fact]
    public async Task A_store_copied_to_PostgreSQL_and_back_keeps_every_record_and_a_trail_that_verifies_and_takes_new_events()
    {
        string campaignId = await FillAsync(_embedded);
        List<AccessReviewItem> items = StoreCampaigns.Items(_embedded.Workspace.Store, campaignId);
        string shared = PostgresCluster.Shared.CreateDatabase();
        List<AuditEvent> original = _embedded.Events();

        StoreCopyResult there;
        using (IIsmsStore target = StoreCopy.Open(shared))
        {
            there = await StoreCopy.CopyAsync(_embedded.Workspace.Store, target, force: false, CancellationToken.None);
        }

        Assert.True(there.Verification.IsValid, there.Verification.Message);
        Assert.Equal(original.Count, there.AuditEventCount);
        Assert.Equal(2, there.Rows["person"]);
        Assert.Equal(1, there.Rows["personal_data_value"]);
        Assert.Equal(items.Count, there.Rows["access_review_entry"]);
        string secondId;
        List<AccessReviewItem> second;

        // A host on the shared store with the same keys reads everything and keeps appending to the same chain.
        using (IsmsWorkspace host = IsmsWorkspace.Open(_embedded.Location with { Store = shared }))
        {
            Assert.Equal(["E1", "E2"], (await host.People.FindAsync(new PersonQuery(), CancellationToken.None)).Select(p => p.PersonId));
            Assert.Equal("1 Analytical Row", (await host.PersonalData.UnprotectAsync("E1", CancellationToken.None))["HomeAddress"]);
            await host.People.CreateAsync(new Person { PersonId = "E3", DisplayName = "Katherine" }, TempWorkspace.Context, CancellationToken.None);

            // The copied campaign reads as it did on SQLite (its decision included) and takes another decision there;
            // a campaign created on PostgreSQL gets a number of its own after the copied ones.
            Assert.Equal(items.Select(StoreCampaigns.Canonical), StoreCampaigns.Items(host.Store, campaignId).Select(StoreCampaigns.Canonical));
            Assert.Equal(1, await host.Store.CountDecidedAccessReviewItemsAsync(campaignId, CancellationToken.None));
            AccessReviewItem ada = items.First(i => i.ResourceId == "g-team");
            Assert.True(await StoreCampaigns.DecideAsync(host.Store, ada, AccessReviewDecision.Approve, "u-oscar"));
            secondId = (await StoreCampaigns.CreateAsync(host, "Second review")).CampaignId;
            second = StoreCampaigns.Items(host.Store, secondId);
            Assert.Equal(items.Select(i => StoreCampaigns.Canonical(i with { Decision = AccessReviewDecision.NotReviewed, DecidedBy = null, DecidedAt = null, Justification = null, Version = 1 })),
                second.Select(StoreCampaigns.Canonical));
            Assert.True((await host.Audit.VerifyAsync([], CancellationToken.None)).IsValid);
        }

        string back = Path.Combine(_embedded.Home, "back", "isms.db");
        using (IIsmsStore from = StoreCopy.Open(shared))
        using (IIsmsStore to = StoreCopy.Open(back))
        {
            List<AccessReviewItem> decidedThere = StoreCampaigns.Items(from, campaignId);
            long eventsThere = from.ReadAuditEvents(AuditEventQuery.All, CancellationToken.None).LongCount();
            StoreCopyResult result = await StoreCopy.CopyAsync(from, to, force: false, CancellationToken.None);
            Assert.True(result.Verification.IsValid, result.Verification.Message);
            Assert.Equal(eventsThere, result.AuditEventCount);

            // Both campaigns, the one SQLite wrote and the one PostgreSQL wrote, read back on SQLite as they read there.
            Assert.Equal(decidedThere.Select(StoreCampaigns.Canonical), StoreCampaigns.Items(to, campaignId).Select(StoreCampaigns.Canonical));
            Assert.Equal(2, await to.CountDecidedAccessReviewItemsAsync(campaignId, CancellationToken.None));
            Assert.Equal(second.Select(StoreCampaigns.Canonical), StoreCampaigns.Items(to, secondId).Select(StoreCampaigns.Canonical));
            Assert.Equal(second.Where(i => i.ReviewerIds.Contains("u-oscar")).Select(i => i.ItemId),
                StoreCampaigns.Items(to, secondId, reviewerId: "u-oscar").Select(i => i.ItemId));
            Assert.True(await StoreCampaigns.DecideAsync(to, second[0], AccessReviewDecision.Deny, "u-olga"));
            Assert.Equal(1, await to.CountDecidedAccessReviewItemsAsync(secondId, CancellationToken.None));
            Assert.Equal(3, result.Rows["person"]);
            List<AuditEvent> copied = to.ReadAuditEvents(AuditEventQuery.All, CancellationToken.None).ToList();
            Assert.Equal(original.Select(e => e.Hash), copied.Take(original.Count).Select(e => e.Hash));
        }
    }

    [Fact]
    public async Task A_campaign_in_the_wide_item_layout_of_before_migration_12_copied_to_PostgreSQL_reads_filters_takes_a_decision_and_reports_progress()
    {
        string campaignId = await FillAsync(_embedded);
        List<AccessReviewItem> items = StoreCampaigns.Items(_embedded.Workspace.Store, campaignId);

        // Move the campaign into the wide rows every campaign had before migration 12 (one row per item, one assignment
        // row per reviewer and item), as a store that was created before it and copied holds them.
        _embedded.Sql("""
            INSERT INTO access_review_item (campaign_id, item_id, principal_id, principal_name, principal_display_name, is_guest, person_id, resource_id,
                resource_name, resource_kind, access_kind, assignment, inherited_from_id, inherited_from_name, since, last_sign_in, recommendation, reasons,
                recommendation_note, reviewer_ids, by_fallback, privileged, removal_step_kind, assignment_id, removal_detail, removal, removal_note, decision,
                justification, decided_by, decided_at, version)
            SELECT k.campaign_id, e.entry_key & 4294967295, p.object_id, p.name, p.display_name, p.is_guest, p.person_id, r.object_id, r.name, s.resource_kind,
                   s.access_kind, s.assignment, h.object_id, h.name, e.since, p.last_sign_in, s.recommendation, s.reasons, n.value, v.value,
                   s.by_fallback, s.privileged, s.removal_step_kind, e.assignment_id, d.value, s.removal, m.value, coalesce(e.decision, 'NotReviewed'), e.justification,
                   e.decided_by, e.decided_at, e.version
            FROM access_review_entry e
            JOIN access_review_campaign_no k ON k.campaign_no = e.entry_key >> 32
            JOIN access_review_party p ON p.campaign_no = k.campaign_no AND p.party_no = e.principal_no
            JOIN access_review_party r ON r.campaign_no = k.campaign_no AND r.party_no = e.resource_no
            LEFT JOIN access_review_party h ON h.campaign_no = k.campaign_no AND h.party_no = e.inherited_no
            JOIN access_review_shape s ON s.campaign_no = k.campaign_no AND s.shape_no = e.shape_no
            JOIN access_review_text v ON v.campaign_no = k.campaign_no AND v.text_no = e.reviewers_no
            LEFT JOIN access_review_text n ON n.campaign_no = k.campaign_no AND n.text_no = e.note_no
            LEFT JOIN access_review_text d ON d.campaign_no = k.campaign_no AND d.text_no = e.detail_no
            LEFT JOIN access_review_text m ON m.campaign_no = k.campaign_no AND m.text_no = e.removal_note_no;
            INSERT INTO access_review_assignment (campaign_id, reviewer_id, item_id)
            SELECT k.campaign_id, s.reviewer_id, l.item_id FROM access_review_list_item l
            JOIN access_review_reviewer_set s ON s.campaign_no = l.campaign_no AND s.set_no = l.reviewers_no
            JOIN access_review_campaign_no k ON k.campaign_no = l.campaign_no;
            DELETE FROM access_review_entry; DELETE FROM access_review_party; DELETE FROM access_review_shape; DELETE FROM access_review_text;
            DELETE FROM access_review_reviewer_set; DELETE FROM access_review_list_item; DELETE FROM access_review_campaign_no;
            """);
        Assert.Equal(items.Select(StoreCampaigns.Canonical), StoreCampaigns.Items(_embedded.Workspace.Store, campaignId).Select(StoreCampaigns.Canonical));

        string shared = PostgresCluster.Shared.CreateDatabase();
        using IIsmsStore target = StoreCopy.Open(shared);
        StoreCopyResult copy = await StoreCopy.CopyAsync(_embedded.Workspace.Store, target, force: false, CancellationToken.None);
        Assert.Equal(items.Count, copy.Rows["access_review_item"]);
        Assert.Equal(0, copy.Rows["access_review_entry"]);

        Assert.Equal(items.Select(StoreCampaigns.Canonical), StoreCampaigns.Items(target, campaignId).Select(StoreCampaigns.Canonical));
        Assert.Equal(items.Where(i => i.ReviewerIds.Contains("u-oscar")).Select(i => i.ItemId),
            StoreCampaigns.Items(target, campaignId, reviewerId: "u-oscar").Select(i => i.ItemId));
        AccessReviewItem pending = items.First(i => i.ResourceId == "g-team");
        Assert.True(await StoreCampaigns.DecideAsync(target, pending, AccessReviewDecision.Approve, "u-oscar"));
        Assert.False(await StoreCampaigns.DecideAsync(target, pending, AccessReviewDecision.Deny, "u-oscar"));
        Assert.Equal(2, await target.CountDecidedAccessReviewItemsAsync(campaignId, CancellationToken.None));
        Assert.Equal(items.Count - 2, StoreCampaigns.Items(target, campaignId, pendingOnly: true).Count);
        var progress = (await target.GetAccessReviewProgressAsync(campaignId, CancellationToken.None)).ToDictionary(p => p.ReviewerId, p => (p.Assigned, p.Decided));
        Assert.Equal((items.Count(i => i.ReviewerIds.Contains("u-oscar")), 1L), progress["u-oscar"]);
        Assert.Equal((items.Count(i => i.ReviewerIds.Contains("u-olga")), 2L), progress["u-olga"]);
    }

    [Fact]
    public async Task A_destination_that_is_not_empty_is_refused_without_Force_and_left_as_it_was_and_replaced_with_it()
    {
        await FillAsync(_embedded);
        string shared = PostgresCluster.Shared.CreateDatabase();
        using (var other = new TempWorkspace(shared))
        {
            await other.AddPersonAsync("X9", "Someone else");
        }

        using IIsmsStore target = StoreCopy.Open(shared);
        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => StoreCopy.CopyAsync(_embedded.Workspace.Store, target, force: false, CancellationToken.None));

        Assert.Equal("IsmsOps.Store.CopyTargetNotEmpty", error.ErrorId);
        Assert.Contains("-Force", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(["X9"], (await target.FindPeopleAsync(new PersonQuery(), CancellationToken.None)).Select(p => p.PersonId));

        StoreCopyResult replaced = await StoreCopy.CopyAsync(_embedded.Workspace.Store, target, force: true, CancellationToken.None);
        Assert.True(replaced.Verification.IsValid, replaced.Verification.Message);
        Assert.Equal(["E1", "E2"], (await target.FindPeopleAsync(new PersonQuery(), CancellationToken.None)).Select(p => p.PersonId));
    }

    [Fact]
    public void The_copy_covers_every_table_of_the_schema()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_embedded.Location.DatabasePath};Pooling=false");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;";
        using var reader = command.ExecuteReader();
        var tables = new List<string>();
        while (reader.Read())
        {
            tables.Add(reader.GetString(0));
        }

        Assert.Equal(tables, StoreCopy.Tables.Order());
    }
}
