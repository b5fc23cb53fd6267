using System.Text.Json;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Protection;
using IsmsOps.Engine.Snapshots;
using Microsoft.Data.Sqlite;
using static IsmsOps.Engine.Tests.Snapshots.Tenant;

namespace IsmsOps.Engine.Tests.Protection;

public sealed class PersonalDataRemovalTests : IDisposable
{
    private const string AdaObjectId = "0b6f4a1e-8c2d-4e7f-9a3b-1c5d7e9f2a4b";

    private readonly TempWorkspace _store = new();

    private PersonalDataRemoval Removal => _store.Workspace.PersonalDataRemoval;

    private static Person Leaver(string id, DateTime endDate) => new()
    {
        PersonId = id,
        DisplayName = "Leaver " + id,
        Status = PersonStatus.Left,
        StartDate = new DateTime(2019, 1, 7),
        EndDate = endDate,
        PersonalEmail = id.ToLowerInvariant() + "@example.net",
        HomeAddress = "1 Private Road " + id,
    };

    private Task<Person> AddAsync(Person person) => _store.Workspace.People.CreateAsync(person, TempWorkspace.Context, CancellationToken.None);

    private Task<PersonalDataRemovalResult> RemoveAsync(string id, bool force = false) =>
        Removal.RemoveAsync(id, force, TempWorkspace.Context, CancellationToken.None);

