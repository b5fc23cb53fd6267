using System.Collections;
using System.Management.Automation;
using System.Security;
using IsmsOps.Engine;
using IsmsOps.Engine.Graph;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Connects this PowerShell session to Microsoft Graph for the IsmsOps directory cmdlets.</summary>
/// <remarks>
/// Signs in one of seven ways (one parameter set each): app-only with a certificate from the certificate store
/// (-CertificateThumbprint) or a PFX/PEM file (-CertificatePath), app-only with a client secret (-ClientCredential,
/// whose user name is the client id), a managed identity, device code for an admin at a prompt, an access token you
/// already have, or a sandbox started with Start-IsmsSandbox. It then reads the organization (or, if the app may not,
/// one user) so that a wrong tenant, credential or endpoint fails here rather than in the middle of a job.
/// The connection belongs to this session and replaces any earlier one; Get-IsmsGraphConnection shows it and
/// Disconnect-IsmsGraph closes it. Secrets are never shown, logged or kept in the connection object.
/// Throttled and transiently failed requests are retried (honouring Retry-After); -ThrottlePriority Low marks a
/// scheduled job's requests so Graph throttles them before interactive users'. -Verbose shows each retry.
/// Graph permissions: Organization.Read.All (or User.Read.All) to validate the connection; see
/// docs/graph-permissions.md for what each cmdlet needs.
/// </remarks>
/// <example>
/// <code>Connect-IsmsGraph -TenantId contoso.onmicrosoft.com -ClientId 8a6c...e1 -CertificateThumbprint 4F1C...9A</code>
/// <para>Signs in as an app with a certificate from the CurrentUser or LocalMachine My store.</para>
/// </example>
/// <example>
/// <code>Connect-IsmsGraph -TenantId $tenant -ClientCredential (Get-Credential -UserName $appId) -ThrottlePriority Low</code>
/// <para>Signs in with a client secret for a scheduled job, at low throttling priority.</para>
/// </example>
/// <example>
/// <code>$sb = Start-IsmsSandbox -UserCount 200; Connect-IsmsGraph -Sandbox $sb -PassThru</code>
/// <para>Connects to a local sandbox tenant; works in the bundled host, which has only core cmdlets.</para>
/// </example>
/// <example>
/// <code>Connect-IsmsGraph -TenantId $tenant -ClientId $appId -DeviceCode -Environment USGov</code>
/// <para>An admin signs in at a browser with the code the warning shows, in the US Government cloud.</para>
/// </example>
[Cmdlet(VerbsCommunications.Connect, "IsmsGraph", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(GraphConnection))]
public sealed class ConnectIsmsGraphCommand : IsmsCmdlet
{
    private const string CertificateSet = "Certificate";
    private const string CertificateFileSet = "CertificateFile";
    private const string ClientSecretSet = "ClientSecret";
    private const string ManagedIdentitySet = "ManagedIdentity";
    private const string DeviceCodeSet = "DeviceCode";
    private const string AccessTokenSet = "AccessToken";
    private const string SandboxSet = "Sandbox";

    private volatile bool _relayToPipeline;

