using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;

namespace IsmsOps.Engine.Storage.Sql;

/// <summary>
/// The access review rows both stores read and write the same way: campaign documents, reviewers, item reads of both
/// layouts (the wide rows from before migration 12 and the compact layout), decisions and apply results. Only the
/// item inserts differ (SQLite's native prepared statements, PostgreSQL's multi-row INSERTs), as do the per-reviewer
/// progress query and the upsert of results; those stay in SqliteAccessReviewRows and PostgresAccessReviewRows.
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

    // An item's row key in the compact layout: the campaign's number in the high 32 bits, the item id in the low. On
    // SQLite the table is then keyed by its own rowid, a campaign's items are one key range, and a new campaign's rows
    // are appended at the end of the tree instead of each insert searching it.
    internal static long EntryKey(long campaignNo, long itemId) =>
        itemId is > 0 and <= uint.MaxValue ? (campaignNo << 32) | itemId : throw new ArgumentOutOfRangeException(nameof(itemId), itemId, "Item ids run from 1 to 2^32 - 1.");

    // The campaign's number in the compact layout; null for a campaign in the wide layout (access_review_item).
    internal static long? CampaignNo(DbConnection connection, DbTransaction? transaction, string campaignId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, "SELECT campaign_no FROM access_review_campaign_no WHERE campaign_id = @c;");
        command.Parameters.AddWithValue("@c", campaignId);
        return command.ExecuteScalar() is long no ? no : null;
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

    /// <summary>How many of the campaign's items have a decision.</summary>
    public static long CountDecided(DbConnection connection, string campaignId)
    {
        long? no = CampaignNo(connection, null, campaignId);
        using DbCommand command = StoreSql.Command(connection, null, no is null
            ? "SELECT count(*) FROM access_review_item WHERE campaign_id = @c AND decision <> 'NotReviewed';"
            : "SELECT count(decision) FROM access_review_entry WHERE entry_key BETWEEN (@n << 32) AND (@n << 32) + 4294967295;");
        command.Parameters.AddWithValue("@c", campaignId);
        command.Parameters.AddWithValue("@n", no ?? 0L);
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Streams the items matching <paramref name="query"/> in item order; the caller owns the connection.</summary>
    public static IEnumerable<AccessReviewItem> FindItems(DbConnection connection, DbTransaction? transaction, AccessReviewItemQuery query)
    {
        long? no = CampaignNo(connection, transaction, query.CampaignId);
        using DbCommand command = StoreSql.Command(connection, transaction, string.Empty);
        command.CommandText = no is long campaignNo ? CompactItemQuery(command, campaignNo, query) : WideItemQuery(command, query);
        using DbDataReader r = command.ExecuteReader();
        while (r.Read())
        {
            yield return ReadItem(r);
        }
    }

    // Campaigns created before migration 12 (or copied from such a store to PostgreSQL): one wide row per item, reviewers in access_review_assignment.
    private static string WideItemQuery(DbCommand command, AccessReviewItemQuery query)
    {
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
        return $"SELECT {columns} FROM {from}{StoreSql.WhereClause(where)} ORDER BY i.item_id;";
    }

    // The compact layout, joined back into the columns of the wide row, in the same order, so one reader serves both.
    private static string CompactItemQuery(DbCommand command, long campaignNo, AccessReviewItemQuery query)
    {
        var where = new List<string> { "e.entry_key BETWEEN (" + StoreSql.Bind(command, "@n", campaignNo) + " << 32) AND (@n << 32) + 4294967295" };
        if (query.ReviewerId is string reviewer)
        {
            where.Add("e.entry_key IN (SELECT (@n << 32) + l.item_id FROM access_review_reviewer_set s JOIN access_review_list_item l ON l.campaign_no = @n AND l.reviewers_no = s.set_no "
                + "WHERE s.campaign_no = @n AND s.reviewer_id = " + StoreSql.Bind(command, "@r", reviewer) + ")");
        }

        if (query.PendingOnly)
        {
            where.Add("e.decision IS NULL");
        }

        if (query.ItemIds.Count > 0)
        {
            // Item ids run from 1 to 2^32 - 1; one outside that names no item, so it matches nothing rather than throwing.
            long[] keys = query.ItemIds.Where(id => id is > 0 and <= uint.MaxValue).Select(id => EntryKey(campaignNo, id)).ToArray();
            where.Add(keys.Length == 0 ? "0 = 1" : "e.entry_key IN (" + string.Join(",", keys.Select((key, k) => StoreSql.Bind(command, "@i" + k, key))) + ")");
        }

        return """
            SELECT k.campaign_id, e.entry_key & 4294967295, p.object_id, p.name, p.display_name, p.is_guest, p.person_id, r.object_id, r.name, s.resource_kind,
                   s.access_kind, s.assignment, h.object_id, h.name, e.since, p.last_sign_in, s.recommendation, s.reasons, n.value, v.value,
                   s.by_fallback, s.privileged, s.removal_step_kind, e.assignment_id, d.value, s.removal, m.value, coalesce(e.decision, 'NotReviewed'), e.justification,
                   e.decided_by, e.decided_at, e.version
            FROM access_review_entry e
            JOIN access_review_campaign_no k ON k.campaign_no = @n
            JOIN access_review_party p ON p.campaign_no = @n AND p.party_no = e.principal_no
            JOIN access_review_party r ON r.campaign_no = @n AND r.party_no = e.resource_no
            LEFT JOIN access_review_party h ON h.campaign_no = @n AND h.party_no = e.inherited_no
            JOIN access_review_shape s ON s.campaign_no = @n AND s.shape_no = e.shape_no
            JOIN access_review_text v ON v.campaign_no = @n AND v.text_no = e.reviewers_no
            LEFT JOIN access_review_text n ON n.campaign_no = @n AND n.text_no = e.note_no
            LEFT JOIN access_review_text d ON d.campaign_no = @n AND d.text_no = e.detail_no
            LEFT JOIN access_review_text m ON m.campaign_no = @n AND m.text_no = e.removal_note_no
            """ + StoreSql.WhereClause(where) + " ORDER BY e.entry_key;";
    }

    /// <summary>Stores the item's decision columns if its stored version is <paramref name="expectedVersion"/>; false otherwise.</summary>
    public static bool UpdateDecision(DbConnection connection, DbTransaction transaction, AccessReviewItem item, long expectedVersion)
    {
        long? no = CampaignNo(connection, transaction, item.CampaignId);
        using DbCommand command = StoreSql.Command(connection, transaction, no is null
            ? """
              UPDATE access_review_item SET decision = @decision, justification = @justification, decided_by = @by, decided_at = @at, version = @version
              WHERE campaign_id = @c AND item_id = @i AND version = @expected;
              """
            : """
              UPDATE access_review_entry SET decision = @decision, justification = @justification, decided_by = @by, decided_at = @at, version = @version
              WHERE entry_key = @key AND version = @expected;
              """);
        command.Parameters.AddWithValue("@key", no is long campaignNo ? EntryKey(campaignNo, item.ItemId) : 0L);
        // The compact layout leaves an undecided item's decision NULL (a byte per row, not eleven).
        command.Parameters.AddWithValue("@decision", no is not null && item.Decision == AccessReviewDecision.NotReviewed ? DBNull.Value : item.Decision.ToString());
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

    /// <summary>
    /// Inserts or replaces apply results, one prepared command re-bound per row; <paramref name="upsertSql"/> is the
    /// store's insert-or-replace of one result row, with parameters @c, @i, @o, @r, @q and @at.
    /// </summary>
    public static void SaveResults(DbConnection connection, DbTransaction transaction, string upsertSql, IEnumerable<AccessReviewApplyResult> results)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, upsertSql);
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

    internal static DbParameter[] Parameters(DbCommand command, params string[] names) =>
        names.Select(name => StoreSql.AddParameter(command, name)).ToArray();

    internal static object Time(DateTimeOffset? value) => value is DateTimeOffset t ? AuditEvent.FormatTime(t.UtcDateTime) : DBNull.Value;

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
