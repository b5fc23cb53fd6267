using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Tests;

/// <summary>
/// Savepoints and after-commit work inside one write transaction, which batched HR-feed imports rely on. Part of the
/// store contract: runs against SQLite and against PostgreSQL (the subclasses at the end).
/// </summary>
public abstract class StoreTransactionTests : IDisposable
{
    private readonly TempWorkspace _home;

    protected StoreTransactionTests(string? store) => _home = new TempWorkspace(store);

    public void Dispose() => _home.Dispose();

    private static Person Someone(string id) => new() { PersonId = id, DisplayName = "Someone " + id };

    [Fact]
    public async Task Rolling_back_to_a_savepoint_undoes_only_what_came_after_it_and_the_rest_commits()
    {
        await using (IStoreWriteTransaction transaction = await _home.Workspace.Store.BeginWriteAsync(CancellationToken.None))
        {
            await _home.Workspace.People.CreateAsync(transaction, Someone("E1"), TempWorkspace.Context, CancellationToken.None);
            await transaction.SavepointAsync("row", CancellationToken.None);
            await _home.Workspace.People.CreateAsync(transaction, Someone("E2"), TempWorkspace.Context, CancellationToken.None);
            await transaction.RollbackToSavepointAsync("row", CancellationToken.None);
            await transaction.ReleaseSavepointAsync("row", CancellationToken.None);
            await transaction.SavepointAsync("row", CancellationToken.None);
            await _home.Workspace.People.CreateAsync(transaction, Someone("E3"), TempWorkspace.Context, CancellationToken.None);
            await transaction.ReleaseSavepointAsync("row", CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }

        IReadOnlyList<Person> people = await _home.Workspace.People.FindAsync(new PersonQuery(), CancellationToken.None);
        Assert.Equal(["E1", "E3"], people.Select(p => p.PersonId));
        Assert.Equal(["person:E1", "person:E3"], _home.Events().Select(e => e.Target));
        Assert.True((await _home.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Work_registered_to_run_after_commit_is_dropped_with_the_savepoint_it_was_registered_in()
    {
        var ran = new List<string>();
        await using (IStoreWriteTransaction transaction = await _home.Workspace.Store.BeginWriteAsync(CancellationToken.None))
        {
            transaction.AfterCommit(() => ran.Add("before"));
            await transaction.SavepointAsync("row", CancellationToken.None);
            transaction.AfterCommit(() => ran.Add("rolled back"));
            await transaction.RollbackToSavepointAsync("row", CancellationToken.None);
            await transaction.ReleaseSavepointAsync("row", CancellationToken.None);
            transaction.AfterCommit(() => ran.Add("after"));
            await transaction.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(["before", "after"], ran);
    }

    [Fact]
    public async Task Rolling_back_to_an_outer_savepoint_undoes_the_inner_ones_and_leaves_the_outer_one_open_to_release()
    {
        await using (IStoreWriteTransaction transaction = await _home.Workspace.Store.BeginWriteAsync(CancellationToken.None))
        {
            await transaction.SavepointAsync("outer", CancellationToken.None);
            await _home.Workspace.People.CreateAsync(transaction, Someone("E1"), TempWorkspace.Context, CancellationToken.None);
            await transaction.SavepointAsync("inner", CancellationToken.None);
            await _home.Workspace.People.CreateAsync(transaction, Someone("E2"), TempWorkspace.Context, CancellationToken.None);
            await transaction.RollbackToSavepointAsync("outer", CancellationToken.None);
            await Assert.ThrowsAsync<InvalidOperationException>(() => transaction.ReleaseSavepointAsync("inner", CancellationToken.None));
            await _home.Workspace.People.CreateAsync(transaction, Someone("E3"), TempWorkspace.Context, CancellationToken.None);
            await transaction.ReleaseSavepointAsync("outer", CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(["E3"], (await _home.Workspace.People.FindAsync(new PersonQuery(), CancellationToken.None)).Select(p => p.PersonId));
        Assert.True((await _home.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Of_the_work_registered_under_one_key_only_the_last_still_registered_runs_after_commit()
    {
        var ran = new List<string>();
        await using (IStoreWriteTransaction transaction = await _home.Workspace.Store.BeginWriteAsync(CancellationToken.None))
        {
            transaction.AfterCommit("k", () => ran.Add("k1"));
            transaction.AfterCommit(() => ran.Add("plain"));
            transaction.AfterCommit("k", () => ran.Add("k2"));
            await transaction.SavepointAsync("row", CancellationToken.None);
            transaction.AfterCommit("k", () => ran.Add("k3, rolled back"));
            await transaction.RollbackToSavepointAsync("row", CancellationToken.None);
            await transaction.ReleaseSavepointAsync("row", CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(["plain", "k2"], ran);
    }

    [Fact]
    public async Task A_transaction_that_appends_many_times_leaves_the_witness_at_its_newest_checkpoint_and_the_next_append_accepts_it()
    {
        await using (IStoreWriteTransaction transaction = await _home.Workspace.Store.BeginWriteAsync(CancellationToken.None))
        {
            for (int i = 1; i <= 5; i++)
            {
                await _home.Workspace.Audit.AppendAsync(transaction, [new AuditEventDraft("Test.Event", "thing:" + i, "{}")], TempWorkspace.Context,
                    CancellationToken.None);
            }

            await transaction.SavepointAsync("row", CancellationToken.None);
            await _home.Workspace.Audit.AppendAsync(transaction, [new AuditEventDraft("Test.Event", "thing:6", "{}")], TempWorkspace.Context, CancellationToken.None);
            await transaction.RollbackToSavepointAsync("row", CancellationToken.None);
            await transaction.ReleaseSavepointAsync("row", CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }

        AuditCheckpoint witness = HeadWitness.Read(_home.Location.HeadWitnessPath)!;
        Assert.Equal(5, witness.Sequence);
        Assert.Equal(_home.Events()[^1].Hash, witness.HeadHash);
        await _home.AppendEventsAsync(1);
        Assert.True((await _home.VerifyAsync()).IsValid);
    }
}

/// <summary>The transaction contract on the embedded store.</summary>
public sealed class SqliteStoreTransactionTests() : StoreTransactionTests(TempWorkspace.Embedded);

/// <summary>The transaction contract on the shared store.</summary>
public sealed class PostgresStoreTransactionTests() : StoreTransactionTests(Storage.PostgresCluster.Shared.CreateDatabase());