    /// <summary>The directory (tenant) id, or a verified domain such as contoso.onmicrosoft.com.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet)]
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Parameter(Mandatory = true, ParameterSetName = DeviceCodeSet)]
    [ValidateNotNullOrEmpty]
    public string TenantId { get; set; } = string.Empty;

    /// <summary>The application (client) id of the app registration; with -ManagedIdentity, the client id of a user-assigned identity.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet)]
    [Parameter(Mandatory = true, ParameterSetName = DeviceCodeSet)]
    [Parameter(ParameterSetName = ManagedIdentitySet)]
    [Alias("AppId", "ApplicationId")]
    [ValidateNotNullOrEmpty]
    public string? ClientId { get; set; }

    /// <summary>The thumbprint of a certificate, with its private key, in the CurrentUser or LocalMachine My store.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
    [ValidateNotNullOrEmpty]
    public string CertificateThumbprint { get; set; } = string.Empty;

    /// <summary>A PFX (PKCS#12) or PEM file holding the certificate and its private key.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CertificateFileSet)]
    [ValidateNotNullOrEmpty]
    public string CertificatePath { get; set; } = string.Empty;

    /// <summary>The password of the -CertificatePath file, if it has one.</summary>
    [Parameter(ParameterSetName = CertificateFileSet)]
    public SecureString? CertificatePassword { get; set; }

    /// <summary>The client secret as a credential: the user name is the application (client) id, the password is the secret's value.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ClientSecretSet)]
    [Credential]
    [ValidateNotNull]
    public PSCredential ClientCredential { get; set; } = PSCredential.Empty;

    /// <summary>Signs in with the managed identity of the Azure resource this runs on (system-assigned, or user-assigned with -ClientId).</summary>
    [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet)]
    public SwitchParameter ManagedIdentity { get; set; }

    /// <summary>Signs in an admin with a device code: a warning shows the URL to open and the code to type.</summary>
    [Parameter(Mandatory = true, ParameterSetName = DeviceCodeSet)]
    public SwitchParameter DeviceCode { get; set; }

    /// <summary>An access token for Microsoft Graph that you already have. It is used until it expires and is not renewed.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
    [ValidateNotNull]
    public SecureString? AccessToken { get; set; }

    /// <summary>A sandbox from Start-IsmsSandbox, or any object with Url and AccessToken properties (and optionally TenantId).</summary>
    [Parameter(Mandatory = true, ParameterSetName = SandboxSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject? Sandbox { get; set; }

    /// <summary>The tenant's cloud: Global (the default), USGov, USGovDoD or China. It decides where to sign in and the Graph endpoint.</summary>
    [Parameter]
    [ValidateSet("Global", "USGov", "USGovDoD", "China")]
    public GraphEnvironment Environment { get; set; } = GraphEnvironment.Global;

    /// <summary>Any Graph base URL to call instead of the environment's, such as https://graph.microsoft.com/v1.0 behind a proxy.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? GraphEndpoint { get; set; }

    /// <summary>Normal (the default) or Low. Low sends x-ms-throttle-priority: Low with every request; use it for scheduled jobs.</summary>
    [Parameter]
    public GraphThrottlePriority ThrottlePriority { get; set; } = GraphThrottlePriority.Normal;

    /// <summary>Writes the connection (which holds no secret) to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        StopOnError(() =>
        {
            GraphConnectionOptions options = Options();
            string endpoint = options.GraphEndpoint ?? GraphClouds.BaseUrl(options.Environment, null).ToString();
            if (!ShouldProcess(endpoint, $"Connect to Microsoft Graph ({options.Mode})"))
            {
                return;
            }

            _relayToPipeline = true;
            GraphConnection connection;
            try
            {
                connection = Run(ct => GraphConnection.ConnectAsync(options, ct));
            }
            finally
            {
                _relayToPipeline = false;
            }

            ModuleSession.SetGraphConnection(connection);
            WriteVerbose($"Connected: {connection}.");
            if (PassThru)
            {
                WriteObject(connection);
            }
        });
    }

    private GraphConnectionOptions Options()
    {
        var common = new GraphConnectionOptions
        {
            Environment = Environment,
            GraphEndpoint = GraphEndpoint,
            ThrottlePriority = ThrottlePriority,
            TenantId = string.IsNullOrEmpty(TenantId) ? null : TenantId,
            ClientId = ClientId,
            DeviceCodePrompt = message => Relay(() => WriteWarning(message)),
            RetryNotice = notice => Relay(() => WriteVerbose(notice.ToString())),
        };

        return ParameterSetName switch
        {
            CertificateSet => common with { Mode = GraphAuthenticationMode.Certificate, CertificateThumbprint = CertificateThumbprint },
            CertificateFileSet => common with
            {
                Mode = GraphAuthenticationMode.Certificate,
                CertificatePath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(CertificatePath),
                CertificatePassword = CertificatePassword,
            },
            ClientSecretSet => common with { Mode = GraphAuthenticationMode.ClientSecret, ClientId = ClientCredential.UserName, ClientSecret = ClientCredential.Password },
            ManagedIdentitySet => common with { Mode = GraphAuthenticationMode.ManagedIdentity },
            DeviceCodeSet => common with { Mode = GraphAuthenticationMode.DeviceCode },
            AccessTokenSet => common with { Mode = GraphAuthenticationMode.AccessToken, AccessToken = AccessToken },
            _ => SandboxOptions(common),
        };
    }

    private GraphConnectionOptions SandboxOptions(GraphConnectionOptions common)
    {
        // Read by name, so a sandbox object that went through a file or a remote session (a PSCustomObject or a
        // hashtable) works as well as the live one.
        string? url = Property("Url");
        string? token = Property("AccessToken");
        if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(token))
        {
            throw new IsmsException("IsmsOps.Graph.InvalidSandbox", IsmsErrorKind.InvalidArgument,
                "The -Sandbox object has no Url or no AccessToken.",
                "Pass the object Start-IsmsSandbox returned (or one with Url and AccessToken properties).", Sandbox);
        }

        return common with
        {
            Mode = GraphAuthenticationMode.Sandbox,
            GraphEndpoint = GraphEndpoint ?? url,
            AccessToken = SecretText.Protect(token),
            SandboxTenantId = Property("TenantId"),
        };
    }

    private string? Property(string name)
    {
        object? value = Sandbox?.BaseObject is IDictionary dictionary
            ? dictionary.Keys.Cast<object>().Where(k => string.Equals(k.ToString(), name, StringComparison.OrdinalIgnoreCase)).Select(k => dictionary[k]).FirstOrDefault()
            : Sandbox?.Properties[name]?.Value;
        return value is PSObject wrapped ? wrapped.BaseObject?.ToString() : value?.ToString();
    }

    // The engine calls back from a worker thread; the pipeline thread writes. After Connect returns, the connection
    // lives on but this cmdlet does not, so later notices are dropped here rather than written to a finished pipeline.
    private void Relay(Action write)
    {
        if (!_relayToPipeline)
        {
            return;
        }

        try
        {
            Post(write);
        }
        catch (Exception e) when (e is ObjectDisposedException or InvalidOperationException)
        {
        }
    }
}
