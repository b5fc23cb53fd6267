using System.Net.Http.Headers;
using Azure.Core;

namespace IsmsOps.Engine.Graph;

/// <summary>
/// Puts the connection's bearer token on every request to the Graph host, and on nothing else (a nextLink or
/// redirect to another host never gets it). It sits in the handler pipeline, not in the SDK's request adapter, so
/// the SDK and raw <see cref="HttpClient"/> calls share one token, and a retry after a long wait gets a fresh one.
/// </summary>
internal sealed class GraphAuthenticationHandler : DelegatingHandler
{
    // Renew this long before expiry, so a token does not run out between the check and Graph's own check.
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);

    private readonly TokenCredential _credential;
    private readonly TokenRequestContext _context;
    private readonly Uri _graphBase;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AccessToken? _token;

    public GraphAuthenticationHandler(TokenCredential credential, string scope, Uri graphBase)
    {
        _credential = credential;
        _context = new TokenRequestContext([scope]);
        _graphBase = graphBase;
    }

    /// <summary>The token for the next request, from the cache while it is fresh.</summary>
    public async Task<AccessToken> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (_token is { } cached && cached.ExpiresOn - RenewBefore > DateTimeOffset.UtcNow)
        {
            return cached;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_token is { } again && again.ExpiresOn - RenewBefore > DateTimeOffset.UtcNow)
            {
                return again;
            }

            AccessToken token = await _credential.GetTokenAsync(_context, cancellationToken).ConfigureAwait(false);
            _token = token;
            return token;
        }
        finally
        {
            _gate.Release();
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri is { IsAbsoluteUri: true } uri && Uri.Compare(uri, _graphBase, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0)
        {
            AccessToken token = await GetTokenAsync(cancellationToken).ConfigureAwait(false);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        }
        else
        {
            request.Headers.Authorization = null;
        }

        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gate.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>A credential that returns a token the caller already has (-AccessToken, the sandbox).</summary>
internal sealed class StaticTokenCredential : TokenCredential
{
    private readonly AccessToken _token;

    public StaticTokenCredential(string token, DateTimeOffset expiresOn) => _token = new AccessToken(token, expiresOn);

    public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) => _token;

    public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) => new(_token);
}
