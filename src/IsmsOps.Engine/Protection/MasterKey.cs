using System.Security.Cryptography;
using System.Text;

namespace IsmsOps.Engine.Protection;

/// <summary>
/// The 256-bit key that wraps every person's data key. It lives outside the database (an environment variable or a key
/// file, see <see cref="MasterKeySource"/>); the database holds only its <see cref="KeyId"/>. The key bytes never appear
/// in messages, the audit trail or <see cref="ToString"/>.
/// </summary>
public sealed class MasterKey : IDisposable
{
    /// <summary>Key length in bytes (AES-256).</summary>
    public const int Size = 32;

    private readonly byte[] _key;

    private MasterKey(byte[] key, string source)
    {
        _key = key;
        Source = source;
        KeyId = IdOf(key);
    }

    /// <summary>
    /// A fingerprint that names the key without revealing it: "mk-" and the first 16 hex digits of SHA-256 over a
    /// fixed label and the key. The label keeps the id from being a plain hash of the key that matches anywhere else.
    /// </summary>
    public string KeyId { get; }

    /// <summary>Where the key came from (the variable's name or the file's path), for messages.</summary>
    public string Source { get; }

    internal ReadOnlySpan<byte> Bytes => _key;

    /// <summary>A new random key.</summary>
    public static MasterKey Generate(string source) => new(RandomNumberGenerator.GetBytes(Size), source);

    /// <summary>
    /// The key written as base64 text (what <c>ISMSOPS_MASTER_KEY</c> and the key file hold). The error never repeats
    /// the text, which may be a mistyped key.
    /// </summary>
    public static MasterKey FromBase64(string text, string source)
    {
        byte[]? bytes = null;
        try
        {
            bytes = Convert.FromBase64String(text.Trim());
        }
        catch (FormatException)
        {
        }

        if (bytes is not { Length: Size })
        {
            throw new IsmsException("IsmsOps.PersonalData.MasterKeyInvalid", IsmsErrorKind.InvalidData,
                $"The personal-data master key from {source} is not the base64 text of {Size} bytes.",
                "Restore the key from your backup or secret store; a new key is made with [Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(32)).",
                source);
        }

        return new MasterKey(bytes, source);
    }

    internal string ToBase64() => Convert.ToBase64String(_key);

    private static string IdOf(byte[] key)
    {
        byte[] label = Encoding.ASCII.GetBytes("IsmsOps personal-data master key id\n");
        byte[] input = new byte[label.Length + key.Length];
        label.CopyTo(input, 0);
        key.CopyTo(input, label.Length);
        string hex = Convert.ToHexString(SHA256.HashData(input)).ToLowerInvariant();
        CryptographicOperations.ZeroMemory(input);
        return "mk-" + hex[..16];
    }

    /// <summary>Names the key by id only.</summary>
    public override string ToString() => $"master key {KeyId} ({Source})";

    public void Dispose() => CryptographicOperations.ZeroMemory(_key);
}
