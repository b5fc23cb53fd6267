using System.Runtime.InteropServices;
using System.Security;

namespace IsmsOps.Engine.Graph;

/// <summary>Moves secrets between <see cref="SecureString"/> and the plain text Azure.Identity needs, at the last moment.</summary>
public static class SecretText
{
    /// <summary>A read-only <see cref="SecureString"/> holding <paramref name="text"/>.</summary>
    public static SecureString Protect(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var secure = new SecureString();
        foreach (char c in text)
        {
            secure.AppendChar(c);
        }

        secure.MakeReadOnly();
        return secure;
    }

    internal static string Reveal(SecureString secure)
    {
        IntPtr pointer = Marshal.SecureStringToGlobalAllocUnicode(secure);
        try
        {
            return Marshal.PtrToStringUni(pointer) ?? string.Empty;
        }
        finally
        {
            Marshal.ZeroFreeGlobalAllocUnicode(pointer);
        }
    }
}
