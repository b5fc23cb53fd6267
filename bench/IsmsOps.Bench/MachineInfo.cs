using System.Globalization;
using System.Runtime.InteropServices;

namespace IsmsOps.Bench;

/// <summary>The machine a table was measured on, printed above it: figures mean little without it.</summary>
internal static class MachineInfo
{
    public static string Describe()
    {
        string temp = Path.GetTempPath();
        return string.Join(Environment.NewLine,
            $"- measured: {DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC",
            $"- cores (nproc): {Environment.ProcessorCount}; CPU: {CpuModel()}",
            $"- runtime: {RuntimeInformation.FrameworkDescription} ({RuntimeInformation.RuntimeIdentifier}), workstation GC; OS: {RuntimeInformation.OSDescription}",
            $"- stores in {temp} on {FileSystemOf(temp)}",
            $"- load average at the end (1, 5, 15 min): {LoadAverage()}");
    }

    private static string CpuModel() => FirstValue("/proc/cpuinfo", "model name") ?? RuntimeInformation.ProcessArchitecture.ToString();

    private static string LoadAverage()
    {
        try
        {
            string[] parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(", ", parts.Take(3));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string? FirstValue(string path, string key)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (string line in File.ReadLines(path))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line[..colon].Trim() == key)
            {
                return line[(colon + 1)..].Trim();
            }
        }

        return null;
    }

    // The mount that holds the path (longest matching mount point), from /proc/mounts: "device mountpoint type ...".
    private static string FileSystemOf(string path)
    {
        if (!File.Exists("/proc/mounts"))
        {
            return "unknown file system";
        }

        string full = Path.GetFullPath(path);
        (string Mount, string Device, string Type) best = ("", "?", "?");
        foreach (string line in File.ReadLines("/proc/mounts"))
        {
            string[] f = line.Split(' ');
            if (f.Length < 3)
            {
                continue;
            }

            string mount = f[1].EndsWith('/') ? f[1] : f[1] + "/";
            if (full.StartsWith(mount, StringComparison.Ordinal) && mount.Length > best.Mount.Length)
            {
                best = (mount, f[0], f[2]);
            }
        }

        return $"{best.Type} ({best.Device} at {best.Mount})";
    }
}