    [Fact]
    public async Task Removal_destroys_the_data_key_and_ciphertexts_so_nothing_left_in_the_store_decrypts_them()
    {
        await AddAsync(Leaver("E1001", new DateTime(2020, 3, 31)));
        await AddAsync(Leaver("E2002", new DateTime(2020, 3, 31)));
        (byte[] wrapped, List<byte[]> boxes) = RawRows("E1001");
        byte[] before = RawStoreBytes();

        PersonalDataRemovalResult removed = await RemoveAsync("E1001");

        Assert.Equal(["HomeAddress", "PersonalEmail"], removed.Fields);
        Assert.False(removed.Forced);
        Assert.Equal(0L, Count("SELECT count(*) FROM personal_data_key WHERE person_id = 'E1001';"));
        Assert.Equal(0L, Count("SELECT count(*) FROM personal_data_value WHERE person_id = 'E1001';"));

        // Every data key still in the store, unwrapped with the master key, fails on every shredded ciphertext.
        using MasterKey master = MasterKey.FromBase64(File.ReadAllText(_store.Location.MasterKeyPath), "test");
        foreach ((string personId, string keyId, byte[] otherWrapped) in KeyRows())
        {
            byte[] dataKey = SealedBox.Open(master.Bytes, otherWrapped, string.Join('\n', "ismsops/data-key/v1", personId.ToUpperInvariant(), keyId, master.KeyId))!;
            Assert.NotNull(dataKey);
            foreach (byte[] box in boxes)
            {
                foreach (string field in new[] { "PersonalEmail", "HomeAddress" })
                {
                    Assert.Null(SealedBox.Open(dataKey, box, string.Join('\n', "ismsops/personal-data/v1", "E1001", field, removed.KeyId)));
                    Assert.Null(SealedBox.Open(dataKey, box, string.Join('\n', "ismsops/personal-data/v1", personId.ToUpperInvariant(), field, keyId)));
                }
            }
        }

        // Nor does a copy of the destroyed rows linger in the files (free pages, write-ahead log).
        byte[] files = RawStoreBytes();
        Assert.NotEqual(-1, before.AsSpan().IndexOf(wrapped));
        Assert.Equal(-1, files.AsSpan().IndexOf(wrapped));
        Assert.All(boxes, box => Assert.Equal(-1, files.AsSpan().IndexOf(box)));
        Assert.True((await _store.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task A_copy_of_the_store_taken_before_removal_cannot_be_read_once_the_master_key_has_been_rotated()
    {
        await AddAsync(Leaver("E1001", new DateTime(2020, 3, 31)));
        string copy = Path.Combine(_store.Home, "backup.db");
        _store.Sql($"VACUUM INTO '{copy}';");

        await RemoveAsync("E1001");
        await _store.Workspace.PersonalData.RotateMasterKeyAsync(TempWorkspace.Context, CancellationToken.None);

        using var connection = new SqliteConnection($"Data Source={copy};Pooling=false");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT key_id, master_key_id, wrapped_key FROM personal_data_key WHERE person_id = 'E1001';";
        using SqliteDataReader row = command.ExecuteReader();
        Assert.True(row.Read());
        using MasterKey current = MasterKey.FromBase64(File.ReadAllText(_store.Location.MasterKeyPath), "test");
        Assert.NotEqual(current.KeyId, row.GetString(1));
        Assert.Null(SealedBox.Open(current.Bytes, (byte[])row.GetValue(2), string.Join('\n', "ismsops/data-key/v1", "E1001", row.GetString(0), row.GetString(1))));
    }

    [Fact]
    public async Task The_removal_is_audited_with_ids_field_names_and_basis_and_a_second_run_changes_nothing()
    {
        await AddAsync(Leaver("E1001", new DateTime(2020, 3, 31)));
        string keyId = (await _store.Workspace.PersonalData.DescribeAsync("E1001", CancellationToken.None)).KeyId!;

        await RemoveAsync("E1001");
        int events = _store.Events().Count;
        PersonalDataRemovalResult again = await RemoveAsync("E1001");
        Person read = (await _store.Workspace.People.ReadSensitiveAsync([await _store.Workspace.People.GetAsync("E1001", CancellationToken.None)],
            TempWorkspace.Context, CancellationToken.None)).Single();

        Assert.True(again.AlreadyRemoved);
        Assert.Equal(events, _store.Events().Count);
        Assert.NotNull(read.PersonalDataRemovedAt);
        Assert.Null(read.PersonalEmail);
        AuditEvent e = _store.Events().Single(ev => ev.Action == "Person.PersonalDataRemoved");
        using JsonDocument details = JsonDocument.Parse(e.Details);
        Assert.Equal(keyId, details.RootElement.GetProperty("KeyId").GetString());
        Assert.Equal("EndDate 2020-03-31 + P1Y (Employee)", details.RootElement.GetProperty("RetentionBasis").GetString());
        Assert.False(details.RootElement.GetProperty("Forced").GetBoolean());
        Assert.DoesNotContain("example.net", e.Details, StringComparison.Ordinal);
        Assert.Contains(_store.Events(), ev => ev.Action == "Person.Created" && ev.Target == "person:E1001");
        Assert.True((await _store.VerifyAsync()).IsValid);
        IsmsException refused = await Assert.ThrowsAsync<IsmsException>(() => _store.Workspace.People.UpdateAsync("E1001",
            p => p with { PersonalEmail = "back@example.net" }, null, TempWorkspace.Context, CancellationToken.None));
        Assert.Equal("IsmsOps.PersonalData.Removed", refused.ErrorId);
    }

    [Fact]
    public async Task Before_the_retention_period_ends_removal_is_refused_with_the_date_it_becomes_allowed_unless_forced()
    {
        DateTime today = DateTime.UtcNow.Date;
        await AddAsync(Leaver("E1001", today));

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => RemoveAsync("E1001"));
        Assert.Equal("IsmsOps.PersonalData.RetentionNotPassed", error.ErrorId);
        Assert.Contains(today.AddYears(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), error.Message, StringComparison.Ordinal);
        Assert.Contains("-Force", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(1L, Count("SELECT count(*) FROM personal_data_key;"));

        PersonalDataRemovalResult forced = await RemoveAsync("E1001", force: true);

        Assert.True(forced.Forced);
        Assert.Contains("\"Forced\":true", _store.Events().Single(e => e.Action == "Person.PersonalDataRemoved").Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_person_who_has_not_left_is_refused_even_with_force()
    {
        await AddAsync(Leaver("E1001", new DateTime(2020, 3, 31)) with { Status = PersonStatus.Leaving });

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => RemoveAsync("E1001", force: true));

        Assert.Equal("IsmsOps.PersonalData.NotLeft", error.ErrorId);
        Assert.Equal(1L, Count("SELECT count(*) FROM personal_data_value WHERE person_id = 'E1001' AND name = 'PersonalEmail';"));
    }

    [Fact]
    public async Task A_leaver_with_an_open_offboarding_case_is_refused_even_with_force()
    {
        Person ada = await AddAsync(Leaver("E1001", new DateTime(2020, 3, 31)) with { DirectoryObjectId = AdaObjectId });
        OffboardingPlan plan = OffboardingPlanner.Plan(DirectoryIndex.Build(With([User(AdaObjectId, "ada@contoso.com")], [Group("g-eng", AdaObjectId)])), AdaObjectId);
        OffboardingCase open = await _store.Workspace.Offboarding.CreateAsync(plan, ada, OffboardingUrgency.Standard, null, TempWorkspace.Context, CancellationToken.None);

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => RemoveAsync("E1001", force: true));

        Assert.Equal("IsmsOps.PersonalData.OffboardingOpen", error.ErrorId);
        Assert.Contains(open.CaseId, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_removal_with_the_policy_read_once_holds_every_person_to_that_reading_and_reads_it_once()
    {
        int reads = 0;
        OffboardingPolicy policy = OffboardingPolicy.Default;
        using IsmsWorkspace workspace = IsmsWorkspace.Open(_store.Location, offboardingPolicy: () =>
        {
            reads++;
            return policy;
        });
        PersonalDataRemoval once = workspace.PersonalDataRemoval.WithPolicyReadOnce();
        // A retention of 50 years published while the command runs does not hold back the people it already judges.
        policy = policy with { PersonalDataRetention = new PersonalDataRetentionPolicy { Standard = new IsoDuration(50, 0, 0, TimeSpan.Zero) } };

        var removed = new List<PersonalDataRemovalResult>();
        foreach (string id in new[] { "E1001", "E1002", "E1003" })
        {
            await workspace.People.CreateAsync(Leaver(id, new DateTime(2020, 3, 31)), TempWorkspace.Context, CancellationToken.None);
            await once.PreviewAsync(id, force: false, CancellationToken.None);
            removed.Add(await once.RemoveAsync(id, force: false, TempWorkspace.Context, CancellationToken.None));
        }

        Assert.Equal(1, reads);
        Assert.All(removed, r => Assert.Equal("EndDate 2020-03-31 + P1Y (Employee)", r.RetentionBasis));
        // The next command reads the edited file.
        await workspace.People.CreateAsync(Leaver("E1004", new DateTime(2020, 3, 31)), TempWorkspace.Context, CancellationToken.None);
        IsmsException refused = await Assert.ThrowsAsync<IsmsException>(() => workspace.PersonalDataRemoval.WithPolicyReadOnce().PreviewAsync("E1004", false, CancellationToken.None));
        Assert.Equal("IsmsOps.PersonalData.RetentionNotPassed", refused.ErrorId);
    }

    [Fact]
    public async Task The_preview_names_the_key_and_fields_and_changes_nothing()
    {
        await AddAsync(Leaver("E1001", new DateTime(2020, 3, 31)));
        int events = _store.Events().Count;

        PersonalDataRemovalResult preview = await Removal.PreviewAsync("E1001", force: false, CancellationToken.None);

        Assert.StartsWith("dk-", preview.KeyId, StringComparison.Ordinal);
        Assert.Equal(["HomeAddress", "PersonalEmail"], preview.Fields);
        Assert.Null(preview.RemovedAt);
        Assert.Equal(events, _store.Events().Count);
        Assert.Equal(1L, Count("SELECT count(*) FROM personal_data_key;"));
    }

    private long Count(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_store.Location.DatabasePath};Pooling=false");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    private (byte[] Wrapped, List<byte[]> Boxes) RawRows(string personId)
    {
        using var connection = new SqliteConnection($"Data Source={_store.Location.DatabasePath};Pooling=false");
        connection.Open();
        using SqliteCommand key = connection.CreateCommand();
        key.CommandText = $"SELECT wrapped_key FROM personal_data_key WHERE person_id = '{personId}';";
        byte[] wrapped = (byte[])key.ExecuteScalar()!;
        using SqliteCommand values = connection.CreateCommand();
        values.CommandText = $"SELECT ciphertext FROM personal_data_value WHERE person_id = '{personId}';";
        using SqliteDataReader reader = values.ExecuteReader();
        var boxes = new List<byte[]>();
        while (reader.Read())
        {
            boxes.Add((byte[])reader.GetValue(0));
        }

        return (wrapped, boxes);
    }

    private List<(string PersonId, string KeyId, byte[] Wrapped)> KeyRows()
    {
        using var connection = new SqliteConnection($"Data Source={_store.Location.DatabasePath};Pooling=false");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT person_id, key_id, wrapped_key FROM personal_data_key;";
        using SqliteDataReader reader = command.ExecuteReader();
        var rows = new List<(string, string, byte[])>();
        while (reader.Read())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), (byte[])reader.GetValue(2)));
        }

        Assert.NotEmpty(rows);
        return rows;
    }

    private byte[] RawStoreBytes()
    {
        using var all = new MemoryStream();
        foreach (string file in Directory.GetFiles(_store.Home, "isms.db*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.CopyTo(all);
        }

        return all.ToArray();
    }

    public void Dispose() => _store.Dispose();
}
