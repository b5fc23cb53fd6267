using System.Text;
using System.Text.Json;

namespace IsmsOps.Engine.Graph;

/// <summary>
/// The few claims of an Entra ID access token IsmsOps shows or checks: tenant, app, expiry, and the permissions the
/// token carries. The signature is not checked (Graph does that); this only reads what the token says about itself.
/// </summary>
internal sealed record JwtClaims(string? TenantId, string? ClientId, DateTimeOffset? ExpiresOn, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes)
{
    /// <summary>The claims of <paramref name="token"/>, or null when it is not a JWT (the sandbox's tokens are not).</summary>
    public static JwtClaims? TryRead(string token)
    {
        string[] parts = token.Split('.');
        if (parts.Length != 3 || parts[1].Length == 0)
        {
            return null;
        }

        try
        {
            using JsonDocument payload = JsonDocument.Parse(Base64UrlDecode(parts[1]));
            if (payload.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            JsonElement root = payload.RootElement;
            DateTimeOffset? expires = root.TryGetProperty("exp", out JsonElement exp) && exp.ValueKind == JsonValueKind.Number && exp.TryGetInt64(out long seconds)
                ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                : null;
            string[] roles = root.TryGetProperty("roles", out JsonElement r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToArray()
                : [];
            string[] scopes = root.TryGetProperty("scp", out JsonElement s) && s.ValueKind == JsonValueKind.String
                ? s.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries)
                : [];
            return new JwtClaims(Text(root, "tid"), Text(root, "appid") ?? Text(root, "azp"), expires, roles, scopes);
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentException)
        {
            return null;
        }
    }

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[] Base64UrlDecode(string text)
    {
        var builder = new StringBuilder(text.Replace('-', '+').Replace('_', '/'));
        while (builder.Length % 4 != 0)
        {
            builder.Append('=');
        }

        return Convert.FromBase64String(builder.ToString());
    }
}
