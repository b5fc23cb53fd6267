using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Protection;

/// <summary>
/// Where the personal-data master key comes from: <c>$ISMSOPS_MASTER_KEY</c> (base64 of 32 bytes, for a secret store or
/// a container) when set, otherwise a key file beside the store (<see cref="StoreLocation.MasterKeyPath"/>), made on
/// first use with owner-only permissions. During a rotation a second key is available too: <c>$ISMSOPS_MASTER_KEY_NEXT</c>,
/// or the file's <c>.next</c> sibling, which a rotation writes before it rewraps anything.
/// </summary>
public sealed class MasterKeySource
{
    public const string Variable = "ISMSOPS_MASTER_KEY";
    public const string NextVariable = "ISMSOPS_MASTER_KEY_NEXT";

    private readonly Func<string, string?> _environment;

    /// <param name="keyFilePath">The key file used when the variable is not set.</param>
    /// <param name="environment">Reads an environment variable; tests pass their own so they need not touch the process's.</param>
    public MasterKeySource(string keyFilePath, Func<string, string?>? environment = null)
    {
        KeyFilePath = keyFilePath;
        _environment = environment ?? Environment.GetEnvironmentVariable;
    }

    public static MasterKeySource For(StoreLocation location) => new(location.MasterKeyPath);

    public string KeyFilePath { get; }

    /// <summary>Where a rotation puts the new key until the rewrapped keys are committed.</summary>
    public string NextKeyFilePath => KeyFilePath + ".next";

    /// <summary>True when the key comes from <c>$ISMSOPS_MASTER_KEY</c> (read each time, so a changed variable is seen).</summary>
    public bool IsFromEnvironment => !string.IsNullOrWhiteSpace(_environment(Variable));

    /// <summary>
    /// Every key that can be read now: the current one and, mid-rotation, the next one. Loading makes nothing; an
    /// empty list means no key exists yet.
    /// </summary>
    public IReadOnlyList<MasterKey> LoadAvailable()
    {
        var keys = new List<MasterKey>();
        if (IsFromEnvironment)
        {
            keys.Add(MasterKey.FromBase64(_environment(Variable)!, "$" + Variable));
            if (_environment(NextVariable) is { Length: > 0 } next && !string.IsNullOrWhiteSpace(next))
            {
                keys.Add(MasterKey.FromBase64(next, "$" + NextVariable));
            }

            return keys;
        }

        foreach (string path in new[] { KeyFilePath, NextKeyFilePath })
        {
            if (File.Exists(path))
            {
                keys.Add(MasterKey.FromBase64(Read(path), path));
            }
        }

        return keys;
    }

    /// <summary>Makes the key file on first use. Only the vault calls this, after checking no data key needs an older key.</summary>
    internal MasterKey CreateKeyFile()
    {
        MasterKey key = MasterKey.Generate(KeyFilePath);
        Write(KeyFilePath, key);
        return key;
    }

    /// <summary>The key a rotation moves to: <c>$ISMSOPS_MASTER_KEY_NEXT</c>, or a new random key written to the <c>.next</c> file.</summary>
    internal MasterKey PrepareNextKey()
    {
        if (IsFromEnvironment)
        {
            string? next = _environment(NextVariable);
            if (string.IsNullOrWhiteSpace(next))
            {
                throw new IsmsException("IsmsOps.PersonalData.NextMasterKeyMissing", IsmsErrorKind.InvalidArgument,
                    $"The master key comes from ${Variable}, so the new key must come from ${NextVariable}, which is not set. Nothing was changed.",
                    $"Put a new key (base64 of 32 random bytes) in ${NextVariable}, run the rotation, then move it into ${Variable} and clear ${NextVariable}.");
            }

            return MasterKey.FromBase64(next, "$" + NextVariable);
        }

        // A .next file that no data key uses is left from a rotation that did not commit; the caller has checked.
        File.Delete(NextKeyFilePath);
        MasterKey key = MasterKey.Generate(NextKeyFilePath);
        Write(NextKeyFilePath, key);
        return key;
    }

    /// <summary>Makes the <c>.next</c> file the key file, once the data keys are wrapped under it.</summary>
    internal void PromoteNextKeyFile()
    {
        if (!IsFromEnvironment && File.Exists(NextKeyFilePath))
        {
            File.Move(NextKeyFilePath, KeyFilePath, overwrite: true);
        }
    }

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw Unavailable(path, ex);
        }
    }

    private static void Write(string path, MasterKey key)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            using var writer = new StreamWriter(path, System.Text.Encoding.ASCII, options);
            writer.Write(key.ToBase64());
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw Unavailable(path, ex);
        }
    }

    private static IsmsException Unavailable(string path, Exception ex) => new("IsmsOps.PersonalData.MasterKeyUnavailable", IsmsErrorKind.PermissionDenied,
        $"The personal-data master key file '{path}' cannot be read or created: {ex.Message}",
        $"Make the key folder readable and writable by this account, or set {Variable} to the key (base64).", path, ex);
}
