using System.Management.Automation.Language;

namespace IsmsOps.Host;

/// <summary>Where the IsmsOps module is, and the folder to put on PSModulePath so that it imports by name.</summary>
/// <param name="ManifestPath">The full path of IsmsOps.psd1.</param>
/// <param name="ModulePathEntry">
/// The folder that holds the <c>IsmsOps</c> folder, or null when the manifest does not sit in a layout PowerShell can
/// find by name (…/IsmsOps/IsmsOps.psd1 or …/IsmsOps/&lt;version&gt;/IsmsOps.psd1).
/// </param>
internal sealed record ModuleLocation(string ManifestPath, string? ModulePathEntry)
{
    /// <summary>Overrides where the host looks for the module.</summary>
    public const string PathVariable = "ISMSOPS_MODULE_PATH";

    private const string ManifestName = "IsmsOps.psd1";

    /// <summary>The ModuleVersion the manifest declares, read without a runspace.</summary>
    public string ModuleVersion => ReadModuleVersion(ManifestPath);

    /// <summary>
    /// Finds the module from <c>ISMSOPS_MODULE_PATH</c>, else in <c>../IsmsOps</c> beside the host. Returns null and the
    /// places searched when it is not there.
    /// </summary>
    public static ModuleLocation? Find(out string searched)
    {
        string? configured = Environment.GetEnvironmentVariable(PathVariable);
        string start = string.IsNullOrWhiteSpace(configured)
            ? Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "IsmsOps"))
            : Path.GetFullPath(configured);
        searched = string.IsNullOrWhiteSpace(configured) ? start : $"{start} (from {PathVariable})";

        string? manifest = FindManifest(start);
        return manifest is null ? null : new ModuleLocation(manifest, ModulePathEntryFor(manifest));
    }

    /// <summary>The manifest itself, the folder's IsmsOps.psd1, or the newest &lt;version&gt;/IsmsOps.psd1 below it.</summary>
    private static string? FindManifest(string start)
    {
        if (File.Exists(start))
        {
            return string.Equals(Path.GetFileName(start), ManifestName, StringComparison.OrdinalIgnoreCase) ? start : null;
        }

        if (!Directory.Exists(start))
        {
            return null;
        }

        string direct = Path.Combine(start, ManifestName);
        if (File.Exists(direct))
        {
            return direct;
        }

        return Directory.EnumerateDirectories(start)
            .Select(dir => (Dir: dir, Version: System.Version.TryParse(Path.GetFileName(dir), out Version? v) ? v : null))
            .Where(d => d.Version is not null && File.Exists(Path.Combine(d.Dir, ManifestName)))
            .OrderByDescending(d => d.Version)
            .Select(d => Path.Combine(d.Dir, ManifestName))
            .FirstOrDefault();
    }

    private static string? ModulePathEntryFor(string manifest)
    {
        DirectoryInfo folder = new FileInfo(manifest).Directory!;
        if (IsNamedIsmsOps(folder))
        {
            return folder.Parent?.FullName;
        }

        if (System.Version.TryParse(folder.Name, out _) && folder.Parent is { } parent && IsNamedIsmsOps(parent))
        {
            return parent.Parent?.FullName;
        }

        return null;
    }

    private static bool IsNamedIsmsOps(DirectoryInfo folder) => string.Equals(folder.Name, "IsmsOps", StringComparison.Ordinal);

    private static string ReadModuleVersion(string manifestPath)
    {
        ScriptBlockAst ast = Parser.ParseFile(manifestPath, out _, out ParseError[] errors);
        if (errors.Length == 0 && ast.Find(a => a is HashtableAst, searchNestedScriptBlocks: false) is HashtableAst manifest)
        {
            foreach (Tuple<ExpressionAst, StatementAst> pair in manifest.KeyValuePairs)
            {
                if (pair.Item1 is StringConstantExpressionAst key
                    && string.Equals(key.Value, "ModuleVersion", StringComparison.OrdinalIgnoreCase)
                    && pair.Item2.Find(a => a is StringConstantExpressionAst, false) is StringConstantExpressionAst value)
                {
                    return value.Value;
                }
            }
        }

        return "unknown";
    }
}
