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

    protected override void InsertReviewersAndItems(string campaignId, IReadOnlyList<AccessReviewer> reviewers,
        IEnumerable<AccessReviewItem> items, CancellationToken cancellationToken) =>
        PostgresAccessReviewRows.InsertReviewersAndItems(_connection, _transaction, campaignId, reviewers, items, cancellationToken);

    protected override void SaveResults(IReadOnlyList<AccessReviewApplyResult> results) =>
        PostgresAccessReviewRows.SaveResults(_connection, _transaction, results);

    // Savepoint names are the caller's words ("row", "outer"); quoted, a reserved word is a name like any other.
    private static string QuoteName(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
