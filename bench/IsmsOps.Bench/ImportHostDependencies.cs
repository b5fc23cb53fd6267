using System.Text.Json;
using System.Text.Json.Nodes;

namespace IsmsOps.Bench;

/// <summary>
/// Writes the dependency list (deps.json) for the child import host: this program's own list without IsmsOps.Engine
/// and whatever only the engine needs (Microsoft.Data.Sqlite, SQLitePCLRaw). The runtime puts every assembly in that
/// list on the default context's trusted list; were the engine on it, PowerShell would bind the cmdlets to our copy and
/// the module's own loader and private load context would never run. Without it, the child imports the module exactly
/// as pwsh does.
/// </summary>
internal static class ImportHostDependencies
{
    private const string Excluded = "IsmsOps.Engine";

    public static void Write(string path)
    {
        string own = Path.ChangeExtension(typeof(ImportHostDependencies).Assembly.Location, ".deps.json");
        JsonNode deps = JsonNode.Parse(File.ReadAllText(own)) ?? throw new InvalidDataException($"{own} is empty.");
        string runtimeTarget = deps["runtimeTarget"]!["name"]!.GetValue<string>();
        JsonObject targets = deps["targets"]![runtimeTarget]!.AsObject();
        JsonObject libraries = deps["libraries"]!.AsObject();
        string root = targets.Select(t => t.Key).First(k => k.StartsWith("IsmsOps.Bench/", StringComparison.Ordinal));

        targets[root]!["dependencies"]!.AsObject().Remove(Excluded);
        var reachable = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([root]);
        while (pending.TryPop(out string? key))
        {
            if (!reachable.Add(key) || targets[key]?["dependencies"] is not JsonObject dependencies)
            {
                continue;
            }

            foreach ((string name, JsonNode? version) in dependencies)
            {
                pending.Push(name + "/" + version!.GetValue<string>());
            }
        }

        foreach (string key in targets.Select(t => t.Key).Where(k => !reachable.Contains(k)).ToList())
        {
            targets.Remove(key);
            libraries.Remove(key);
        }

        if (reachable.Any(k => k.StartsWith(Excluded + "/", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"{Excluded} is still reachable in the import host's dependency list.");
        }

        File.WriteAllText(path, deps.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }
}
