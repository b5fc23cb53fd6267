using System.Text;
using System.Text.Json;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Protection;
using Microsoft.Data.Sqlite;

namespace IsmsOps.Engine.Tests.Protection;

public sealed class PersonalDataVaultTests : IDisposable
{
    private const string Email = "ada.private@example.net";
    private const string Phone = "+44 20 7946 0999";
    private const string Address = "12 Analytical Lane, Marylebone, London";

    private readonly TempWorkspace _store = new();

    private PeopleRegister People => _store.Workspace.People;

    private static Person Ada => new()
    {
        PersonId = "E1001",
        DisplayName = "Ada Lovelace",
        PersonalEmail = Email,
        PersonalPhone = Phone,
        HomeAddress = Address,
    };

    private async Task<Person> ReadSensitiveAsync(string personId) =>
        (await People.ReadSensitiveAsync([await People.GetAsync(personId, CancellationToken.None)], TempWorkspace.Context, CancellationToken.None)).Single();

    [Fact]
    public async Task Sensitive_fields_never_reach_the_database_files_or_the_audit_trail_in_plain_text()
    {
        Person created = await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        await People.UpdateAsync("E1001", p => p with { PersonalPhone = "+44 20 7946 0111", Department = "Research" }, null, TempWorkspace.Context, CancellationToken.None);

        Assert.Null(created.PersonalEmail);
        Assert.Null((await People.GetAsync("E1001", CancellationToken.None)).HomeAddress);
        byte[] files = RawStoreBytes();
        foreach (string secret in new[] { Email, Phone, Address, "+44 20 7946 0111", "Analytical" })
        {
            Assert.Equal(-1, files.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)));
            Assert.DoesNotContain(_store.Events(), e => e.Details.Contains(secret, StringComparison.Ordinal));
        }

        using JsonDocument createdEvent = JsonDocument.Parse(_store.Events().Single(e => e.Action == "Person.Created").Details);
        Assert.Equal(["HomeAddress", "PersonalEmail", "PersonalPhone"],
            createdEvent.RootElement.GetProperty("SensitiveFields").EnumerateArray().Select(f => f.GetString()).Order());
        using JsonDocument updated = JsonDocument.Parse(_store.Events().Single(e => e.Action == "Person.Updated").Details);
        Assert.Equal(["PersonalPhone"], updated.RootElement.GetProperty("SensitiveFields").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("Research", updated.RootElement.GetProperty("changes").GetProperty("Department").GetProperty("to").GetString());
    }

    [Fact]
    public async Task An_audited_read_decrypts_the_fields_and_records_the_field_names_but_no_values()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);

        Person read = await ReadSensitiveAsync("e1001");

        Assert.Equal((Email, Phone, Address), (read.PersonalEmail, read.PersonalPhone, read.HomeAddress));
        AuditEvent e = _store.Events().Single(ev => ev.Action == "PersonalData.Read");
        Assert.Equal("person:E1001", e.Target, ignoreCase: true);
        Assert.Contains("PersonalEmail", e.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("example.net", e.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Setting_a_sensitive_field_to_its_current_value_changes_and_audits_nothing_and_an_empty_value_clears_it()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        int events = _store.Events().Count;

        Person same = await People.UpdateAsync("E1001", p => p with { PersonalEmail = Email }, null, TempWorkspace.Context, CancellationToken.None);
        await People.UpdateAsync("E1001", p => p with { HomeAddress = null }, null, TempWorkspace.Context, CancellationToken.None);

        Assert.Equal(1, same.Version);
        Assert.Equal(events + 1, _store.Events().Count);
        Person read = await ReadSensitiveAsync("E1001");
        Assert.Null(read.HomeAddress);
        Assert.Equal(Email, read.PersonalEmail);
    }

    [Fact]
    public async Task A_bad_sensitive_value_is_refused_without_repeating_it()
    {
        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() =>
            People.CreateAsync(Ada with { PersonalEmail = "secret-not-an-address" }, TempWorkspace.Context, CancellationToken.None));

        Assert.Equal("IsmsOps.Person.InvalidPersonalEmail", error.ErrorId);
        Assert.DoesNotContain("secret-not-an-address", error.Message, StringComparison.Ordinal);
        Assert.Equal("PersonalEmail", error.Target);
        Assert.Empty(_store.Events());
    }

    [Fact]
    public async Task The_master_key_file_is_made_on_first_use_for_the_owner_only()
    {
        Assert.False(File.Exists(_store.Location.MasterKeyPath));

        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);

        Assert.True(File.Exists(_store.Location.MasterKeyPath));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_store.Location.MasterKeyPath));
        }
    }

    [Fact]
    public async Task With_the_master_key_missing_nothing_decrypts_and_no_new_key_is_made_silently()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        File.Delete(_store.Location.MasterKeyPath);

        IsmsException read = await Assert.ThrowsAsync<IsmsException>(() => ReadSensitiveAsync("E1001"));
        IsmsException create = await Assert.ThrowsAsync<IsmsException>(() =>
            People.CreateAsync(Ada with { PersonId = "E1002" }, TempWorkspace.Context, CancellationToken.None));

        Assert.Equal("IsmsOps.PersonalData.MasterKeyMissing", read.ErrorId);
        Assert.Equal("IsmsOps.PersonalData.MasterKeyMissing", create.ErrorId);
        Assert.False(File.Exists(_store.Location.MasterKeyPath));
        Assert.DoesNotContain(_store.Events(), e => e.Target == "person:E1002");
    }

    [Fact]
    public async Task A_different_master_key_is_refused_by_id_and_never_printed()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        string wrong = Convert.ToBase64String(new byte[32]);
        File.WriteAllText(_store.Location.MasterKeyPath, wrong);

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => ReadSensitiveAsync("E1001"));

        Assert.Equal("IsmsOps.PersonalData.MasterKeyMissing", error.ErrorId);
        Assert.Contains("mk-", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_master_key_from_the_environment_is_used_and_no_key_file_is_written()
    {
        string key = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var source = new MasterKeySource(_store.Location.MasterKeyPath, name => name == MasterKeySource.Variable ? key : null);
        var vault = new PersonalDataVault(_store.Workspace.Store, _store.Workspace.Audit, source);
        var people = new PeopleRegister(_store.Workspace.Store, _store.Workspace.Audit, null, vault);

        await people.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        Person read = (await people.ReadSensitiveAsync([await people.GetAsync("E1001", CancellationToken.None)], TempWorkspace.Context, CancellationToken.None)).Single();

        Assert.Equal(Email, read.PersonalEmail);
        Assert.False(File.Exists(_store.Location.MasterKeyPath));
        await Assert.ThrowsAsync<IsmsException>(() => ReadSensitiveAsync("E1001"));
    }

    [Fact]
    public async Task A_tampered_ciphertext_is_refused()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        byte[] box = Ciphertext("E1001", "PersonalEmail");
        box[^1] ^= 0x01;
        SetCiphertext("E1001", "PersonalEmail", box);

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => ReadSensitiveAsync("E1001"));

        Assert.Equal("IsmsOps.PersonalData.Undecryptable", error.ErrorId);
        Assert.Contains("PersonalEmail", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("E1001", "PersonalPhone")]
    [InlineData("E2002", "PersonalEmail")]
    public async Task A_ciphertext_moved_to_another_field_or_person_does_not_decrypt(string toPerson, string toField)
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        await People.CreateAsync(Ada with { PersonId = "E2002", DisplayName = "Grace", PersonalEmail = "grace@example.net" }, TempWorkspace.Context, CancellationToken.None);

        SetCiphertext(toPerson, toField, Ciphertext("E1001", "PersonalEmail"));

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => ReadSensitiveAsync(toPerson));
        Assert.Equal("IsmsOps.PersonalData.Undecryptable", error.ErrorId);
    }

    [Fact]
    public async Task A_data_key_moved_to_another_person_does_not_unwrap()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        await People.CreateAsync(Ada with { PersonId = "E2002", DisplayName = "Grace" }, TempWorkspace.Context, CancellationToken.None);
        _store.Sql("UPDATE personal_data_key SET wrapped_key = (SELECT wrapped_key FROM personal_data_key WHERE person_id = 'E1001') WHERE person_id = 'E2002';");

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => ReadSensitiveAsync("E2002"));

        Assert.Equal("IsmsOps.PersonalData.Undecryptable", error.ErrorId);
        Assert.Equal(Email, (await ReadSensitiveAsync("E1001")).PersonalEmail);
    }

    [Fact]
    public async Task Rotating_the_master_key_rewraps_every_data_key_and_the_old_key_no_longer_opens_them()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        await People.CreateAsync(Ada with { PersonId = "E2002", DisplayName = "Grace", PersonalEmail = "grace@example.net" }, TempWorkspace.Context, CancellationToken.None);
        string oldKey = File.ReadAllText(_store.Location.MasterKeyPath);

        MasterKeyRotation rotation = await _store.Workspace.PersonalData.RotateMasterKeyAsync(TempWorkspace.Context, CancellationToken.None);
        _store.Reopen();

        Assert.Equal(2, rotation.DataKeysRewrapped);
        Assert.NotEqual(rotation.OldKeyId, rotation.NewKeyId);
        Assert.False(File.Exists(_store.Location.MasterKeyPath + ".next"));
        Assert.NotEqual(oldKey, File.ReadAllText(_store.Location.MasterKeyPath));
        Assert.Equal("grace@example.net", (await ReadSensitiveAsync("E2002")).PersonalEmail);
        Assert.Equal(Address, (await ReadSensitiveAsync("E1001")).HomeAddress);
        AuditEvent rotated = _store.Events().Single(e => e.Action == "PersonalData.MasterKeyRotated");
        Assert.Contains(rotation.NewKeyId, rotated.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(File.ReadAllText(_store.Location.MasterKeyPath), rotated.Details, StringComparison.Ordinal);
        Assert.True((await _store.VerifyAsync()).IsValid);

        File.WriteAllText(_store.Location.MasterKeyPath, oldKey);
        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => ReadSensitiveAsync("E1001"));
        Assert.Equal("IsmsOps.PersonalData.MasterKeyMissing", error.ErrorId);
    }

    [Fact]
    public async Task A_rotation_interrupted_after_its_commit_is_completed_from_the_next_key_file()
    {
        await People.CreateAsync(Ada, TempWorkspace.Context, CancellationToken.None);
        string path = _store.Location.MasterKeyPath;
        string oldKey = File.ReadAllText(path);
        await _store.Workspace.PersonalData.RotateMasterKeyAsync(TempWorkspace.Context, CancellationToken.None);
        // As if the process died between the commit and the rename: the new key still sits in .next.
        File.Move(path, path + ".next");
        File.WriteAllText(path, oldKey);

        Person read = await ReadSensitiveAsync("E1001");
        await People.CreateAsync(Ada with { PersonId = "E2002", DisplayName = "Grace" }, TempWorkspace.Context, CancellationToken.None);

        Assert.Equal(Email, read.PersonalEmail);
        Assert.False(File.Exists(path + ".next"));
        Assert.Equal(Phone, (await ReadSensitiveAsync("E2002")).PersonalPhone);
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

    private byte[] Ciphertext(string personId, string name)
    {
        using var connection = new SqliteConnection($"Data Source={_store.Location.DatabasePath};Pooling=false");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT ciphertext FROM personal_data_value WHERE person_id = $p AND name = $n;";
        command.Parameters.AddWithValue("$p", personId);
        command.Parameters.AddWithValue("$n", name);
        return (byte[])command.ExecuteScalar()!;
    }

    private void SetCiphertext(string personId, string name, byte[] box) =>
        _store.Sql("UPDATE personal_data_value SET ciphertext = $c WHERE person_id = $p AND name = $n;", ("$c", box), ("$p", personId), ("$n", name));

    public void Dispose() => _store.Dispose();
}
