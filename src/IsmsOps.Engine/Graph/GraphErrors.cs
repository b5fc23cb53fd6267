using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azure.Identity;
using IsmsOps.Engine.Graph.Collection;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace IsmsOps.Engine.Graph;

/// <summary>
/// The one translation from what goes wrong talking to Graph (the SDK's ODataError, a raw error response, a network
/// failure) or signing in (Azure.Identity, MSAL) into an <see cref="IsmsException"/> with a stable ErrorId, Graph's
/// error code and message, the request ids a support case needs, and what to do about it.
/// </summary>
/// <remarks>
/// ErrorIds: IsmsOps.Graph.Unauthorized (401), Forbidden (403, names the permission from <see cref="GraphPermissions"/>),
/// NotFound (404), Throttled (429 after all retries), RequestFailed (any other status), Unreachable (no answer),
/// Timeout; for sign-in: TenantNotFound, InvalidClient, CredentialUnavailable, AuthenticationFailed.
/// </remarks>
public static partial class GraphErrors
{
    /// <summary>What a 403's message says before the permissions it names; an offboarding step keeps it in its reason.</summary>
    internal const string PermissionNeeded = "The app needs the application ";

    /// <summary>
    /// Translates a failure of a Graph call made for <paramref name="operation"/>. An <see cref="IsmsException"/>
    /// passes through unchanged. Call it only for failures, not for the caller's own cancellation.
    /// </summary>
    public static IsmsException Translate(Exception error, GraphOperation operation)
    {
        ArgumentNullException.ThrowIfNull(error);
        switch (error)
        {
            case IsmsException ismsException:
                return ismsException;
            case ApiException api:
                string? code = null, message = null, requestId = null, clientRequestId = null;
                if (api is ODataError odata)
                {
                    code = odata.Error?.Code;
                    message = odata.Error?.Message;
                    requestId = odata.Error?.InnerError?.RequestId;
                    clientRequestId = odata.Error?.InnerError?.ClientRequestId;
                }

                requestId ??= Header(api.ResponseHeaders, "request-id");
                clientRequestId ??= Header(api.ResponseHeaders, "client-request-id");
                // Kiota's own text for an error it could not parse is still better than nothing.
                message ??= api is ODataError ? null : api.Message;
                return FromStatus(api.ResponseStatusCode, code, message, requestId, clientRequestId, Header(api.ResponseHeaders, GraphRetryHandler.RequestLineHeader), operation, api);
            case HttpRequestException http:
                return new IsmsException("IsmsOps.Graph.Unreachable", IsmsErrorKind.ReadError,
                    $"Graph could not be reached to {Describe(operation)}: {http.Message}",
                    "Check the network, proxy and -GraphEndpoint, then run the command again.", operation.ToString(), http);
            case TimeoutException or TaskCanceledException:
                return new IsmsException("IsmsOps.Graph.Timeout", IsmsErrorKind.ReadError,
                    $"Graph did not answer in time to {Describe(operation)}: {error.Message}",
                    "Run the command again; if it keeps timing out, check the network or Graph's service health.", operation.ToString(), error);
            default:
                return new IsmsException("IsmsOps.Graph.RequestFailed", IsmsErrorKind.ReadError,
                    $"Failed to {Describe(operation)}: {error.GetType().Name}: {error.Message}",
                    "Run the command again with -Verbose; if it persists, report it with the message above.", operation.ToString(), error);
        }
    }

    /// <summary>
    /// Translates a failed raw response (from the connection's <see cref="HttpClient"/>) for <paramref name="operation"/>,
    /// reading Graph's error body. The response is not disposed.
    /// </summary>
    public static async Task<IsmsException> FromResponseAsync(HttpResponseMessage response, GraphOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        string? code = null, message = null, requestId = null, clientRequestId = null;
        try
        {
            byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length > 0)
            {
                using JsonDocument document = JsonDocument.Parse(body);
                (code, message, requestId, clientRequestId) = ReadErrorBody(document.RootElement);
            }
        }
        catch (JsonException)
        {
            // Not Graph's error shape (a proxy's page); the status and ids below still say what happened.
        }

