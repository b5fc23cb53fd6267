using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace IsmsOps.Engine.Tests.Storage;

/// <summary>
/// A throwaway PostgreSQL server for the tests: initdb in a temporary folder (as the postgres user when the tests run
/// as root, since initdb refuses root), started with pg_ctl on a free loopback port, password authentication on, torn
/// down when the test run ends. One server per test run; each test class gets databases of its own. When no server
/// can start, every test that asks for one FAILS with the reason: these tests are never skipped.
/// </summary>
internal sealed class PostgresCluster
{
    /// <summary>The superuser's password (a test secret; the redaction tests look for it in messages).</summary>
    public const string Password = "pg-Test-Secret-7f3a";

    private static readonly Lazy<PostgresCluster> s_shared = new(() => Start(durable: false), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _bin;
    private readonly string _data;
    private readonly string? _runAs;

    private readonly bool _durable;

    private PostgresCluster(string bin, string folder, string? runAs, int port, bool durable)
    {
        _durable = durable;
        _bin = bin;
        Folder = folder;
        _data = Path.Combine(folder, "data");
        _runAs = runAs;
        Port = port;
    }

    public static PostgresCluster Shared => s_shared.Value;

    public string Folder { get; }

    public int Port { get; }

    /// <summary>A connection string for <paramref name="database"/> as the superuser.</summary>
    public string ConnectionString(string database = "postgres", string? password = Password, string? username = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1",
        Port = Port,
        Database = database,
        Username = username,
        Password = password,
        Pooling = true,
        Timeout = 5,
    }.ConnectionString;

    /// <summary>Creates an empty database of its own and returns its connection string.</summary>
    public string CreateDatabase()
    {
        string name = "t_" + Guid.NewGuid().ToString("N")[..16];
        Execute($"CREATE DATABASE {name};");
        return ConnectionString(name);
    }

    /// <summary>Runs SQL as the superuser in <paramref name="database"/>.</summary>
    public void Execute(string sql, string database = "postgres")
    {
        using var connection = new NpgsqlConnection(ConnectionString(database) + ";Pooling=false");
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>Stops and starts the server (fast shutdown: open sessions are terminated with 57P01).</summary>
    public void Restart() => PgCtl("restart", "-m", "fast", "-w", "-o", ServerOptions());

    // Tests skip the disk flush (their data is thrown away); the benchmark's server flushes like a production one.
    private string ServerOptions() => $"-p {Port} -k {_data} -c listen_addresses=127.0.0.1 -c fsync={(_durable ? "on" : "off")} -c max_connections=100";

    /// <summary>Starts a server of its own (the tests share <see cref="Shared"/>); <paramref name="durable"/> keeps fsync on.</summary>
    public static PostgresCluster Start(bool durable)
    {
        string bin = FindBin();
        RemoveStoppedClusters();
        string? runAs = Environment.UserName == "root" || IsRoot() ? "postgres" : null;
        string folder = Directory.CreateTempSubdirectory("ismsops-pg-").FullName;
        int port = FreePort();
        var cluster = new PostgresCluster(bin, folder, runAs, port, durable);
        string pwfile = Path.Combine(folder, "pwfile");
        File.WriteAllText(pwfile, Password + "\n");
        if (runAs is not null)
        {
            Run("chown", ["-R", runAs, folder]);
        }

        cluster.RunTool("initdb", "-D", cluster._data, "-U", "postgres", "--auth=scram-sha-256", "--pwfile=" + pwfile, "-E", "UTF8", "--locale=C.UTF-8");
        cluster.PgCtl("start", "-w", "-t", "60", "-l", Path.Combine(folder, "server.log"), "-o", cluster.ServerOptions());
        AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
        return cluster;
    }

    /// <summary>Stops the server and deletes its folder.</summary>
    public void Stop()
    {
        try
        {
            PgCtl("stop", "-m", "immediate", "-w");
        }
        catch (InvalidOperationException)
        {
            // Already down; the folder goes either way.
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    // A test host that is killed, or ends before its exit handler has deleted the folder, leaves a stopped cluster's
    // folder behind: remove those (a running one has data/postmaster.pid and is left alone).
    private static void RemoveStoppedClusters()
    {
        foreach (string folder in Directory.GetDirectories(Path.GetTempPath(), "ismsops-pg-*"))
        {
            try
            {
                if (!File.Exists(Path.Combine(folder, "data", "postmaster.pid")) && Directory.GetLastWriteTimeUtc(folder) < DateTime.UtcNow.AddMinutes(-1))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    private void PgCtl(params string[] arguments) => RunTool("pg_ctl", ["-D", _data, .. arguments]);

    private void RunTool(string tool, params string[] arguments)
    {
        string exe = Path.Combine(_bin, tool);
        if (_runAs is null)
        {
            Run(exe, arguments);
        }
        else
        {
            Run("runuser", ["-u", _runAs, "--", exe, .. arguments]);
        }
    }

    private static void Run(string file, string[] arguments)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"The test PostgreSQL server could not be set up: '{file} {string.Join(' ', arguments)}' exited with {process.ExitCode}.\n{output.Result}\n{error.Result}\n" +
                "Install the server (apt-get install postgresql-15; .ci/run does this) and make sure the 'postgres' user exists.");
        }
    }

    private static string FindBin()
    {
        string root = "/usr/lib/postgresql";
        string? bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "No PostgreSQL server found (no /usr/lib/postgresql/*/bin/initdb). The PostgreSQL store tests need one: apt-get install postgresql-15 (.ci/run does this).");
    }

    private static bool IsRoot() => File.Exists("/proc/self/status") &&
        File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("Uid:", StringComparison.Ordinal))?.Split('\t', StringSplitOptions.RemoveEmptyEntries)[1] == "0";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
