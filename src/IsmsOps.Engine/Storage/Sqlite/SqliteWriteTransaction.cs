using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Storage.Sql;
using Microsoft.Data.Sqlite;

namespace IsmsOps.Engine.Storage.Sqlite;

/// <summary>One write on a SQLite store: an immediate transaction, so writers queue on the database lock.</summary>
internal sealed class SqliteWriteTransaction : SqlWriteTransaction
{
    private readonly SqliteStore _store;
    private readonly SqliteConnection _connection;
    private readonly SqliteTransaction _transaction;

    public SqliteWriteTransaction(SqliteStore store, SqliteConnection connection, SqliteTransaction transaction)
        : base(connection, transaction)
    {
        _store = store;
        _connection = connection;
        _transaction = transaction;
    }

    protected override T Translate<T>(Func<T> work) => SqliteStore.Translate(_store.DatabasePath, work);

    protected override void Save(string name) => _transaction.Save(name);

    protected override void RollbackTo(string name) => _transaction.Rollback(name);

    protected override void Release(string name) => _transaction.Release(name);

    // SQLite has rolled back on its own.
    protected override bool IsBrokenConnection(Exception exception) => exception is SqliteException;

    protected override void InsertReviewersAndItems(string campaignId, IReadOnlyList<AccessReviewer> reviewers,
        IEnumerable<AccessReviewItem> items, CancellationToken cancellationToken) =>
        SqliteAccessReviewRows.InsertReviewersAndItems(_connection, _transaction, campaignId, reviewers, items, cancellationToken);

    protected override void SaveResults(IReadOnlyList<AccessReviewApplyResult> results) =>
        SqliteAccessReviewRows.SaveResults(_connection, _transaction, results);
}