        requestId ??= response.Headers.TryGetValues("request-id", out var r) ? r.FirstOrDefault() : null;
        clientRequestId ??= response.Headers.TryGetValues("client-request-id", out var c) ? c.FirstOrDefault() : null;
        string? line = response.Headers.TryGetValues(GraphRetryHandler.RequestLineHeader, out var l) ? l.FirstOrDefault()
            : response.RequestMessage is { } request ? GraphRequestLine.Of(request) : null;
        return FromStatus((int)response.StatusCode, code, message ?? response.ReasonPhrase, requestId, clientRequestId, line, operation, null);
    }

    /// <summary>
    /// Graph's error code, message and request ids from an error body (<c>{"error": {...}}</c>), whether it came as a
    /// response or as the body of a $batch item; nulls for whatever is absent or not Graph's shape.
    /// </summary>
    internal static (string? Code, string? Message, string? RequestId, string? ClientRequestId) ReadErrorBody(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("error", out JsonElement error) || error.ValueKind != JsonValueKind.Object)
        {
            return default;
        }

        string? requestId = null, clientRequestId = null;
        if (error.TryGetProperty("innerError", out JsonElement inner) && inner.ValueKind == JsonValueKind.Object)
        {
            requestId = GraphJson.String(inner, "request-id");
            clientRequestId = GraphJson.String(inner, "client-request-id");
        }

        return (GraphJson.String(error, "code"), GraphJson.String(error, "message"), requestId, clientRequestId);
    }

    internal static IsmsException FromStatus(int status, string? code, string? message, string? requestId, string? clientRequestId, string? requestLine, GraphOperation operation, Exception? inner)
    {
        string what = Describe(operation);
        string codeText = string.IsNullOrEmpty(code) ? status.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{status} {code}";
        var ids = new List<string> { codeText };
        if (!string.IsNullOrEmpty(requestId))
        {
            ids.Add("request-id " + requestId);
        }

        if (!string.IsNullOrEmpty(clientRequestId))
        {
            ids.Add("client-request-id " + clientRequestId);
        }

        if (!string.IsNullOrEmpty(requestLine))
        {
            ids.Add(requestLine);
        }

        string detail = "(" + string.Join(", ", ids) + ")";
        string said = string.IsNullOrWhiteSpace(message) ? "" : $" Graph said: {message.Trim()}";
        string target = operation.ToString();

        switch (status)
        {
            case (int)HttpStatusCode.Unauthorized:
                return new IsmsException("IsmsOps.Graph.Unauthorized", IsmsErrorKind.SecurityError,
                    $"Graph did not accept the access token when asked to {what} {detail}.{said}",
                    "Run Connect-IsmsGraph again: the token may have expired, been revoked, or been issued for another resource or tenant.", target, inner);
            case (int)HttpStatusCode.Forbidden:
                GraphPermission permission = GraphPermissions.For(operation);
                return new IsmsException("IsmsOps.Graph.Forbidden", IsmsErrorKind.PermissionDenied,
                    $"Graph refused to {what} {detail}. {PermissionNeeded}{Permissions(permission.ApplicationPermissions)}"
                    + (permission.DelegatedPermissions.SequenceEqual(permission.ApplicationPermissions) ? "" : $" (delegated sign-in: {Permissions(permission.DelegatedPermissions)})")
                    + $"; grant it with admin consent and reconnect.{said}",
                    $"Grant {string.Join(" and ", permission.ApplicationPermissions)} to the app with admin consent (docs/graph-permissions.md), then run Connect-IsmsGraph again.", target, inner);
            case (int)HttpStatusCode.NotFound:
                return new IsmsException("IsmsOps.Graph.NotFound", IsmsErrorKind.NotFound,
                    $"Graph found nothing to {what} {detail}.{said}",
                    "Check the id or name; the object may have been deleted or may be in another tenant.", target, inner);
            case 429:
                return new IsmsException("IsmsOps.Graph.Throttled", IsmsErrorKind.ReadError,
                    $"Graph kept throttling the request to {what} after every retry {detail}.{said}",
                    "Run the command again later, or outside business hours with -ThrottlePriority Low; other apps in the tenant share the same limits.", target, inner);
            default:
                return new IsmsException("IsmsOps.Graph.RequestFailed", status is >= 400 and < 500 ? IsmsErrorKind.InvalidArgument : IsmsErrorKind.ReadError,
                    $"Graph failed to {what} {detail}.{said}",
                    status >= 500
                        ? "Graph had a problem of its own; run the command again, and check Graph's service health if it persists."
                        : "Check the command's input; if it looks right, report the error with the request-id above.", target, inner);
        }
    }

    /// <summary>
    /// Translates a failure to obtain a token. The message keeps the AADSTS code and Entra ID's description, and never
    /// any of <paramref name="secrets"/> (the client secret, certificate password or token), even if some layer echoed
    /// one: they are blanked out, and the original exception is not attached.
    /// </summary>
    internal static IsmsException FromSignIn(Exception error, GraphAuthenticationMode mode, string? tenantId, string? clientId, Uri authorityHost, IEnumerable<string?> secrets)
    {
        string[] hidden = secrets.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!).ToArray();
        string chain = string.Join(" ", Chain(error).Select(e => e.Message));
        string who = $"{mode} sign-in{(string.IsNullOrEmpty(clientId) ? "" : $" as app {clientId}")}{(string.IsNullOrEmpty(tenantId) ? "" : $" to tenant {tenantId}")} at {authorityHost.Host}";
        Match aadsts = AadstsPattern().Match(chain);
        string description = aadsts.Success ? "AADSTS" + aadsts.Groups[1].Value + ": " + FirstSentences(aadsts.Groups[2].Value) : FirstSentences(chain);
        string ids = string.Join(", ", new[] { "Trace ID", "Correlation ID" }
            .Select(label => Regex.Match(chain, label + @":\s*([0-9a-fA-F-]{36})")).Where(m => m.Success).Select(m => m.Value));
        string message = Scrub($"{who} failed: {description}{(ids.Length > 0 ? $" ({ids})" : "")}", hidden);
        int code = aadsts.Success && int.TryParse(aadsts.Groups[1].Value, out int parsed) ? parsed : 0;

        if (error is CredentialUnavailableException)
        {
            return new IsmsException("IsmsOps.Graph.CredentialUnavailable", IsmsErrorKind.SecurityError, message,
                mode == GraphAuthenticationMode.ManagedIdentity
                    ? "Run this where a managed identity is assigned (an Azure VM, Automation account, Functions app or container), or use another sign-in mode."
                    : "Check that the chosen sign-in mode can work on this machine, or use another one.", tenantId);
        }

        return code switch
        {
            90002 or 900023 => new IsmsException("IsmsOps.Graph.TenantNotFound", IsmsErrorKind.NotFound, message,
                "Check -TenantId (the directory id or a verified domain such as contoso.onmicrosoft.com) and -Environment (the tenant's cloud).", tenantId),
            700016 => new IsmsException("IsmsOps.Graph.InvalidClient", IsmsErrorKind.InvalidArgument, message,
                "Check -ClientId: it must be the application (client) id of an app registration in this tenant, or of a multi-tenant app consented here.", clientId),
            7000215 or 7000222 or 7000216 or 700027 or 700024 or 7000274 or 7000277 or 50012 => new IsmsException("IsmsOps.Graph.InvalidClient", IsmsErrorKind.SecurityError, message,
                mode == GraphAuthenticationMode.ClientSecret
                    ? "Check the client secret: use the secret's Value (not its Secret ID) and make sure it has not expired; create a new one under Certificates & secrets if needed."
                    : "Check that the certificate is the one uploaded to the app registration, has not expired, and includes its private key.", clientId),
            _ => new IsmsException("IsmsOps.Graph.AuthenticationFailed", IsmsErrorKind.SecurityError, message,
                "Check -TenantId, -ClientId and the credential, and that the app registration allows this sign-in; the AADSTS code above is documented at https://login.microsoftonline.com/error.", tenantId),
        };
    }

    /// <summary>Blanks out every secret in <paramref name="text"/>.</summary>
    internal static string Scrub(string text, IReadOnlyCollection<string> secrets)
    {
        foreach (string secret in secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>"list role assignments", from the catalog.</summary>
    internal static string Describe(GraphOperation operation) => GraphPermissions.For(operation).Description;

    private static string Permissions(IReadOnlyList<string> names) =>
        names.Count == 1 ? "permission " + names[0] : "permissions " + string.Join(" and ", names);

    private static IEnumerable<Exception> Chain(Exception error)
    {
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            yield return e;
        }
    }

    // Entra ID's descriptions run on with trace ids, timestamps and links; the first two sentences say what is wrong.
    private static string FirstSentences(string text)
    {
        text = text.Split('\n')[0];
        int cut = text.IndexOf(" Trace ID:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            text = text[..cut];
        }

        return text.Length > 400 ? text[..400] + "…" : text.Trim();
    }

    private static string? Header(IDictionary<string, IEnumerable<string>>? headers, string name)
    {
        if (headers is null)
        {
            return null;
        }

        foreach (var (key, values) in headers)
        {
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase))
            {
                return values.FirstOrDefault();
            }
        }

        return null;
    }

    [GeneratedRegex(@"AADSTS(\d+):?\s*([^\r\n]*)")]
    private static partial Regex AadstsPattern();
}
