using System.Security;
using System.Security.Cryptography.X509Certificates;

namespace IsmsOps.Engine.Graph;

/// <summary>
/// Everything <see cref="GraphConnection.ConnectAsync"/> needs for one way of signing in. Secrets are held as
/// <see cref="SecureString"/> and turned into text only where Azure.Identity needs it; none of them is kept by the
/// connection or appears in an error.
/// </summary>
public sealed record GraphConnectionOptions
{
    public GraphAuthenticationMode Mode { get; init; }

    /// <summary>The directory (tenant) id or a verified domain. Needed for certificate, secret and device code sign-in.</summary>
    public string? TenantId { get; init; }

    /// <summary>The app registration's application (client) id; for managed identity, a user-assigned identity's client id.</summary>
    public string? ClientId { get; init; }

    /// <summary>Certificate mode: the thumbprint of a certificate with its private key in the CurrentUser or LocalMachine My store.</summary>
    public string? CertificateThumbprint { get; init; }

    /// <summary>Certificate mode: a PFX (PKCS#12) or PEM file with the certificate and its private key.</summary>
    public string? CertificatePath { get; init; }

    /// <summary>The password of <see cref="CertificatePath"/>, if it has one.</summary>
    public SecureString? CertificatePassword { get; init; }

    /// <summary>Client secret mode: the secret.</summary>
    public SecureString? ClientSecret { get; init; }

    /// <summary>AccessToken and Sandbox modes: the bearer token to send.</summary>
    public SecureString? AccessToken { get; init; }

    public GraphEnvironment Environment { get; init; } = GraphEnvironment.Global;

    /// <summary>Any Graph base URL (the sandbox's Url, a proxy); overrides the environment's endpoint.</summary>
    public string? GraphEndpoint { get; init; }

    public GraphThrottlePriority ThrottlePriority { get; init; } = GraphThrottlePriority.Normal;

    /// <summary>Device code mode: receives the text that tells the admin where to go and which code to type.</summary>
    public Action<string>? DeviceCodePrompt { get; init; }

    /// <summary>Receives each retry the connection makes (throttling, transient failures), for verbose output.</summary>
    public Action<GraphRetryNotice>? RetryNotice { get; init; }

    /// <summary>Sandbox mode: the tenant id the sandbox reports (its token is not a JWT, so it cannot say).</summary>
    public string? SandboxTenantId { get; init; }

    /// <summary>Backoff timing and attempt limits; tests shorten them.</summary>
    internal GraphRetryOptions Retry { get; init; } = new();

    /// <summary>
    /// Tests only: an Azure.Core transport for the sign-in requests, typed as object so this class does not load
    /// Azure.Core before a connection is made. It lets a test answer login.microsoftonline.com from a local listener.
    /// </summary>
    internal object? AuthorityTransport { get; init; }

    /// <summary>Tests only: the innermost HTTP handler for Graph calls (defaults to a SocketsHttpHandler).</summary>
    internal HttpMessageHandler? GraphTransport { get; init; }

    /// <summary>Tests only: certificate stores to search for a thumbprint, instead of CurrentUser then LocalMachine My.</summary>
    internal IReadOnlyList<StoreLocation>? CertificateStores { get; init; }
}
