using System.Security.Cryptography;
using System.Text;

namespace IsmsOps.Engine.Protection;

/// <summary>
/// AES-256-GCM with a fresh 96-bit nonce per message. The stored form is one byte of format version, the nonce, the
/// ciphertext and the 128-bit tag. The associated data is never stored: the reader rebuilds it from where the box was
/// found (person, field, key ids), so a box copied to another place fails authentication.
/// </summary>
internal static class SealedBox
{
    private const byte FormatVersion = 1;
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public static byte[] Seal(ReadOnlySpan<byte> key, ReadOnlySpan<byte> plaintext, string associatedData)
    {
        byte[] box = new byte[1 + NonceSize + plaintext.Length + TagSize];
        box[0] = FormatVersion;
        Span<byte> nonce = box.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(key, TagSize);
        aes.Encrypt(nonce, plaintext, box.AsSpan(1 + NonceSize, plaintext.Length), box.AsSpan(box.Length - TagSize), Encoding.UTF8.GetBytes(associatedData));
        return box;
    }

    /// <summary>The plaintext, or null when the box is malformed, was made with another key, was altered or was moved.</summary>
    public static byte[]? Open(ReadOnlySpan<byte> key, ReadOnlySpan<byte> box, string associatedData)
    {
        if (box.Length < 1 + NonceSize + TagSize || box[0] != FormatVersion)
        {
            return null;
        }

        byte[] plaintext = new byte[box.Length - 1 - NonceSize - TagSize];
        try
        {
            using var aes = new AesGcm(key, TagSize);
            aes.Decrypt(box.Slice(1, NonceSize), box.Slice(1 + NonceSize, plaintext.Length), box[^TagSize..], plaintext, Encoding.UTF8.GetBytes(associatedData));
            return plaintext;
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
    }
}
