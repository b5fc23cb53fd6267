using System.Globalization;
using System.Text;

namespace IsmsOps.Sandbox.Http;

/// <summary>
/// The $skiptoken in @odata.nextLink. Clients must treat it as opaque, as Graph's is, so it is encoded rather than a
/// bare number that invites clients to build their own links.
/// </summary>
internal static class SkipToken
{
    private const string Prefix = "sandbox-offset:";

    public static string Encode(int offset) =>
        Base64Url.Encode(Encoding.UTF8.GetBytes(Prefix + offset.ToString(CultureInfo.InvariantCulture)));

    public static bool TryDecode(string token, out int offset)
    {
        offset = 0;
        try
        {
            string text = Encoding.UTF8.GetString(Base64Url.Decode(token));
            return text.StartsWith(Prefix, StringComparison.Ordinal)
                && int.TryParse(text.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out offset);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
