using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;

namespace IsmsOps.Engine.Graph;

/// <summary>Builds the Azure.Identity credential for each sign-in mode, checking the inputs each mode needs first.</summary>
internal static class GraphCredentials
{
    /// <summary>Static tokens without an expiry (the sandbox's) are treated as valid this long.</summary>
    private static readonly TimeSpan OpaqueTokenLifetime = TimeSpan.FromDays(1);

    public static TokenCredential Create(GraphConnectionOptions options, Uri authorityHost)
    {
        switch (options.Mode)
        {
            case GraphAuthenticationMode.ClientSecret:
                Require(options.TenantId, "TenantId", options.Mode);
                Require(options.ClientId, "ClientId", options.Mode);
                string secret = options.ClientSecret is null ? "" : SecretText.Reveal(options.ClientSecret);
                if (secret.Length == 0)
                {
                    throw Missing("the client secret (the password of -ClientCredential)", options.Mode);
                }

                return new ClientSecretCredential(options.TenantId, options.ClientId, secret, Configure(new ClientSecretCredentialOptions(), options, authorityHost));

            case GraphAuthenticationMode.Certificate:
                Require(options.TenantId, "TenantId", options.Mode);
                Require(options.ClientId, "ClientId", options.Mode);
                X509Certificate2 certificate = string.IsNullOrEmpty(options.CertificatePath)
                    ? FromStore(options.CertificateThumbprint, options.CertificateStores)
                    : FromFile(options.CertificatePath, options.CertificatePassword);
                return new ClientCertificateCredential(options.TenantId, options.ClientId, certificate, Configure(new ClientCertificateCredentialOptions(), options, authorityHost));

            case GraphAuthenticationMode.ManagedIdentity:
                var identity = string.IsNullOrEmpty(options.ClientId) ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.FromUserAssignedClientId(options.ClientId);
                return new ManagedIdentityCredential(Configure(new ManagedIdentityCredentialOptions(identity), options, authorityHost));

            case GraphAuthenticationMode.DeviceCode:
                Require(options.TenantId, "TenantId", options.Mode);
                Require(options.ClientId, "ClientId", options.Mode);
                Action<string> prompt = options.DeviceCodePrompt ?? (_ => { });
                return new DeviceCodeCredential(Configure(new DeviceCodeCredentialOptions
                {
                    TenantId = options.TenantId,
                    ClientId = options.ClientId,
                    DeviceCodeCallback = (info, _) =>
                    {
                        prompt(info.Message);
                        return Task.CompletedTask;
                    },
                }, options, authorityHost));

            case GraphAuthenticationMode.AccessToken or GraphAuthenticationMode.Sandbox:
                string token = options.AccessToken is null ? "" : SecretText.Reveal(options.AccessToken).Trim();
                if (token.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
                {
                    token = token[7..].Trim();
                }

                if (token.Length == 0)
                {
                    throw Missing("the access token", options.Mode);
                }

                JwtClaims? claims = JwtClaims.TryRead(token);
                if (claims?.ExpiresOn is { } expires && expires <= DateTimeOffset.UtcNow)
                {
                    throw new IsmsException("IsmsOps.Graph.TokenExpired", IsmsErrorKind.SecurityError,
                        $"The access token expired at {expires:u}.",
                        "Get a new token (for example with Get-AzAccessToken -ResourceTypeName MSGraph) and connect again, or use a sign-in mode that renews tokens itself.");
                }

                return new StaticTokenCredential(token, claims?.ExpiresOn ?? DateTimeOffset.UtcNow + OpaqueTokenLifetime);

            default:
                throw new IsmsException("IsmsOps.Graph.InvalidMode", IsmsErrorKind.InvalidArgument, $"Unknown sign-in mode {options.Mode}.",
                    "Use one of Connect-IsmsGraph's parameter sets.");
        }
    }

    private static T Configure<T>(T credentialOptions, GraphConnectionOptions options, Uri authorityHost)
        where T : TokenCredentialOptions
    {
        credentialOptions.AuthorityHost = authorityHost;
        if (options.AuthorityTransport is HttpPipelineTransport transport)
        {
            credentialOptions.Transport = transport;
        }

        return credentialOptions;
    }

    /// <summary>A certificate with its private key, by thumbprint, from CurrentUser\My then LocalMachine\My.</summary>
    internal static X509Certificate2 FromStore(string? thumbprint, IReadOnlyList<StoreLocation>? locations)
    {
        string wanted = (thumbprint ?? "").Replace(" ", "", StringComparison.Ordinal).Replace(":", "", StringComparison.Ordinal).ToUpperInvariant();
        if (wanted.Length == 0)
        {
            throw Missing("-CertificateThumbprint or -CertificatePath", GraphAuthenticationMode.Certificate);
        }

        foreach (StoreLocation location in locations ?? [StoreLocation.CurrentUser, StoreLocation.LocalMachine])
        {
            using var store = new X509Store(StoreName.My, location);
            try
            {
                store.Open(OpenFlags.ReadOnly | OpenFlags.OpenExistingOnly);
            }
            catch (CryptographicException)
            {
                continue; // The store does not exist on this machine (LocalMachine\My on Linux, often).
            }

            X509Certificate2Collection found = store.Certificates.Find(X509FindType.FindByThumbprint, wanted, validOnly: false);
            if (found.Count > 0)
            {
                return WithPrivateKey(found[0], $"{location}\\My\\{wanted}");
            }
        }

        throw new IsmsException("IsmsOps.Graph.CertificateNotFound", IsmsErrorKind.NotFound,
            $"No certificate with thumbprint {wanted} is in the CurrentUser or LocalMachine My store.",
            "Import the certificate with its private key into one of those stores, or pass -CertificatePath with a PFX or PEM file.", wanted);
    }

    /// <summary>A certificate and its private key from a PFX (PKCS#12) or PEM file, optionally password-protected.</summary>
    internal static X509Certificate2 FromFile(string path, System.Security.SecureString? password)
    {
        if (!File.Exists(path))
        {
            throw new IsmsException("IsmsOps.Graph.CertificateNotFound", IsmsErrorKind.NotFound, $"The certificate file '{path}' does not exist.",
                "Pass the path of a PFX or PEM file that holds the certificate and its private key.", path);
        }

        try
        {
            bool pem = File.ReadAllText(path).Contains("-----BEGIN", StringComparison.Ordinal);
            X509Certificate2 certificate;
            if (pem)
            {
                string? text = password is null || password.Length == 0 ? null : SecretText.Reveal(password);
                certificate = text is null ? X509Certificate2.CreateFromPemFile(path) : X509Certificate2.CreateFromEncryptedPemFile(path, text);
            }
            else
            {
                // EphemeralKeySet keeps the key out of the user's key store on Linux and Windows; macOS does not support it.
                X509KeyStorageFlags flags = OperatingSystem.IsMacOS() ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet;
                certificate = password is null ? new X509Certificate2(path, (string?)null, flags) : new X509Certificate2(path, password, flags);
            }

            return WithPrivateKey(certificate, path);
        }
        catch (CryptographicException)
        {
            // The exception's text can quote the file's content; say only what to check.
            throw new IsmsException("IsmsOps.Graph.CertificateUnreadable", IsmsErrorKind.InvalidData,
                $"The certificate file '{path}' could not be read: the password is wrong, or it is not a PFX or PEM file with a certificate and its private key.",
                "Check -CertificatePassword and the file; export the certificate again with its private key if needed.", path);
        }
    }

    private static X509Certificate2 WithPrivateKey(X509Certificate2 certificate, string where)
    {
        if (!certificate.HasPrivateKey)
        {
            throw new IsmsException("IsmsOps.Graph.CertificateWithoutPrivateKey", IsmsErrorKind.InvalidData,
                $"The certificate {certificate.Thumbprint} ({where}) has no private key, so it cannot sign in.",
                "Use the certificate with its private key (the PFX you created the app credential from), not the public .cer uploaded to Entra ID.", where);
        }

        return certificate;
    }

    private static void Require(string? value, string name, GraphAuthenticationMode mode)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Missing("-" + name, mode);
        }
    }

    private static IsmsException Missing(string what, GraphAuthenticationMode mode) =>
        new("IsmsOps.Graph.MissingParameter", IsmsErrorKind.InvalidArgument, $"{mode} sign-in needs {what}.",
            $"Pass {what} to Connect-IsmsGraph.");
}
