using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using System.Data.Common;
using System.Globalization;
using Npgsql;
using NpgsqlTypes;

using IsmsOps.Engine.Storage.Sql;
namespace IsmsOps.Engine.Storage.Postgres;

/// <summary>
/// Access review rows on PostgreSQL: what only PostgreSQL does (campaign numbers, batched multi-row item INSERTs, the
/// progress query, the results upsert); the rest is <see cref="AccessReviewRows"/>, shared with SQLite. New campaigns
/// are written in the compact layout of migration 12, numbered as SQLite numbers them, so Copy-IsmsStore moves the rows
/// of either layout as they are.
/// </summary>
internal static class PostgresAccessReviewRows
{
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
            DbParameter[] p = AccessReviewRows.Parameters(command, "@c", "@id", "@upn", "@name", "@mail", "@fallback");
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

    /// <summary>Inserts or replaces apply results, one prepared command re-bound per row.</summary>
    public static void SaveResults(DbConnection connection, DbTransaction transaction, IEnumerable<AccessReviewApplyResult> results) =>
        AccessReviewRows.SaveResults(connection, transaction,
            "INSERT INTO access_review_result (campaign_id, item_id, outcome, reason, request_id, applied_at) VALUES (@c, @i, @o, @r, @q, @at) ON CONFLICT (campaign_id, item_id) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason, request_id = excluded.request_id, applied_at = excluded.applied_at;", results);

    private static long EntryKey(long campaignNo, long itemId) => AccessReviewRows.EntryKey(campaignNo, itemId);

    private static long? CampaignNo(DbConnection connection, DbTransaction? transaction, string campaignId) =>
        AccessReviewRows.CampaignNo(connection, transaction, campaignId);

    private static object Time(DateTimeOffset? value) => AccessReviewRows.Time(value);

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
}
