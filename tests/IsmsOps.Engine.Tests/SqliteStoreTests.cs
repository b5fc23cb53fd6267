using System.Diagnostics;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace IsmsOps.Engine.Tests;

/// <summary>First use, and every way the store's file or folder can be wrong.</summary>
public sealed class SqliteStoreTests : IDisposable
{
    private readonly string _home = Directory.CreateTempSubdirectory("ismsops-store-").FullName;

    private StoreLocation Location => new(_home);

    [Fact]
    public void First_use_creates_the_store_in_WAL_mode_at_the_latest_schema_and_a_private_signing_key()
    {
        using (IsmsWorkspace workspace = IsmsWorkspace.Open(Location))
        {
            Assert.Equal(SqliteSchema.LatestVersion, workspace.Store.SchemaVersion);
        }

        using var connection = new SqliteConnection($"Data Source={Location.DatabasePath};Pooling=false");
        connection.Open();
        Assert.Equal("wal", SqliteStore.ScalarText(connection, "PRAGMA journal_mode;"));
        Assert.Equal(SqliteSchema.ApplicationId, SqliteStore.Scalar(connection, "PRAGMA application_id;"));
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Location.SigningKeyPath));
        }
    }

    [Fact]
    public async Task A_file_that_is_not_a_database_is_refused_as_corrupt_and_left_untouched()
    {
        byte[] content = "this is a spreadsheet, not a database\n"u8.ToArray().Concat(new byte[8192]).ToArray();
        await File.WriteAllBytesAsync(Location.DatabasePath, content);

        IsmsException error = Assert.Throws<IsmsException>(() => IsmsWorkspace.Open(Location));
        Assert.Equal("IsmsOps.Store.Corrupt", error.ErrorId);
        Assert.Contains(Location.DatabasePath, error.Message, StringComparison.Ordinal);
        Assert.Contains("ISMSOPS_HOME", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(content, await File.ReadAllBytesAsync(Location.DatabasePath));
    }

    [Fact]
    public async Task Another_applications_SQLite_database_is_refused_as_foreign_and_left_untouched()
    {
        using (var connection = new SqliteConnection($"Data Source={Location.DatabasePath};Pooling=false"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "CREATE TABLE invoices (id INTEGER); INSERT INTO invoices VALUES (7);";
            command.ExecuteNonQuery();
        }

        byte[] before = await File.ReadAllBytesAsync(Location.DatabasePath);
        IsmsException error = Assert.Throws<IsmsException>(() => IsmsWorkspace.Open(Location));
        Assert.Equal("IsmsOps.Store.Foreign", error.ErrorId);
        Assert.Equal(before, await File.ReadAllBytesAsync(Location.DatabasePath));
    }

    [Fact]
    public async Task A_store_from_a_newer_schema_is_refused_and_its_data_kept()
    {
        using (IsmsWorkspace workspace = IsmsWorkspace.Open(Location))
        {
            await workspace.People.CreateAsync(new Person { PersonId = "E1", DisplayName = "Ada" }, TempWorkspace.Context, CancellationToken.None);
        }

        SetUserVersion(SqliteSchema.LatestVersion + 1);
        IsmsException error = Assert.Throws<IsmsException>(() => IsmsWorkspace.Open(Location));
        Assert.Equal("IsmsOps.Store.NewerSchema", error.ErrorId);
        Assert.Equal(IsmsErrorKind.NotSupportedVersion, error.Kind);
        Assert.Contains("Update the IsmsOps module", error.RecommendedAction, StringComparison.Ordinal);

        SetUserVersion(SqliteSchema.LatestVersion);
        using IsmsWorkspace reopened = IsmsWorkspace.Open(Location);
        Assert.Equal("Ada", (await reopened.People.GetAsync("E1", CancellationToken.None)).DisplayName);
    }

    [Fact]
    public void A_home_under_a_read_only_folder_is_refused_with_the_fix()
    {
        string parent = Path.Combine(_home, "locked");
        Directory.CreateDirectory(parent);
        using (ReadOnlyFolder.Lock(parent))
        {
            IsmsException error = Assert.Throws<IsmsException>(() => IsmsWorkspace.Open(new StoreLocation(Path.Combine(parent, "isms"))));
            Assert.Equal("IsmsOps.Store.NotWritable", error.ErrorId);
            Assert.Contains("ISMSOPS_HOME", error.RecommendedAction, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_store_whose_folder_became_read_only_fails_clearly_and_loses_nothing()
    {
        using (IsmsWorkspace workspace = IsmsWorkspace.Open(Location))
        {
            await workspace.People.CreateAsync(new Person { PersonId = "E1", DisplayName = "Ada" }, TempWorkspace.Context, CancellationToken.None);
        }

        using (ReadOnlyFolder.Lock(_home))
        {
            IsmsException error = await Assert.ThrowsAsync<IsmsException>(async () =>
            {
                using IsmsWorkspace workspace = IsmsWorkspace.Open(Location);
                await workspace.People.CreateAsync(new Person { PersonId = "E2", DisplayName = "Grace" }, TempWorkspace.Context, CancellationToken.None);
            });
            Assert.Equal("IsmsOps.Store.NotWritable", error.ErrorId);
        }

        using IsmsWorkspace after = IsmsWorkspace.Open(Location);
        Assert.Equal(["E1"], (await after.People.FindAsync(new PersonQuery(), CancellationToken.None)).Select(p => p.PersonId));
        Assert.True((await after.Audit.VerifyAsync([], CancellationToken.None)).IsValid);
    }

    private void SetUserVersion(int version)
    {
        SqliteConnection.ClearAllPools();
        using var connection = new SqliteConnection($"Data Source={Location.DatabasePath};Pooling=false");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = $"PRAGMA user_version={version};";
        command.ExecuteNonQuery();
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_home, recursive: true);
    }
}

/// <summary>
/// Makes a folder read-only for the current user. Root ignores permission bits, so as root the folder is made
/// immutable (chattr +i), which binds root too.
/// </summary>
internal sealed class ReadOnlyFolder : IDisposable
{
    private readonly string _path;
    private readonly bool _immutable;
    private readonly UnixFileMode _mode;

    private ReadOnlyFolder(string path, bool immutable, UnixFileMode mode)
    {
        _path = path;
        _immutable = immutable;
        _mode = mode;
    }

    public static ReadOnlyFolder Lock(string path)
    {
        SqliteConnection.ClearAllPools();
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The read-only folder tests use POSIX permissions.");
        }

        UnixFileMode mode = File.GetUnixFileMode(path);
        if (Environment.UserName != "root")
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserExecute);
            return new ReadOnlyFolder(path, immutable: false, mode);
        }

        Chattr("+i", path);
        return new ReadOnlyFolder(path, immutable: true, mode);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        if (_immutable)
        {
            Chattr("-i", _path);
        }
        else
        {
            File.SetUnixFileMode(_path, _mode);
        }
    }

    private static void Chattr(string flag, string path)
    {
        using Process process = Process.Start(new ProcessStartInfo("chattr", [flag, path]) { RedirectStandardError = true })!;
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"Running as root, the test needs 'chattr {flag}' to make a folder read-only, and it failed: {error}");
        }
    }
}
