using System.Security.Cryptography;

namespace IsmsOps.Engine.Audit;

/// <summary>
/// Holds the ECDSA P-256 key that signs audit checkpoints. The key is a PKCS#8 PEM file outside the database,
/// created on first use with owner-only permissions; the private key never appears in the trail, errors or exports.
/// </summary>
public sealed class CheckpointSigner : IDisposable
{
    private readonly ECDsa _key;

    private CheckpointSigner(ECDsa key, string path)
    {
        _key = key;
        KeyPath = path;
        PublicKey = Convert.ToBase64String(key.ExportSubjectPublicKeyInfo());
        KeyId = KeyIdOf(PublicKey);
    }

    public string KeyPath { get; }

    public string KeyId { get; }

    public string PublicKey { get; }

    /// <summary>Loads the key at <paramref name="path"/>, creating it (and its folder) when absent.</summary>
    public static CheckpointSigner LoadOrCreate(string path)
    {
        try
        {
            var key = ECDsa.Create();
            if (File.Exists(path))
            {
                key.ImportFromPem(File.ReadAllText(path));
                return new CheckpointSigner(key, path);
            }

            key.GenerateKey(ECCurve.NamedCurves.nistP256);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            string pem = key.ExportPkcs8PrivateKeyPem();
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            // Written aside and moved into place, so a process killed mid-write leaves no half a key that every later
            // run would refuse; a second process that got there first wins, and its key is the one used.
            string partial = $"{path}.{Environment.ProcessId}.partial";
            using (var stream = new FileStream(partial, options))
            using (var writer = new StreamWriter(stream, System.Text.Encoding.ASCII))
            {
                writer.Write(pem);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            try
            {
                File.Move(partial, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(partial);
                key.Dispose();
                return LoadOrCreate(path);
            }

            return new CheckpointSigner(key, path);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            throw new IsmsException("IsmsOps.Audit.SigningKeyInvalid", IsmsErrorKind.InvalidData,
                $"The audit signing key '{path}' is not a readable EC private key: {ex.Message}",
                "Restore the key file from backup, or point ISMSOPS_AUDIT_KEY at the right file.", path, ex);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new IsmsException("IsmsOps.Audit.SigningKeyUnavailable", IsmsErrorKind.PermissionDenied,
                $"The audit signing key '{path}' cannot be read or created: {ex.Message}",
                "Make the key folder readable and writable by this account, or set ISMSOPS_AUDIT_KEY to a key file it can read.", path, ex);
        }
    }

    /// <summary>The fingerprint that identifies a public key: SHA-256 of its SubjectPublicKeyInfo, lower-case hex.</summary>
    public static string KeyIdOf(string publicKeyBase64) =>
        Convert.ToHexString(SHA256.HashData(Convert.FromBase64String(publicKeyBase64))).ToLowerInvariant();

    /// <summary>Signs the head of the chain.</summary>
    public AuditCheckpoint Sign(long sequence, string headHash, DateTime time)
    {
        string timeText = AuditEvent.FormatTime(time);
        byte[] payload = AuditHash.CheckpointPayload(sequence, headHash, timeText, KeyId);
        return new AuditCheckpoint
        {
            Sequence = sequence,
            HeadHash = headHash,
            Time = AuditEvent.ParseTime(timeText),
            KeyId = KeyId,
            PublicKey = PublicKey,
            Signature = Convert.ToBase64String(_key.SignData(payload, HashAlgorithmName.SHA256)),
        };
    }

    /// <summary>True when the checkpoint's signature is valid for the public key it names.</summary>
    public static bool VerifySignature(AuditCheckpoint checkpoint)
    {
        try
        {
            if (!string.Equals(KeyIdOf(checkpoint.PublicKey), checkpoint.KeyId, StringComparison.Ordinal))
            {
                return false;
            }

            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(Convert.FromBase64String(checkpoint.PublicKey), out _);
            byte[] payload = AuditHash.CheckpointPayload(checkpoint.Sequence, checkpoint.HeadHash, AuditEvent.FormatTime(checkpoint.Time), checkpoint.KeyId);
            return key.VerifyData(payload, Convert.FromBase64String(checkpoint.Signature), HashAlgorithmName.SHA256);
        }
        catch (FormatException)
        {
            return false;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    /// <summary>Key ids of public keys placed in <c>keys/trusted/*.pem</c> (keys retired by a rotation).</summary>
    public static IReadOnlyList<string> TrustedKeyIdsIn(string keyDirectory)
    {
        string folder = Path.Combine(keyDirectory, "trusted");
        if (!Directory.Exists(folder))
        {
            return [];
        }

        var ids = new List<string>();
        foreach (string file in Directory.EnumerateFiles(folder, "*.pem"))
        {
            using var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(File.ReadAllText(file));
            }
            catch (Exception ex) when (ex is CryptographicException or ArgumentException)
            {
                throw new IsmsException("IsmsOps.Audit.TrustedKeyInvalid", IsmsErrorKind.InvalidData,
                    $"'{file}' is not an EC public key in PEM form: {ex.Message}",
                    "Replace it with the retired key's public part (openssl ec -in old.pem -pubout), or remove it.", file, ex);
            }

            ids.Add(KeyIdOf(Convert.ToBase64String(key.ExportSubjectPublicKeyInfo())));
        }

        return ids;
    }

    public void Dispose() => _key.Dispose();
}
