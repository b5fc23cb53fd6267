namespace IsmsOps.Engine.Graph;

/// <summary>The national cloud a tenant lives in; it decides the sign-in authority and the Graph endpoint.</summary>
public enum GraphEnvironment
{
    Global,
    USGov,
    USGovDoD,
    China,

    /// <summary>A Graph endpoint given explicitly (-GraphEndpoint), such as the sandbox or a proxy.</summary>
    Custom,
}

/// <summary>How a connection signs in.</summary>
public enum GraphAuthenticationMode
{
    Certificate,
    ClientSecret,
    ManagedIdentity,
    DeviceCode,
    AccessToken,
    Sandbox,
}

/// <summary>
/// Normal, or Low for scheduled jobs: Low sends <c>x-ms-throttle-priority: Low</c> with every request, so that when
/// Graph must throttle the tenant it throttles the job before interactive admins.
/// </summary>
public enum GraphThrottlePriority
{
    Normal,
    Low,
}

/// <summary>The sign-in authority and Graph endpoint of each national cloud.</summary>
public static class GraphClouds
{
    /// <summary>Graph's root URL (no version) in <paramref name="environment"/>.</summary>
    public static Uri GraphRoot(GraphEnvironment environment) => environment switch
    {
        GraphEnvironment.USGov => new Uri("https://graph.microsoft.us"),
        GraphEnvironment.USGovDoD => new Uri("https://dod-graph.microsoft.us"),
        GraphEnvironment.China => new Uri("https://microsoftgraph.chinacloudapi.cn"),
        _ => new Uri("https://graph.microsoft.com"),
    };

    /// <summary>The Entra ID sign-in host (as Azure.Identity's AzureAuthorityHosts names it) for <paramref name="environment"/>.</summary>
    public static Uri AuthorityHost(GraphEnvironment environment) => environment switch
    {
        // Both US government clouds sign in at login.microsoftonline.us.
        GraphEnvironment.USGov or GraphEnvironment.USGovDoD => new Uri("https://login.microsoftonline.us/"),
        GraphEnvironment.China => new Uri("https://login.chinacloudapi.cn/"),
        _ => new Uri("https://login.microsoftonline.com/"),
    };

    /// <summary>The scope an app-only or delegated token for Graph in <paramref name="environment"/> is requested with.</summary>
    public static string DefaultScope(GraphEnvironment environment) => GraphRoot(environment).GetLeftPart(UriPartial.Authority) + "/.default";

    /// <summary>
    /// The Graph base URL (with its version segment) to call: <paramref name="endpointOverride"/> when given (a bare
    /// host gets <c>/v1.0</c>), otherwise the environment's endpoint.
    /// </summary>
    public static Uri BaseUrl(GraphEnvironment environment, string? endpointOverride)
    {
        if (string.IsNullOrWhiteSpace(endpointOverride))
        {
            return new Uri(GraphRoot(environment), "/v1.0");
        }

        if (!Uri.TryCreate(endpointOverride.Trim(), UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp))
        {
            throw new IsmsException("IsmsOps.Graph.InvalidEndpoint", IsmsErrorKind.InvalidArgument,
                $"'{endpointOverride}' is not an http or https URL.",
                "Pass -GraphEndpoint as a full URL such as https://graph.microsoft.com/v1.0 or the sandbox's Url.", endpointOverride);
        }

        // A token must not travel in clear text to anything but this machine.
        if (uri.Scheme == Uri.UriSchemeHttp && !uri.IsLoopback)
        {
            throw new IsmsException("IsmsOps.Graph.InsecureEndpoint", IsmsErrorKind.SecurityError,
                $"The Graph endpoint '{uri}' is plain http on another machine; the access token would travel unencrypted.",
                "Use an https endpoint. Plain http is accepted only for 127.0.0.1 or localhost (the sandbox).", endpointOverride);
        }

        string path = uri.AbsolutePath.TrimEnd('/');
        var builder = new UriBuilder(uri) { Path = path.Length == 0 ? "/v1.0" : path, Query = string.Empty, Fragment = string.Empty };
        return builder.Uri;
    }
}
