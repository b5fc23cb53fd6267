using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Storage.Sql;
using Npgsql;

namespace IsmsOps.Engine.Storage.Postgres;

/// <summary>One write on the shared store: a PostgreSQL transaction holding the writers' advisory lock until it ends.</summary>
internal sealed class PostgresWriteTransaction : SqlWriteTransaction
{
    private readonly PostgresStore _store;
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;

    public PostgresWriteTransaction(PostgresStore store, NpgsqlConnection connection, NpgsqlTransaction transaction)
        : base(connection, transaction)
    {
        _store = store;
        _connection = connection;
        _transaction = transaction;
    }

    protected override T Translate<T>(Func<T> work) => _store.Translate(work);

    protected override void Save(string name) =>
        StoreSql.Execute(_connection, "SAVEPOINT " + QuoteName(name) + ";", _transaction);

    protected override void RollbackTo(string name) =>
        StoreSql.Execute(_connection, "ROLLBACK TO SAVEPOINT " + QuoteName(name) + ";", _transaction);

    protected override void Release(string name) =>
        StoreSql.Execute(_connection, "RELEASE SAVEPOINT " + QuoteName(name) + ";", _transaction);

    // A restarted server, say: the server rolled the transaction back when the session ended.
    protected override bool IsBrokenConnection(Exception exception) =>
        exception is NpgsqlException or ObjectDisposedException or InvalidOperationException;

    protected override AccessReviewCampaign? GetCampaign(string campaignId) =>
        PostgresAccessReviewRows.GetCampaign(_connection, _transaction, campaignId);

    protected override AccessReviewCampaign? GetSuccessor(string predecessorId) =>
        PostgresAccessReviewRows.GetSuccessor(_connection, _transaction, predecessorId);

    protected override void InsertReviewersAndItems(string campaignId, IReadOnlyList<AccessReviewer> reviewers,
        IEnumerable<AccessReviewItem> items, CancellationToken cancellationToken) =>
        PostgresAccessReviewRows.InsertReviewersAndItems(_connection, _transaction, campaignId, reviewers, items, cancellationToken);

    protected override void InsertCampaign(AccessReviewCampaign campaign) =>
        PostgresAccessReviewRows.InsertCampaign(_connection, _transaction, campaign);

    protected override IReadOnlyList<AccessReviewer> Reviewers(string campaignId) =>
        PostgresAccessReviewRows.Reviewers(_connection, _transaction, campaignId);

    protected override IEnumerable<AccessReviewItem> FindItems(AccessReviewItemQuery query) =>
        PostgresAccessReviewRows.FindItems(_connection, _transaction, query);

    protected override bool UpdateDecision(AccessReviewItem item, long expectedVersion) =>
        PostgresAccessReviewRows.UpdateDecision(_connection, _transaction, item, expectedVersion);

    protected override bool UpdateCampaign(AccessReviewCampaign campaign, long expectedVersion) =>
        PostgresAccessReviewRows.UpdateCampaign(_connection, _transaction, campaign, expectedVersion);

    protected override void SaveResults(IReadOnlyList<AccessReviewApplyResult> results) =>
        PostgresAccessReviewRows.SaveResults(_connection, _transaction, results);

    protected override IReadOnlyList<AccessReviewApplyResult> Results(string campaignId) =>
        PostgresAccessReviewRows.Results(_connection, _transaction, campaignId);

    // Savepoint names are the caller's words ("row", "outer"); quoted, a reserved word is a name like any other.
    private static string QuoteName(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
