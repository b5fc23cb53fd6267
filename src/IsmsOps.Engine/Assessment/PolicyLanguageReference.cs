using System.Text;
using IsmsOps.Engine.Assessment.Resources;

namespace IsmsOps.Engine.Assessment;

/// <summary>
/// Writes the resource-type tables of docs/policy-language.md from the resource classes themselves, so the page can
/// never fall behind the fields a condition can name (a test compares the page with this text).
/// </summary>
public static class PolicyLanguageReference
{
    public const string StartMarker = "<!-- resource-types:start (generated from src/IsmsOps.Engine/Assessment/Resources; do not edit by hand) -->";

    public const string EndMarker = "<!-- resource-types:end -->";

    /// <summary>The markdown between the markers: one section per resource type with a table of its fields.</summary>
    public static string ResourceTables()
    {
        var text = new StringBuilder();
        foreach (PolicyResourceType type in PolicyResourceCatalog.Types)
        {
            text.Append("### ").Append(type.Name).Append("\n\n").Append(type.Description);
            if (type.Evidence.Count > 0)
            {
                text.Append(" Implied evidence: ").Append(string.Join(", ", type.Evidence.Select(e => $"`{e}`"))).Append('.');
            }

            text.Append("\n\n| field | type | meaning | source |\n| --- | --- | --- | --- |\n");
            foreach (PolicyFieldInfo field in type.Fields)
            {
                text.Append("| `").Append(field.Name).Append("` | ").Append(field.KindName).Append(" | ").Append(field.Description.Replace("|", "\\|", StringComparison.Ordinal))
                    .Append(field.Inverse is null ? "" : $" (inverse: `{field.TargetType}.{field.Inverse}`)").Append(" | ").Append(field.Source).Append(" |\n");
            }

            text.Append('\n');
        }

        text.Append("Privileged directory roles (`roleAssignment.privileged`, `account.privileged`): ")
            .Append(string.Join(", ", PrivilegedDirectoryRoles.All.Select(r => r.Name))).Append(".\n");
        return text.ToString();
    }
}
