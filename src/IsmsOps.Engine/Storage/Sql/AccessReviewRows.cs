using System.Text.Json;
using System.Text.Json.Serialization;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using System.Data.Common;

namespace IsmsOps.Engine.Storage.Sql;

/// <summary>
/// Reads and writes access review campaigns (one JSON document each), their reviewers, and their items (one row each,
/// inserted in bulk through one prepared command per table, in the caller's transaction).
/// </summary>
internal static class AccessReviewRows
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    private const string ItemColumns =
        "campaign_id, item_id, principal_id, principal_name, principal_display_name, is_guest, person_id, resource_id, resource_name, resource_kind, "
        + "access_kind, assignment, inherited_from_id, inherited_from_name, since, last_sign_in, recommendation, reasons, recommendation_note, reviewer_ids, "
        + "by_fallback, privileged, removal_step_kind, assignment_id, removal_detail, removal, removal_note, decision, justification, decided_by, decided_at, version";

    public static AccessReviewCampaign? GetCampaign(DbConnection connection, DbTransaction? transaction, string campaignId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, "SELECT body FROM access_review_campaign WHERE campaign_id = @id;");
        command.Parameters.AddWithValue("@id", campaignId);
        using DbDataReader r = command.ExecuteReader();
        return r.Read() ? JsonSerializer.Deserialize<AccessReviewCampaign>(r.GetString(0), Json) : null;
    }

    public static IReadOnlyList<AccessReviewCampaign> FindCampaigns(DbConnection connection, AccessReviewCampaignQuery query)
    {
        using DbCommand command = StoreSql.Command(connection, null, string.Empty);
        List<string> where = StoreSql.PersonAndStatusFilter(command, null, query.Statuses.Select(s => s.ToString()));
        command.CommandText = "SELECT body FROM access_review_campaign" + StoreSql.WhereClause(where) + " ORDER BY created_at DESC, campaign_id;";
        var patterns = new NamePatternSet(query.IdOrNamePatterns);
        var campaigns = new List<AccessReviewCampaign>();
        using DbDataReader r = command.ExecuteReader();
        while (r.Read())
        {
            AccessReviewCampaign campaign = JsonSerializer.Deserialize<AccessReviewCampaign>(r.GetString(0), Json)!;
            if (patterns.Matches(campaign.CampaignId) || patterns.Matches(campaign.Name))
            {
                campaigns.Add(campaign);
            }
        }

        return campaigns;
    }

    public static void InsertCampaign(DbConnection connection, DbTransaction transaction, AccessReviewCampaign campaign)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "INSERT INTO access_review_campaign (campaign_id, name, status, due_date, body, version, created_at, predecessor_id) VALUES (@id, @name, @status, @due, @body, @version, @created, @predecessor);");
        BindCampaign(command, campaign);
        command.Parameters.AddWithValue("@predecessor", StoreSql.Db(campaign.PredecessorId));
        command.ExecuteNonQuery();
    }

    /// <summary>The campaign that recurs from <paramref name="predecessorId"/>, or null.</summary>
    public static AccessReviewCampaign? GetSuccessor(DbConnection connection, DbTransaction? transaction, string predecessorId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, "SELECT body FROM access_review_campaign WHERE predecessor_id = @id;");
        command.Parameters.AddWithValue("@id", predecessorId);
        using DbDataReader r = command.ExecuteReader();
        return r.Read() ? JsonSerializer.Deserialize<AccessReviewCampaign>(r.GetString(0), Json) : null;
    }

    /// <summary>
    /// Inserts a campaign's reviewers and items. Each table gets one command, prepared once and re-bound per row: at a
    /// million items that is the difference between seconds and minutes.
    /// </summary>
    public static void InsertReviewersAndItems(DbConnection connection, DbTransaction transaction, string campaignId,
        IReadOnlyList<AccessReviewer> reviewers, IEnumerable<AccessReviewItem> items, CancellationToken cancellationToken)
    {
        using (DbCommand command = StoreSql.Command(connection, transaction,
            "INSERT INTO access_review_reviewer (campaign_id, reviewer_id, user_principal_name, display_name, mail, is_fallback) VALUES (@c, @id, @upn, @name, @mail, @fallback);"))
        {
            DbParameter[] p = Parameters(command, "@c", "@id", "@upn", "@name", "@mail", "@fallback");
            StoreSql.Prepare(command);
            foreach (AccessReviewer reviewer in reviewers)
            {
                p[0].Value = campaignId;
                p[1].Value = reviewer.ReviewerId;
                p[2].Value = reviewer.UserPrincipalName;
                p[3].Value = StoreSql.Db(reviewer.DisplayName);
                p[4].Value = StoreSql.Db(reviewer.Mail);
                p[5].Value = reviewer.IsFallback ? 1 : 0;
                command.ExecuteNonQuery();
            }
        }

        // A bigger page cache while a campaign's rows and indexes grow (64 MB); pooled connections get the default back.
        bool sqlite = connection is Microsoft.Data.Sqlite.SqliteConnection;
        if (sqlite)
        {
            StoreSql.Execute(connection, "PRAGMA cache_size=-65536;", transaction);
        }

        try
        {
            InsertItems(connection, transaction, campaignId, items, cancellationToken);
        }
        finally
        {
            try
            {
                if (sqlite)
                {
                    StoreSql.Execute(connection, "PRAGMA cache_size=-2000;", transaction);
                }
            }
            catch (DbException)
            {
                // The insert's own failure is the one to report; a broken connection leaves the pool anyway.
            }
        }
    }

    private static void InsertItems(DbConnection connection, DbTransaction transaction, string campaignId, IEnumerable<AccessReviewItem> items,
        CancellationToken cancellationToken)
    {
        string[] names = ItemColumns.Split(", ").Select(c => "@" + c).ToArray();
        using DbCommand insert = StoreSql.Command(connection, transaction,
            $"INSERT INTO access_review_item ({ItemColumns}) VALUES ({string.Join(", ", names)});");
        DbParameter[] ip = Parameters(insert, names);
        StoreSql.Prepare(insert);
        using DbCommand assign = StoreSql.Command(connection, transaction,
            "INSERT INTO access_review_assignment (campaign_id, reviewer_id, item_id) VALUES (@c, @r, @i) ON CONFLICT DO NOTHING;");
        DbParameter[] ap = Parameters(assign, "@c", "@r", "@i");
        StoreSql.Prepare(assign);
        ap[0].Value = campaignId;
        long n = 0;
        foreach (AccessReviewItem item in items)
        {
            if ((++n & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            BindItem(ip, item);
            insert.ExecuteNonQuery();
            ap[2].Value = item.ItemId;
            foreach (string reviewer in item.ReviewerIds)
            {
                ap[1].Value = reviewer;
                assign.ExecuteNonQuery();
            }
        }
    }

    public static IReadOnlyList<AccessReviewer> Reviewers(DbConnection connection, DbTransaction? transaction, string campaignId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "SELECT reviewer_id, user_principal_name, display_name, mail, is_fallback FROM access_review_reviewer WHERE campaign_id = @c ORDER BY user_principal_name;");
        command.Parameters.AddWithValue("@c", campaignId);
        using DbDataReader r = command.ExecuteReader();
        var reviewers = new List<AccessReviewer>();
        while (r.Read())
        {
            reviewers.Add(new AccessReviewer
            {
                ReviewerId = r.GetString(0),
                UserPrincipalName = r.GetString(1),
                DisplayName = r.IsDBNull(2) ? null : r.GetString(2),
                Mail = r.IsDBNull(3) ? null : r.GetString(3),
                IsFallback = r.GetInt64(4) == 1,
            });
        }

        return reviewers;
    }

    /// <summary>Per reviewer: items assigned, and how many of them are decided.</summary>
    public static IReadOnlyList<(string ReviewerId, long Assigned, long Decided)> Progress(DbConnection connection, string campaignId)
    {
        using DbCommand command = StoreSql.Command(connection, null,
            """
            SELECT a.reviewer_id, count(*), sum(CASE WHEN i.decision <> 'NotReviewed' THEN 1 ELSE 0 END)
            FROM access_review_assignment a JOIN access_review_item i ON i.campaign_id = a.campaign_id AND i.item_id = a.item_id
            WHERE a.campaign_id = @c GROUP BY a.reviewer_id;
            """);
        command.Parameters.AddWithValue("@c", campaignId);
        using DbDataReader r = command.ExecuteReader();
        var rows = new List<(string, long, long)>();
        while (r.Read())
        {
            rows.Add((r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
        }

        return rows;
    }

    /// <summary>Streams the items matching <paramref name="query"/> in item order; the caller owns the connection.</summary>
    public static IEnumerable<AccessReviewItem> FindItems(DbConnection connection, DbTransaction? transaction, AccessReviewItemQuery query)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, string.Empty);
        var where = new List<string> { "i.campaign_id = " + StoreSql.Bind(command, "@c", query.CampaignId) };
        string from = "access_review_item i";
        if (query.ReviewerId is string reviewer)
        {
            from = "access_review_assignment a JOIN access_review_item i ON i.campaign_id = a.campaign_id AND i.item_id = a.item_id";
            where.Add("a.campaign_id = @c AND a.reviewer_id = " + StoreSql.Bind(command, "@r", reviewer));
        }

        if (query.PendingOnly)
        {
            where.Add("i.decision = 'NotReviewed'");
        }

        if (query.ItemIds.Count > 0)
        {
            where.Add("i.item_id IN (" + string.Join(",", query.ItemIds.Select((id, k) => StoreSql.Bind(command, "@i" + k, id))) + ")");
        }

        string columns = string.Join(", ", ItemColumns.Split(", ").Select(c => "i." + c));
        command.CommandText = $"SELECT {columns} FROM {from}{StoreSql.WhereClause(where)} ORDER BY i.item_id;";
        using DbDataReader r = command.ExecuteReader();
        while (r.Read())
        {
            yield return ReadItem(r);
        }
    }

    /// <summary>Stores the item's decision columns if its stored version is <paramref name="expectedVersion"/>; false otherwise.</summary>
    public static bool UpdateDecision(DbConnection connection, DbTransaction transaction, AccessReviewItem item, long expectedVersion)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            """
            UPDATE access_review_item SET decision = @decision, justification = @justification, decided_by = @by, decided_at = @at, version = @version
            WHERE campaign_id = @c AND item_id = @i AND version = @expected;
            """);
        command.Parameters.AddWithValue("@decision", item.Decision.ToString());
        command.Parameters.AddWithValue("@justification", StoreSql.Db(item.Justification));
        command.Parameters.AddWithValue("@by", StoreSql.Db(item.DecidedBy));
        command.Parameters.AddWithValue("@at", item.DecidedAt is DateTimeOffset at ? AuditEvent.FormatTime(at.UtcDateTime) : DBNull.Value);
        command.Parameters.AddWithValue("@version", item.Version);
        command.Parameters.AddWithValue("@c", item.CampaignId);
        command.Parameters.AddWithValue("@i", item.ItemId);
        command.Parameters.AddWithValue("@expected", expectedVersion);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Stores the campaign document if its stored version is <paramref name="expectedVersion"/>; false otherwise.</summary>
    public static bool UpdateCampaign(DbConnection connection, DbTransaction transaction, AccessReviewCampaign campaign, long expectedVersion)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "UPDATE access_review_campaign SET name = @name, status = @status, due_date = @due, body = @body, version = @version, created_at = @created WHERE campaign_id = @id AND version = @expected;");
        BindCampaign(command, campaign);
        command.Parameters.AddWithValue("@expected", expectedVersion);
        return command.ExecuteNonQuery() == 1;
    }

    /// <summary>Inserts or replaces apply results, one prepared command re-bound per row.</summary>
    public static void SaveResults(DbConnection connection, DbTransaction transaction, IEnumerable<AccessReviewApplyResult> results)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "INSERT INTO access_review_result (campaign_id, item_id, outcome, reason, request_id, applied_at) VALUES (@c, @i, @o, @r, @q, @at) ON CONFLICT (campaign_id, item_id) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason, request_id = excluded.request_id, applied_at = excluded.applied_at;");
        DbParameter[] p = Parameters(command, "@c", "@i", "@o", "@r", "@q", "@at");
        StoreSql.Prepare(command);
        foreach (AccessReviewApplyResult result in results)
        {
            p[0].Value = result.CampaignId;
            p[1].Value = result.ItemId;
            p[2].Value = result.Outcome.ToString();
            p[3].Value = StoreSql.Db(result.Reason);
            p[4].Value = StoreSql.Db(result.GraphRequestId);
            p[5].Value = AuditEvent.FormatTime(result.AppliedAt.UtcDateTime);
            command.ExecuteNonQuery();
        }
    }

    /// <summary>The stored apply results of a campaign, in item order.</summary>
    public static IReadOnlyList<AccessReviewApplyResult> Results(DbConnection connection, DbTransaction? transaction, string campaignId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "SELECT campaign_id, item_id, outcome, reason, request_id, applied_at FROM access_review_result WHERE campaign_id = @c ORDER BY item_id;");
        command.Parameters.AddWithValue("@c", campaignId);
        var results = new List<AccessReviewApplyResult>();
        using DbDataReader r = command.ExecuteReader();
        while (r.Read())
        {
            results.Add(new AccessReviewApplyResult
            {
                CampaignId = r.GetString(0),
                ItemId = r.GetInt64(1),
                Outcome = Enum<AccessRemovalOutcome>(r, 2),
                Reason = Text(r, 3),
                GraphRequestId = Text(r, 4),
                AppliedAt = ReadTime(r, 5)!.Value,
            });
        }

        return results;
    }

    private static void BindCampaign(DbCommand command, AccessReviewCampaign c)
    {
        command.Parameters.AddWithValue("@id", c.CampaignId);
        command.Parameters.AddWithValue("@name", c.Name);
        command.Parameters.AddWithValue("@status", c.Status.ToString());
        command.Parameters.AddWithValue("@due", AuditEvent.FormatTime(c.DueDate.UtcDateTime));
        command.Parameters.AddWithValue("@body", JsonSerializer.Serialize(c, Json));
        command.Parameters.AddWithValue("@version", c.Version);
        command.Parameters.AddWithValue("@created", AuditEvent.FormatTime(c.CreatedAt.UtcDateTime));
    }

    private static DbParameter[] Parameters(DbCommand command, params string[] names) =>
        names.Select(name => StoreSql.AddParameter(command, name)).ToArray();

    private static void BindItem(DbParameter[] p, AccessReviewItem i)
    {
        p[0].Value = i.CampaignId;
        p[1].Value = i.ItemId;
        p[2].Value = i.PrincipalId;
        p[3].Value = i.PrincipalName;
        p[4].Value = StoreSql.Db(i.PrincipalDisplayName);
        p[5].Value = i.IsGuest ? 1 : 0;
        p[6].Value = StoreSql.Db(i.PersonId);
        p[7].Value = i.ResourceId;
        p[8].Value = i.ResourceDisplayName;
        p[9].Value = i.ResourceKind.ToString();
        p[10].Value = i.AccessKind.ToString();
        p[11].Value = i.Assignment.ToString();
        p[12].Value = StoreSql.Db(i.InheritedFromGroupId);
        p[13].Value = StoreSql.Db(i.InheritedFromGroupName);
        p[14].Value = Time(i.Since);
        p[15].Value = Time(i.LastSignIn);
        p[16].Value = i.Recommendation.ToString();
        p[17].Value = string.Join(",", i.Reasons);
        p[18].Value = StoreSql.Db(i.RecommendationNote);
        p[19].Value = string.Join(",", i.ReviewerIds);
        p[20].Value = i.ReviewedByFallback ? 1 : 0;
        p[21].Value = i.Privileged ? 1 : 0;
        p[22].Value = i.RemovalStepKind.ToString();
        p[23].Value = StoreSql.Db(i.AssignmentId);
        p[24].Value = StoreSql.Db(i.RemovalDetail);
        p[25].Value = i.Removal.ToString();
        p[26].Value = StoreSql.Db(i.RemovalNote);
        p[27].Value = i.Decision.ToString();
        p[28].Value = StoreSql.Db(i.Justification);
        p[29].Value = StoreSql.Db(i.DecidedBy);
        p[30].Value = Time(i.DecidedAt);
        p[31].Value = i.Version;
    }

    private static object Time(DateTimeOffset? value) => value is DateTimeOffset t ? AuditEvent.FormatTime(t.UtcDateTime) : DBNull.Value;

    private static string? Text(DbDataReader r, int column) => r.IsDBNull(column) ? null : r.GetString(column);

    private static DateTimeOffset? ReadTime(DbDataReader r, int column) =>
        r.IsDBNull(column) ? null : new DateTimeOffset(AuditEvent.ParseTime(r.GetString(column)), TimeSpan.Zero);

    private static T Enum<T>(DbDataReader r, int column) where T : struct, System.Enum => System.Enum.Parse<T>(r.GetString(column));

    private static AccessReviewItem ReadItem(DbDataReader r)
    {
        string reasons = r.GetString(17);
        string reviewers = r.GetString(19);
        return new AccessReviewItem
        {
            CampaignId = r.GetString(0),
            ItemId = r.GetInt64(1),
            PrincipalId = r.GetString(2),
            PrincipalName = r.GetString(3),
            PrincipalDisplayName = Text(r, 4),
            IsGuest = r.GetInt64(5) == 1,
            PersonId = Text(r, 6),
            ResourceId = r.GetString(7),
            ResourceDisplayName = r.GetString(8),
            ResourceKind = Enum<AccessReviewResourceKind>(r, 9),
            AccessKind = Enum<AccessReviewAccessKind>(r, 10),
            Assignment = Enum<AssignmentType>(r, 11),
            InheritedFromGroupId = Text(r, 12),
            InheritedFromGroupName = Text(r, 13),
            Since = ReadTime(r, 14),
            LastSignIn = ReadTime(r, 15),
            Recommendation = Enum<AccessReviewRecommendation>(r, 16),
            Reasons = reasons.Length == 0 ? [] : reasons.Split(',').Select(System.Enum.Parse<AccessReviewReason>).ToArray(),
            RecommendationNote = Text(r, 18),
            ReviewerIds = reviewers.Length == 0 ? [] : reviewers.Split(','),
            ReviewedByFallback = r.GetInt64(20) == 1,
            Privileged = r.GetInt64(21) == 1,
            RemovalStepKind = Enum<OffboardingStepKind>(r, 22),
            AssignmentId = Text(r, 23),
            RemovalDetail = Text(r, 24),
            Removal = Enum<RemovalPath>(r, 25),
            RemovalNote = Text(r, 26),
            Decision = Enum<AccessReviewDecision>(r, 27),
            Justification = Text(r, 28),
            DecidedBy = Text(r, 29),
            DecidedAt = ReadTime(r, 30),
            Version = r.GetInt64(31),
        };
    }
}
