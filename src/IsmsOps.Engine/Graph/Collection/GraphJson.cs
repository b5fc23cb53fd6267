using System.Globalization;
using System.Text.Json;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Graph.Collection;

/// <summary>Reads Graph's JSON properties leniently: an absent or null property is null, never an exception.</summary>
internal static class GraphJson
{
    public static string? String(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : null;

    public static string RequiredString(JsonElement element, string name) =>
        String(element, name) ?? throw new InvalidDataException($"Graph returned an object without '{name}': {Abbreviate(element)}");

    public static bool Bool(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.True;

    public static DateTimeOffset? Date(JsonElement element, string name)
    {
        string? text = String(element, name);
        return text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset value)
            ? value
            : null;
    }

    public static IReadOnlyList<string> Strings(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out JsonElement array) || array.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        var values = new List<string>(array.GetArrayLength());
        foreach (JsonElement item in array.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String)
            {
                values.Add(item.GetString()!);
            }
        }

        return values;
    }

    /// <summary>The kind of a directory object from its <c>@odata.type</c>, e.g. #microsoft.graph.user.</summary>
    public static DirectoryObjectKind Kind(JsonElement element) => String(element, "@odata.type") switch
    {
        "#microsoft.graph.user" => DirectoryObjectKind.User,
        "#microsoft.graph.group" => DirectoryObjectKind.Group,
        "#microsoft.graph.servicePrincipal" => DirectoryObjectKind.ServicePrincipal,
        "#microsoft.graph.device" => DirectoryObjectKind.Device,
        "#microsoft.graph.orgContact" => DirectoryObjectKind.OrgContact,
        _ => DirectoryObjectKind.Other,
    };

    /// <summary>The kind from an appRoleAssignment's principalType (User, Group, ServicePrincipal).</summary>
    public static DirectoryObjectKind PrincipalKind(string? principalType) => principalType switch
    {
        "User" => DirectoryObjectKind.User,
        "Group" => DirectoryObjectKind.Group,
        "ServicePrincipal" => DirectoryObjectKind.ServicePrincipal,
        _ => DirectoryObjectKind.Other,
    };

    private static string Abbreviate(JsonElement element)
    {
        string raw = element.GetRawText();
        return raw.Length <= 200 ? raw : raw[..200] + "…";
    }
}
