using System.Text.Json;
using System.Text.Json.Serialization;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using System.Data.Common;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

namespace IsmsOps.Engine.Storage.Postgres;

/// <summary>
/// Reads and writes access review campaigns on the shared store: the campaign documents, their reviewers, and their
/// items. Items are read from both layouts SQLite has had (the wide access_review_item rows of campaigns created
/// before migration 12, and the compact layout of migration 12), because Copy-IsmsStore moves the rows of either
/// layout as they are; new campaigns are written in the compact layout, with batched multi-row INSERTs, so a copy
/// back to SQLite is read by SqliteAccessReviewRows the same way.
/// </summary>
internal static class PostgresAccessReviewRows
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
    /// Inserts a campaign's reviewers (one command re-bound per row) and its items in the compact layout of migration 12
    /// (see <see cref="CompactItemWriter"/>), under a campaign number of its own.
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

        long campaignNo;
        // Writers hold the store's advisory lock, so the next number cannot be taken twice; max + 1 (rather than an
        // identity) also holds after Copy-IsmsStore has inserted numbers of its own.
        using (DbCommand command = StoreSql.Command(connection, transaction,
            "INSERT INTO access_review_campaign_no (campaign_no, campaign_id) SELECT coalesce(max(campaign_no), 0) + 1, @c FROM access_review_campaign_no RETURNING campaign_no;"))
        {
            command.Parameters.AddWithValue("@c", campaignId);
            campaignNo = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        var writer = new CompactItemWriter((NpgsqlConnection)connection, (NpgsqlTransaction)transaction, campaignNo);
        long n = 0;
        foreach (AccessReviewItem item in items)
        {
            if ((++n & 0x3FFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            writer.Write(item);
        }

        writer.Finish();
    }

    // An item's row key in the compact layout, as SQLite's: the campaign's number in the high 32 bits, the item id in the low.
    private static long EntryKey(long campaignNo, long itemId) =>
        itemId is > 0 and <= uint.MaxValue ? (campaignNo << 32) | itemId : throw new ArgumentOutOfRangeException(nameof(itemId), itemId, "Item ids run from 1 to 2^32 - 1.");

    // The campaign's number in the compact layout; null for a campaign in the wide layout (access_review_item).
    private static long? CampaignNo(DbConnection connection, DbTransaction? transaction, string campaignId)
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

    /// <summary>Per reviewer: items assigned, and how many of them are decided.</summary>
    public static IReadOnlyList<(string ReviewerId, long Assigned, long Decided)> Progress(DbConnection connection, string campaignId)
    {
        long? no = CampaignNo(connection, null, campaignId);
        using DbCommand command = StoreSql.Command(connection, null, no is not null
            ? """
              SELECT s.reviewer_id, sum(e.assigned)::bigint, sum(e.decided)::bigint
              FROM (SELECT reviewers_no, count(*) AS assigned, count(decision) AS decided FROM access_review_entry
                    WHERE entry_key BETWEEN (@n << 32) AND (@n << 32) + 4294967295 GROUP BY reviewers_no) e
              JOIN access_review_reviewer_set s ON s.campaign_no = @n AND s.set_no = e.reviewers_no
              GROUP BY s.reviewer_id;
              """
            : """
              SELECT a.reviewer_id, count(*), sum(CASE WHEN i.decision <> 'NotReviewed' THEN 1 ELSE 0 END)::bigint
              FROM access_review_assignment a JOIN access_review_item i ON i.campaign_id = a.campaign_id AND i.item_id = a.item_id
              WHERE a.campaign_id = @c GROUP BY a.reviewer_id;
              """);
        command.Parameters.AddWithValue("@c", campaignId);
        command.Parameters.AddWithValue("@n", no ?? 0L);
        using DbDataReader r = command.ExecuteReader();
        var rows = new List<(string, long, long)>();
        while (r.Read())
        {
            rows.Add((r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
        }

        return rows;
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

    // Campaigns created before migration 12 (or copied from such a store): one wide row per item, reviewers in access_review_assignment.
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
            // Item ids run from 1 to 2^32 - 1; one outside that names no item, so it matches nothing rather than throwing (as on SQLite).
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
        // The compact layout leaves an undecided item's decision NULL, as SQLite's does.
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

    /// <summary>
    /// Writes one campaign's items in the compact layout of migration 12, numbered as SQLite numbers them: each
    /// principal, resource, shape (the item's codes), note and reviewer list is a row the first time it is met and a
    /// number after that. Rows are buffered per table and sent as multi-row INSERTs, a few hundred rows a round trip.
    /// </summary>
    private sealed class CompactItemWriter
    {
        private readonly Dictionary<Party, long> _parties = [];
        private readonly Dictionary<Shape, long> _shapes = [];
        private readonly Dictionary<string, long> _texts = new(StringComparer.Ordinal);
        private readonly List<long> _listItems = [];
        private readonly long _campaignNo;
        private readonly BatchInsert _entry;
        private readonly BatchInsert _party;
        private readonly BatchInsert _shape;
        private readonly BatchInsert _text;
        private readonly BatchInsert _set;
        private readonly BatchInsert _list;

        public CompactItemWriter(NpgsqlConnection connection, NpgsqlTransaction transaction, long campaignNo)
        {
            _campaignNo = campaignNo;
            const NpgsqlDbType N = NpgsqlDbType.Bigint;
            const NpgsqlDbType T = NpgsqlDbType.Text;
            _entry = new BatchInsert(connection, transaction, "access_review_entry",
                ["entry_key", "principal_no", "resource_no", "inherited_no", "shape_no", "reviewers_no", "note_no", "detail_no", "removal_note_no", "since",
                    "assignment_id", "decision", "justification", "decided_by", "decided_at", "version"],
                [N, N, N, N, N, N, N, N, N, T, T, T, T, T, T, N]);
            _party = new BatchInsert(connection, transaction, "access_review_party",
                ["campaign_no", "party_no", "object_id", "name", "display_name", "is_guest", "person_id", "last_sign_in"], [N, N, T, T, T, N, T, T]);
            _shape = new BatchInsert(connection, transaction, "access_review_shape",
                ["campaign_no", "shape_no", "resource_kind", "access_kind", "assignment", "recommendation", "reasons", "by_fallback", "privileged", "removal_step_kind", "removal"],
                [N, N, T, T, T, T, T, N, N, T, T]);
            _text = new BatchInsert(connection, transaction, "access_review_text", ["campaign_no", "text_no", "value"], [N, N, T]);
            _set = new BatchInsert(connection, transaction, "access_review_reviewer_set", ["campaign_no", "reviewer_id", "set_no"], [N, T, N], " ON CONFLICT DO NOTHING");
            _list = new BatchInsert(connection, transaction, "access_review_list_item", ["campaign_no", "reviewers_no", "item_id"], [N, N, N]);
        }

        public void Write(AccessReviewItem item)
        {
            long principal = PartyNo(new Party(item.PrincipalId, item.PrincipalName, item.PrincipalDisplayName, item.IsGuest, item.PersonId, item.LastSignIn));
            long resource = PartyNo(new Party(item.ResourceId, item.ResourceDisplayName, null, false, null, null));
            long? inherited = item.InheritedFromGroupId is string through ? PartyNo(new Party(through, item.InheritedFromGroupName, null, false, null, null)) : null;
            long shape = ShapeNo(item);
            long reviewers = ReviewersNo(item.ReviewerIds);
            _listItems.Add((reviewers << 32) | EntryKey(0, item.ItemId));
            _entry.Add(EntryKey(_campaignNo, item.ItemId), principal, resource, Number(inherited), shape, reviewers, Number(TextNo(item.RecommendationNote)),
                Number(TextNo(item.RemovalDetail)), Number(TextNo(item.RemovalNote)), Time(item.Since), StoreSql.Db(item.AssignmentId),
                item.Decision == AccessReviewDecision.NotReviewed ? DBNull.Value : item.Decision.ToString(), StoreSql.Db(item.Justification),
                StoreSql.Db(item.DecidedBy), Time(item.DecidedAt), item.Version);
        }

        /// <summary>Sends what is still buffered, the reviewer lists' items last (sorted by list, then item).</summary>
        public void Finish()
        {
            _party.Flush();
            _shape.Flush();
            _text.Flush();
            _set.Flush();
            _entry.Flush();
            _listItems.Sort();
            foreach (long key in _listItems)
            {
                _list.Add(_campaignNo, key >> 32, key & uint.MaxValue);
            }

            _list.Flush();
        }

        private static object Number(long? value) => value is long v ? v : DBNull.Value;

        private long PartyNo(Party party)
        {
            if (!_parties.TryGetValue(party, out long no))
            {
                no = _parties.Count + 1;
                _parties.Add(party, no);
                _party.Add(_campaignNo, no, party.ObjectId, StoreSql.Db(party.Name), StoreSql.Db(party.DisplayName), party.IsGuest ? 1L : 0L,
                    StoreSql.Db(party.PersonId), Time(party.LastSignIn));
            }

            return no;
        }

        private long ShapeNo(AccessReviewItem item)
        {
            var shape = new Shape(item.ResourceKind, item.AccessKind, item.Assignment, item.Recommendation, string.Join(",", item.Reasons), item.ReviewedByFallback,
                item.Privileged, item.RemovalStepKind, item.Removal);
            if (!_shapes.TryGetValue(shape, out long no))
            {
                no = _shapes.Count + 1;
                _shapes.Add(shape, no);
                _shape.Add(_campaignNo, no, shape.ResourceKind.ToString(), shape.AccessKind.ToString(), shape.Assignment.ToString(), shape.Recommendation.ToString(),
                    shape.Reasons, shape.ByFallback ? 1L : 0L, shape.Privileged ? 1L : 0L, shape.RemovalStepKind.ToString(), shape.Removal.ToString());
            }

            return no;
        }

        // A reviewer list is a text (the ids in order, comma-separated) plus one reviewer_set row per id, for "this reviewer's items".
        private long ReviewersNo(IReadOnlyList<string> reviewerIds)
        {
            string joined = string.Join(",", reviewerIds);
            bool isNew = !_texts.ContainsKey(joined);
            long no = TextNo(joined)!.Value;
            if (isNew)
            {
                foreach (string reviewer in reviewerIds)
                {
                    _set.Add(_campaignNo, reviewer, no);
                }
            }

            return no;
        }

        private long? TextNo(string? value)
        {
            if (value is null)
            {
                return null;
            }

            if (!_texts.TryGetValue(value, out long no))
            {
                no = _texts.Count + 1;
                _texts.Add(value, no);
                _text.Add(_campaignNo, no, value);
            }

            return no;
        }

        private readonly record struct Party(string ObjectId, string? Name, string? DisplayName, bool IsGuest, string? PersonId, DateTimeOffset? LastSignIn);

        private readonly record struct Shape(AccessReviewResourceKind ResourceKind, AccessReviewAccessKind AccessKind, AssignmentType Assignment,
            AccessReviewRecommendation Recommendation, string Reasons, bool ByFallback, bool Privileged, OffboardingStepKind RemovalStepKind, RemovalPath Removal);
    }

    /// <summary>
    /// Rows for one table, sent as one INSERT of up to <see cref="RowsPerStatement"/> rows with typed positional
    /// parameters (typed, because a NULL in a multi-row VALUES list has no type of its own).
    /// </summary>
    private sealed class BatchInsert(NpgsqlConnection connection, NpgsqlTransaction transaction, string table, string[] columns, NpgsqlDbType[] types, string suffix = "")
    {
        private const int RowsPerStatement = 500;
        private readonly List<object[]> _rows = [];

        public void Add(params object[] values)
        {
            _rows.Add(values);
            if (_rows.Count == RowsPerStatement)
            {
                Flush();
            }
        }

        public void Flush()
        {
            if (_rows.Count == 0)
            {
                return;
            }

            var text = new System.Text.StringBuilder($"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ");
            using var command = new NpgsqlCommand { Connection = connection, Transaction = transaction };
            int k = 0;
            for (int row = 0; row < _rows.Count; row++)
            {
                text.Append(row == 0 ? "(" : ", (");
                for (int c = 0; c < columns.Length; c++)
                {
                    text.Append(c == 0 ? "$" : ", $").Append((++k).ToString(CultureInfo.InvariantCulture));
                    command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = types[c], Value = _rows[row][c] });
                }

                text.Append(')');
            }

            command.CommandText = text.Append(suffix).Append(';').ToString();
            command.ExecuteNonQuery();
            _rows.Clear();
        }
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
