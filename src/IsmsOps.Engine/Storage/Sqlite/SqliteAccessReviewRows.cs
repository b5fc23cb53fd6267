using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using Microsoft.Data.Sqlite;
using IsmsOps.Engine.Storage.Sql;

namespace IsmsOps.Engine.Storage.Sqlite;

/// <summary>
/// Access review rows on SQLite: what only SQLite does (item inserts through native prepared statements, campaign
/// numbers, the progress query, the results upsert); the rest is <see cref="AccessReviewRows"/>, shared with PostgreSQL.
/// </summary>
internal static class SqliteAccessReviewRows
{
    /// <summary>
    /// Inserts a campaign's reviewers and items, the items in the compact layout of migration 12 (see
    /// <see cref="CompactItemWriter"/>): each principal, resource, shape, note and reviewer list once, and per item a row
    /// of numbers referring to them.
    /// </summary>
    public static void InsertReviewersAndItems(SqliteConnection connection, SqliteTransaction transaction, string campaignId,
        IReadOnlyList<AccessReviewer> reviewers, IEnumerable<AccessReviewItem> items, CancellationToken cancellationToken)
    {
        using (SqliteCommand command = SqliteStore.Command(connection, transaction,
            "INSERT INTO access_review_reviewer (campaign_id, reviewer_id, user_principal_name, display_name, mail, is_fallback) VALUES ($c, $id, $upn, $name, $mail, $fallback);"))
        {
            SqliteParameter[] p = Parameters(command, "$c", "$id", "$upn", "$name", "$mail", "$fallback");
            command.Prepare();
            foreach (AccessReviewer reviewer in reviewers)
            {
                p[0].Value = campaignId;
                p[1].Value = reviewer.ReviewerId;
                p[2].Value = reviewer.UserPrincipalName;
                p[3].Value = SqliteStore.Db(reviewer.DisplayName);
                p[4].Value = SqliteStore.Db(reviewer.Mail);
                p[5].Value = reviewer.IsFallback ? 1 : 0;
                command.ExecuteNonQuery();
            }
        }

        long campaignNo;
        using (SqliteCommand command = SqliteStore.Command(connection, transaction,
            "INSERT INTO access_review_campaign_no (campaign_id) VALUES ($c); SELECT last_insert_rowid();"))
        {
            command.Parameters.AddWithValue("$c", campaignId);
            campaignNo = Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }

        // A bigger page cache while a campaign's rows and its reviewer index grow (64 MB); pooled connections get the
        // default back. 128 MB was tried: no faster at two million items, and 250 MB more at the peak.
        SqliteStore.Execute(connection, "PRAGMA cache_size=-65536;", transaction);
        try
        {
            using var writer = new CompactItemWriter(connection, campaignNo);
            long n = 0;
            foreach (AccessReviewItem item in items)
            {
                if ((++n & 0x3FFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                writer.Write(item);
            }

            writer.WriteListItems();
        }
        finally
        {
            try
            {
                SqliteStore.Execute(connection, "PRAGMA cache_size=-2000;", transaction);
            }
            catch (SqliteException)
            {
                // The insert's own failure is the one to report; a broken connection leaves the pool anyway.
            }
        }
    }

    /// <summary>Per reviewer: items assigned, and how many of them are decided.</summary>
    public static IReadOnlyList<(string ReviewerId, long Assigned, long Decided)> Progress(SqliteConnection connection, string campaignId)
    {
        long? no = CampaignNo(connection, null, campaignId);
        using SqliteCommand command = SqliteStore.Command(connection, null, no is not null
            ? """
              SELECT s.reviewer_id, sum(e.assigned), sum(e.decided)
              FROM (SELECT reviewers_no, count(*) AS assigned, count(decision) AS decided FROM access_review_entry
                    WHERE entry_key BETWEEN ($n << 32) AND ($n << 32) + 4294967295 GROUP BY reviewers_no) e
              JOIN access_review_reviewer_set s ON s.campaign_no = $n AND s.set_no = e.reviewers_no
              GROUP BY s.reviewer_id;
              """
            : """
              SELECT a.reviewer_id, count(*), sum(i.decision <> 'NotReviewed')
              FROM access_review_assignment a JOIN access_review_item i ON i.campaign_id = a.campaign_id AND i.item_id = a.item_id
              WHERE a.campaign_id = $c GROUP BY a.reviewer_id;
              """);
        command.Parameters.AddWithValue("$c", campaignId);
        command.Parameters.AddWithValue("$n", no ?? 0);
        using SqliteDataReader r = command.ExecuteReader();
        var rows = new List<(string, long, long)>();
        while (r.Read())
        {
            rows.Add((r.GetString(0), r.GetInt64(1), r.GetInt64(2)));
        }

        return rows;
    }

    /// <summary>Inserts or replaces apply results, one prepared command re-bound per row.</summary>
    public static void SaveResults(SqliteConnection connection, SqliteTransaction transaction, IEnumerable<AccessReviewApplyResult> results) =>
        AccessReviewRows.SaveResults(connection, transaction,
            "INSERT OR REPLACE INTO access_review_result (campaign_id, item_id, outcome, reason, request_id, applied_at) VALUES (@c, @i, @o, @r, @q, @at);", results);

    private static long EntryKey(long campaignNo, long itemId) => AccessReviewRows.EntryKey(campaignNo, itemId);

    private static long? CampaignNo(SqliteConnection connection, SqliteTransaction? transaction, string campaignId) =>
        AccessReviewRows.CampaignNo(connection, transaction, campaignId);

    private static SqliteParameter[] Parameters(SqliteCommand command, params string[] names) =>
        names.Select(name => command.Parameters.Add(new SqliteParameter(name, DBNull.Value))).ToArray();

    /// <summary>
    /// Writes one campaign's items in the compact layout. Each principal, resource, shape (the item's codes), note and
    /// reviewer list is inserted the first time it is met and referred to by number after that; the builder hands over
    /// the same string and array instances for repeated values, so most look-ups hit a reference-keyed cache before any
    /// string is hashed. The item rows go through one statement prepared on the native handle and re-bound per row,
    /// which at millions of rows costs a fraction of the parameter objects of a SqliteCommand.
    /// </summary>
    private sealed class CompactItemWriter : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly long _campaignNo;
        private readonly SQLitePCL.sqlite3_stmt _entry;
        private readonly SQLitePCL.sqlite3_stmt _undecided;
        private readonly SQLitePCL.sqlite3_stmt _party;
        private readonly SQLitePCL.sqlite3_stmt _shape;
        private readonly SQLitePCL.sqlite3_stmt _text;
        private readonly SQLitePCL.sqlite3_stmt _set;
        private readonly Dictionary<Party, long> _parties = [];
        private readonly Dictionary<string, (Party Party, long No)> _principalsById = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<Shape, long> _shapes = [];
        private readonly Dictionary<object, string> _reasonTexts = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<string, long> _texts = new(StringComparer.Ordinal);
        private readonly Dictionary<string, long> _textsByReference = new(ReferenceEqualityComparer.Instance);
        // Per reviewer list (by number), its items, in item order: items are written in order.
        private readonly Dictionary<object, (long No, List<uint> Items)> _listsByReference = new(ReferenceEqualityComparer.Instance);
        private readonly Dictionary<long, List<uint>> _listItems = [];
        private Party _lastResource;
        private long _lastResourceNo = -1;

        public CompactItemWriter(SqliteConnection connection, long campaignNo)
        {
            _connection = connection;
            _campaignNo = campaignNo;
            _entry = Prepare("""
                INSERT INTO access_review_entry (entry_key, principal_no, resource_no, inherited_no, shape_no, reviewers_no, note_no, detail_no,
                    removal_note_no, since, assignment_id, decision, justification, decided_by, decided_at, version)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16);
                """);
            // A new item is undecided (decision NULL) at version 1, the default: five fewer values to bind per row.
            _undecided = Prepare("""
                INSERT INTO access_review_entry (entry_key, principal_no, resource_no, inherited_no, shape_no, reviewers_no, note_no, detail_no,
                    removal_note_no, since, assignment_id)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11);
                """);
            _party = Prepare("INSERT INTO access_review_party (campaign_no, party_no, object_id, name, display_name, is_guest, person_id, last_sign_in) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8);");
            _shape = Prepare("""
                INSERT INTO access_review_shape (campaign_no, shape_no, resource_kind, access_kind, assignment, recommendation, reasons, by_fallback, privileged,
                    removal_step_kind, removal) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11);
                """);
            _text = Prepare("INSERT INTO access_review_text (campaign_no, text_no, value) VALUES (?1, ?2, ?3);");
            _set = Prepare("INSERT OR IGNORE INTO access_review_reviewer_set (campaign_no, reviewer_id, set_no) VALUES (?1, ?2, ?3);");
        }

        public void Write(AccessReviewItem item)
        {
            long principal = PrincipalNo(item);
            long resource = ResourceNo(item.ResourceId, item.ResourceDisplayName);
            long? inherited = item.InheritedFromGroupId is string through ? PartyNo(new Party(through, item.InheritedFromGroupName, null, false, null, null)) : null;
            long shape = ShapeNo(item);
            (long reviewers, List<uint> listed) = ReviewersNo(item.ReviewerIds);
            listed.Add((uint)EntryKey(0, item.ItemId));
            long? note = TextNo(item.RecommendationNote);
            long? detail = TextNo(item.RemovalDetail);
            long? removalNote = TextNo(item.RemovalNote);

            bool undecided = item.Decision == AccessReviewDecision.NotReviewed && item.Version == 1 && item.Justification is null && item.DecidedBy is null
                && item.DecidedAt is null;
            string? since = item.Since is DateTimeOffset from ? AuditEvent.FormatTime(from.UtcDateTime) : null;
            if (undecided)
            {
                // Consecutive items share most of their numbers (a group's members in turn): SQLite keeps a value bound
                // across resets, so only what changed is bound again.
                SQLitePCL.sqlite3_stmt u = _undecided;
                Rebind(u, 1, EntryKey(_campaignNo, item.ItemId));
                Rebind(u, 2, principal);
                Rebind(u, 3, resource);
                Rebind(u, 4, inherited);
                Rebind(u, 5, shape);
                Rebind(u, 6, reviewers);
                Rebind(u, 7, note);
                Rebind(u, 8, detail);
                Rebind(u, 9, removalNote);
                RebindText(u, 10, since);
                RebindText(u, 11, item.AssignmentId);
                Step(u);
                return;
            }

            SQLitePCL.sqlite3_stmt s = _entry;
            SQLitePCL.raw.sqlite3_bind_int64(s, 1, EntryKey(_campaignNo, item.ItemId));
            SQLitePCL.raw.sqlite3_bind_int64(s, 2, principal);
            SQLitePCL.raw.sqlite3_bind_int64(s, 3, resource);
            BindNumber(s, 4, inherited);
            SQLitePCL.raw.sqlite3_bind_int64(s, 5, shape);
            SQLitePCL.raw.sqlite3_bind_int64(s, 6, reviewers);
            BindNumber(s, 7, note);
            BindNumber(s, 8, detail);
            BindNumber(s, 9, removalNote);
            BindText(s, 10, since);
            BindText(s, 11, item.AssignmentId);
            BindText(s, 12, item.Decision == AccessReviewDecision.NotReviewed ? null : item.Decision.ToString());
            BindText(s, 13, item.Justification);
            BindText(s, 14, item.DecidedBy);
            BindText(s, 15, item.DecidedAt is DateTimeOffset at ? AuditEvent.FormatTime(at.UtcDateTime) : null);
            SQLitePCL.raw.sqlite3_bind_int64(s, 16, item.Version);
            Step(s);
        }

        // What each parameter of the undecided-item statement holds: a number, NULL (long.MinValue), or unknown.
        private readonly long[] _bound = new long[13];
        private readonly bool[] _known = new bool[13];

        private void Rebind(SQLitePCL.sqlite3_stmt s, int index, long? value)
        {
            long v = value ?? long.MinValue;
            if (_known[index] && _bound[index] == v)
            {
                return;
            }

            BindNumber(s, index, value);
            _bound[index] = v;
            _known[index] = true;
        }

        private void RebindText(SQLitePCL.sqlite3_stmt s, int index, string? value)
        {
            if (value is null && _known[index])
            {
                return;
            }

            BindText(s, index, value);
            _bound[index] = long.MinValue;
            _known[index] = value is null;
        }

        /// <summary>
        /// Writes which items each reviewer list holds: one statement per list, whose item ids SQLite reads from a JSON
        /// array (json_each). The rows arrive in key order, each next to the last, and two million of them cost one call
        /// per list instead of one per row, a third of the time (1.2 s of a two-million-item campaign before).
        /// </summary>
        public void WriteListItems()
        {
            using SQLitePCL.sqlite3_stmt s = Prepare("INSERT INTO access_review_list_item (campaign_no, reviewers_no, item_id) SELECT ?1, ?2, value FROM json_each(?3);");
            SQLitePCL.raw.sqlite3_bind_int64(s, 1, _campaignNo);
            var json = new System.Text.StringBuilder();
            foreach ((long list, List<uint> items) in _listItems.OrderBy(l => l.Key))
            {
                json.Clear().Append('[');
                for (int i = 0; i < items.Count; i++)
                {
                    json.Append(i == 0 ? "" : ",").Append(items[i]);
                }

                SQLitePCL.raw.sqlite3_bind_int64(s, 2, list);
                SQLitePCL.raw.sqlite3_bind_text(s, 3, json.Append(']').ToString());
                Step(s);
            }

            _listItems.Clear();
        }

        private long PrincipalNo(AccessReviewItem item)
        {
            var party = new Party(item.PrincipalId, item.PrincipalName, item.PrincipalDisplayName, item.IsGuest, item.PersonId, item.LastSignIn);
            if (_principalsById.TryGetValue(item.PrincipalId, out (Party Party, long No) known) && known.Party.Equals(party))
            {
                return known.No;
            }

            long no = PartyNo(party);
            _principalsById[item.PrincipalId] = (party, no);
            return no;
        }

        private long ResourceNo(string id, string name)
        {
            // Items come resource by resource (a group's members in turn): the last one is the likeliest.
            if (_lastResourceNo >= 0 && ReferenceEquals(_lastResource.ObjectId, id) && ReferenceEquals(_lastResource.Name, name))
            {
                return _lastResourceNo;
            }

            _lastResource = new Party(id, name, null, false, null, null);
            _lastResourceNo = PartyNo(_lastResource);
            return _lastResourceNo;
        }

        private long PartyNo(Party party)
        {
            if (_parties.TryGetValue(party, out long no))
            {
                return no;
            }

            no = _parties.Count + 1;
            _parties.Add(party, no);
            SQLitePCL.sqlite3_stmt s = _party;
            SQLitePCL.raw.sqlite3_bind_int64(s, 1, _campaignNo);
            SQLitePCL.raw.sqlite3_bind_int64(s, 2, no);
            BindText(s, 3, party.ObjectId);
            BindText(s, 4, party.Name);
            BindText(s, 5, party.DisplayName);
            SQLitePCL.raw.sqlite3_bind_int64(s, 6, party.IsGuest ? 1 : 0);
            BindText(s, 7, party.PersonId);
            BindText(s, 8, party.LastSignIn is DateTimeOffset last ? AuditEvent.FormatTime(last.UtcDateTime) : null);
            Step(s);
            return no;
        }

        private long ShapeNo(AccessReviewItem item)
        {
            if (!_reasonTexts.TryGetValue(item.Reasons, out string? reasons))
            {
                _reasonTexts[item.Reasons] = reasons = string.Join(",", item.Reasons);
            }

            var shape = new Shape(item.ResourceKind, item.AccessKind, item.Assignment, item.Recommendation, reasons, item.ReviewedByFallback, item.Privileged,
                item.RemovalStepKind, item.Removal);
            if (_shapes.TryGetValue(shape, out long no))
            {
                return no;
            }

            no = _shapes.Count + 1;
            _shapes.Add(shape, no);
            SQLitePCL.sqlite3_stmt s = _shape;
            SQLitePCL.raw.sqlite3_bind_int64(s, 1, _campaignNo);
            SQLitePCL.raw.sqlite3_bind_int64(s, 2, no);
            BindText(s, 3, shape.ResourceKind.ToString());
            BindText(s, 4, shape.AccessKind.ToString());
            BindText(s, 5, shape.Assignment.ToString());
            BindText(s, 6, shape.Recommendation.ToString());
            BindText(s, 7, shape.Reasons);
            SQLitePCL.raw.sqlite3_bind_int64(s, 8, shape.ByFallback ? 1 : 0);
            SQLitePCL.raw.sqlite3_bind_int64(s, 9, shape.Privileged ? 1 : 0);
            BindText(s, 10, shape.RemovalStepKind.ToString());
            BindText(s, 11, shape.Removal.ToString());
            Step(s);
            return no;
        }

        // A reviewer list is a text (the ids in order, comma-separated) plus one reviewer_set row per id, for "this reviewer's items".
        private (long No, List<uint> Items) ReviewersNo(IReadOnlyList<string> reviewerIds)
        {
            if (_listsByReference.TryGetValue(reviewerIds, out (long No, List<uint> Items) known))
            {
                return known;
            }

            string joined = string.Join(",", reviewerIds);
            bool isNew = !_texts.ContainsKey(joined);
            long no = TextNo(joined)!.Value;
            if (isNew)
            {
                foreach (string reviewer in reviewerIds)
                {
                    SQLitePCL.sqlite3_stmt s = _set;
                    SQLitePCL.raw.sqlite3_bind_int64(s, 1, _campaignNo);
                    BindText(s, 2, reviewer);
                    SQLitePCL.raw.sqlite3_bind_int64(s, 3, no);
                    Step(s);
                }
            }

            // Two reviewer arrays with the same ids share the list and its items.
            if (!_listItems.TryGetValue(no, out List<uint>? items))
            {
                _listItems[no] = items = [];
            }

            _listsByReference[reviewerIds] = known = (no, items);
            return known;
        }

        private long? TextNo(string? value)
        {
            if (value is null)
            {
                return null;
            }

            if (_textsByReference.TryGetValue(value, out long no))
            {
                return no;
            }

            if (!_texts.TryGetValue(value, out no))
            {
                no = _texts.Count + 1;
                _texts.Add(value, no);
                SQLitePCL.sqlite3_stmt s = _text;
                SQLitePCL.raw.sqlite3_bind_int64(s, 1, _campaignNo);
                SQLitePCL.raw.sqlite3_bind_int64(s, 2, no);
                BindText(s, 3, value);
                Step(s);
            }

            // Only values met more than once by reference are worth the second map; notes the builder shares are.
            if (_textsByReference.Count < 100_000)
            {
                _textsByReference[value] = no;
            }

            return no;
        }

        private SQLitePCL.sqlite3_stmt Prepare(string sql)
        {
            int rc = SQLitePCL.raw.sqlite3_prepare_v2(_connection.Handle, sql, out SQLitePCL.sqlite3_stmt statement);
            SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
            return statement;
        }

        private static void BindNumber(SQLitePCL.sqlite3_stmt s, int index, long? value)
        {
            if (value is long v)
            {
                SQLitePCL.raw.sqlite3_bind_int64(s, index, v);
            }
            else
            {
                SQLitePCL.raw.sqlite3_bind_null(s, index);
            }
        }

        private static void BindText(SQLitePCL.sqlite3_stmt s, int index, string? value)
        {
            if (value is null)
            {
                SQLitePCL.raw.sqlite3_bind_null(s, index);
            }
            else
            {
                SQLitePCL.raw.sqlite3_bind_text(s, index, value);
            }
        }

        private void Step(SQLitePCL.sqlite3_stmt s)
        {
            int rc = SQLitePCL.raw.sqlite3_step(s);
            SQLitePCL.raw.sqlite3_reset(s);
            if (rc != SQLitePCL.raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(rc, _connection.Handle);
            }
        }

        public void Dispose()
        {
            _entry.Dispose();
            _undecided.Dispose();
            _party.Dispose();
            _shape.Dispose();
            _text.Dispose();
            _set.Dispose();
        }

        private readonly record struct Party(string ObjectId, string? Name, string? DisplayName, bool IsGuest, string? PersonId, DateTimeOffset? LastSignIn);

        private readonly record struct Shape(AccessReviewResourceKind ResourceKind, AccessReviewAccessKind AccessKind, AssignmentType Assignment,
            AccessReviewRecommendation Recommendation, string Reasons, bool ByFallback, bool Privileged, OffboardingStepKind RemovalStepKind, RemovalPath Removal);
    }
}
