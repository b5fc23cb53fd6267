using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace IsmsOps.Engine.Tests.Audit;

/// <summary>End to end through the SQLite store: what is appended verifies, and an edit made behind IsmsOps's back is found.</summary>
public sealed class AuditVerificationTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("ismsops-enginetest-").FullName;

    [Fact]
    public async Task A_trail_appended_in_batches_verifies_with_every_event_counted()
    {
        using IsmsWorkspace workspace = await WorkspaceWithEventsAsync(batches: 5, batchSize: 40);

        AuditVerificationResult result = await workspace.Audit.VerifyAsync([], CancellationToken.None);

        Assert.True(result.IsValid, result.Message);
        Assert.Equal(200, result.EventCount);
        Assert.Equal(200, result.HeadSequence);
        Assert.Equal(2, result.CheckpointCount); // the store's one, and the head witness kept outside the database
        Assert.Equal(200, result.LastCheckpointSequence);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ada@contoso.example")]
    [InlineData("Ådå Łovelace 漢字 😀")]
    public async Task Events_read_back_from_the_store_are_the_events_appended(string? identity)
    {
        using IsmsWorkspace workspace = IsmsWorkspace.Open(new StoreLocation(_home));
        var context = new OperationContext("CONTOSO\\ada", identity, Guid.NewGuid().ToString("D"));
        IReadOnlyList<AuditEvent> appended = await workspace.Audit.AppendAsync(
            [new AuditEventDraft("Person.Created", "person:É1", "{\"displayName\":\"Zoë\"}"), new AuditEventDraft("Person.Updated", "person:É1", "{}")],
            context, CancellationToken.None);

        AuditEvent[] read = workspace.Store.ReadAuditEvents(AuditEventQuery.All, CancellationToken.None).ToArray();

        Assert.Equal(appended, read);
        Assert.True((await workspace.Audit.VerifyAsync([], CancellationToken.None)).IsValid);
    }

    [Fact]
    public async Task Checkpoints_read_back_are_the_signed_heads_of_the_newest_append_in_each_thousand_events()
    {
        using IsmsWorkspace workspace = await WorkspaceWithEventsAsync(batches: 3, batchSize: 600);

        IReadOnlyList<AuditCheckpoint> checkpoints = await workspace.Store.ReadCheckpointsAsync(CancellationToken.None);

        Assert.Equal([600L, 1800L], checkpoints.Select(c => c.Sequence));
        Assert.All(checkpoints, c =>
        {
            Assert.Equal(workspace.Audit.SigningKeyId, c.KeyId);
            Assert.True(CheckpointSigner.VerifySignature(c));
        });
        Assert.Equal(2, checkpoints.Select(c => c.Signature).Distinct().Count());
    }

    [Fact]
    public async Task Details_edited_in_the_database_are_reported_as_an_edit_of_that_event()
    {
        using IsmsWorkspace workspace = await WorkspaceWithEventsAsync(batches: 3, batchSize: 10);
        Execute(workspace, "UPDATE audit_event SET details = '{\"changes\":{}}' WHERE seq = 17;");

        AuditVerificationResult result = await workspace.Audit.VerifyAsync([], CancellationToken.None);

        Assert.False(result.IsValid);
        Assert.Equal(TamperKind.Edit, result.Tampering);
        Assert.Equal(17, result.FirstBadSequence);
    }

    [Fact]
    public async Task A_stored_hash_in_upper_case_does_not_match()
    {
        using IsmsWorkspace workspace = await WorkspaceWithEventsAsync(batches: 1, batchSize: 10);
        Execute(workspace, "UPDATE audit_event SET hash = upper(hash) WHERE seq = 4;");

        AuditVerificationResult result = await workspace.Audit.VerifyAsync([], CancellationToken.None);

        Assert.False(result.IsValid);
        Assert.Equal(4, result.FirstBadSequence);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }

    private async Task<IsmsWorkspace> WorkspaceWithEventsAsync(int batches, int batchSize)
    {
        IsmsWorkspace workspace = IsmsWorkspace.Open(new StoreLocation(_home));
        var context = new OperationContext("CONTOSO\\ada", null, Guid.NewGuid().ToString("D"));
        for (int b = 0; b < batches; b++)
        {
            AuditEventDraft[] drafts = Enumerable.Range(0, batchSize)
                .Select(i => new AuditEventDraft("Person.Updated", $"person:E{b}{i}", new AuditDetails().AddChange("department", "Finance", "Forschung & Entwicklung").ToJson()))
                .ToArray();
            await workspace.Audit.AppendAsync(drafts, context, CancellationToken.None);
        }

        return workspace;
    }

    private static void Execute(IsmsWorkspace workspace, string sql)
    {
        using SqliteConnection connection = ((SqliteStore)workspace.Store).OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
