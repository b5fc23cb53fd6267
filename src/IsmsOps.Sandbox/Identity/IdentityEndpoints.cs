using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IsmsOps.Sandbox.Http;

namespace IsmsOps.Sandbox.Identity;

/// <summary>
/// The part of the Microsoft identity platform (login.microsoftonline.com) that MSAL, inside Azure.Identity's
/// ClientSecretCredential, calls for the client-credentials flow: instance discovery, OpenID configuration and the
/// v2.0 token endpoint. MSAL insists on an https authority, so a client reaches these by keeping the real authority
/// and redirecting its HTTP transport from https://login.microsoftonline.com/... to the sandbox root
/// (http://127.0.0.1:PORT/...). That is why every URL these endpoints hand back names login.microsoftonline.com:
/// the client keeps asking for it and its transport keeps redirecting. No bearer token is needed here; the sandbox's
/// one registered application signs in with its client secret or its certificate (a signed client assertion) and
/// receives the sandbox's access token.
/// </summary>
internal sealed class IdentityEndpoints
{
    private const string Authority = "https://login.microsoftonline.com";
    private const int TokenLifetimeSeconds = 3599;

    private readonly string _tenantId;
    private readonly string _tenantDomain;
    private readonly string _clientId;
    private readonly byte[] _clientSecret;
    private readonly string _accessToken;
    private readonly Func<X509Certificate2?> _clientCertificate;
    private readonly byte[] _managedIdentityHeader;
    private readonly (string Id, string UserPrincipalName, string DisplayName) _signInUser;
    private readonly Dictionary<string, int> _deviceCodePolls = new(StringComparer.Ordinal);

    public IdentityEndpoints(string tenantId, string tenantDomain, string clientId, string clientSecret, string accessToken,
        Func<X509Certificate2?> clientCertificate, string managedIdentityHeader, (string Id, string UserPrincipalName, string DisplayName) signInUser)
    {
        _signInUser = signInUser;
        _managedIdentityHeader = Encoding.UTF8.GetBytes(managedIdentityHeader);
        _tenantId = tenantId;
        _tenantDomain = tenantDomain;
        _clientId = clientId;
        _clientSecret = Encoding.UTF8.GetBytes(clientSecret);
        _accessToken = accessToken;
        _clientCertificate = clientCertificate;
    }

    /// <summary>The answer for an identity-platform request, or null when the path is not one of them.</summary>
    public GraphResponse? Handle(GraphRequest request)
    {
        var s = request.Segments;
        bool get = string.Equals(request.Method, "GET", StringComparison.OrdinalIgnoreCase);
        bool post = string.Equals(request.Method, "POST", StringComparison.OrdinalIgnoreCase);
        return s switch
        {
            [_, "discovery", "instance"] when get => InstanceDiscovery(request),
            ["msi", "token"] when get => ManagedIdentityToken(request),
            [var tenant, "v2.0", ".well-known", "openid-configuration"] when get => OpenIdConfiguration(request, tenant),
            [var tenant, "oauth2", "v2.0", "token"] when post => Token(request, tenant),
            [var tenant, "oauth2", "v2.0", "devicecode"] when post => DeviceCode(request, tenant),
            _ => null,
        };
    }

    private bool IsTenant(string tenant) =>
        string.Equals(tenant, _tenantId, StringComparison.OrdinalIgnoreCase) || string.Equals(tenant, _tenantDomain, StringComparison.OrdinalIgnoreCase);

    private static GraphResponse InstanceDiscovery(GraphRequest request)
    {
        // authorization_endpoint names the tenant MSAL is about to use; the answer points it at that tenant's metadata.
        string endpoint = request.Query.GetValueOrDefault("authorization_endpoint") ?? $"{Authority}/common/oauth2/v2.0/authorize";
        string tenant = Uri.TryCreate(endpoint, UriKind.Absolute, out Uri? uri) && uri.Segments.Length > 1 ? uri.Segments[1].TrimEnd('/') : "common";
        return Json(200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("tenant_discovery_endpoint", $"{Authority}/{tenant}/v2.0/.well-known/openid-configuration");
            writer.WriteString("api-version", "1.1");
            writer.WriteStartArray("metadata");
            writer.WriteStartObject();
            writer.WriteString("preferred_network", "login.microsoftonline.com");
            writer.WriteString("preferred_cache", "login.windows.net");
            writer.WriteStartArray("aliases");
            foreach (string alias in new[] { "login.microsoftonline.com", "login.windows.net", "login.microsoft.com", "sts.windows.net" })
            {
                writer.WriteStringValue(alias);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private GraphResponse OpenIdConfiguration(GraphRequest request, string tenant)
    {
        if (!IsTenant(tenant))
        {
            return UnknownTenant(request, tenant);
        }

        return Json(200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("token_endpoint", $"{Authority}/{_tenantId}/oauth2/v2.0/token");
            writer.WriteString("authorization_endpoint", $"{Authority}/{_tenantId}/oauth2/v2.0/authorize");
            writer.WriteString("device_authorization_endpoint", $"{Authority}/{_tenantId}/oauth2/v2.0/devicecode");
            writer.WriteString("jwks_uri", $"{Authority}/{_tenantId}/discovery/v2.0/keys");
            writer.WriteString("issuer", $"{Authority}/{_tenantId}/v2.0");
            writer.WriteString("tenant_region_scope", "EU");
            writer.WriteStartArray("token_endpoint_auth_methods_supported");
            writer.WriteStringValue("client_secret_post");
            writer.WriteStringValue("private_key_jwt");
            writer.WriteStringValue("client_secret_basic");
            writer.WriteEndArray();
            writer.WriteStartArray("response_types_supported");
            writer.WriteStringValue("code");
            writer.WriteStringValue("id_token");
            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private GraphResponse Token(GraphRequest request, string tenant)
    {
        if (!IsTenant(tenant))
        {
            return UnknownTenant(request, tenant);
        }

        Dictionary<string, string> form = ReadForm(request.Body.Span);
        string clientId = form.GetValueOrDefault("client_id") ?? "";
        // MSAL sends the short form; the RFC 8628 name is accepted too.
        if (form.GetValueOrDefault("grant_type") is "device_code" or DeviceCodeGrant)
        {
            return DeviceCodeToken(request, form);
        }

        if (form.GetValueOrDefault("grant_type") != "client_credentials")
        {
            return Failure(request, 400, "unsupported_grant_type", 70003,
                $"The app requested an unsupported grant type '{form.GetValueOrDefault("grant_type")}'; the sandbox issues tokens for client_credentials and device_code only.");
        }

        if (!string.Equals(clientId, _clientId, StringComparison.OrdinalIgnoreCase))
        {
            return Failure(request, 400, "unauthorized_client", 700016,
                $"Application with identifier '{clientId}' was not found in the directory '{_tenantDomain}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");
        }

        if (form.GetValueOrDefault("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
        {
            if (ClientAssertionFailure(form.GetValueOrDefault("client_assertion") ?? "") is { } why)
            {
                return Failure(request, 401, "invalid_client", 700027, $"Client assertion failed signature validation. {why}");
            }
        }
        else if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(form.GetValueOrDefault("client_secret") ?? ""), _clientSecret))
        {
            return Failure(request, 401, "invalid_client", 7000215,
                $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{_clientId}'.");
        }

        string scope = form.GetValueOrDefault("scope") ?? "";
        if (!scope.Split(' ', StringSplitOptions.RemoveEmptyEntries).Any(s => s.EndsWith("/.default", StringComparison.Ordinal)))
        {
            return Failure(request, 400, "invalid_scope", 1002012,
                $"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
        }

        return Json(200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("token_type", "Bearer");
            writer.WriteNumber("expires_in", TokenLifetimeSeconds);
            writer.WriteNumber("ext_expires_in", TokenLifetimeSeconds);
            writer.WriteString("access_token", _accessToken);
            writer.WriteEndObject();
        });
    }

    /// <summary>
    /// Checks a certificate sign-in's client assertion (a JWT the app signs with its certificate's private key): signed
    /// RS256 or PS256 by the registered certificate (named by its x5t or x5t#S256 thumbprint), issued by and about the
    /// app, meant for a token endpoint, and not expired. Null when it holds; otherwise why not.
    /// </summary>
    private string? ClientAssertionFailure(string assertion)
    {
        string[] parts = assertion.Split('.');
        if (parts.Length != 3)
        {
            return "The assertion is not a signed JWT.";
        }

        X509Certificate2? registered = _clientCertificate();
        using JsonDocument header = JsonDocument.Parse(Base64Url.Decode(parts[0]));
        using JsonDocument payload = JsonDocument.Parse(Base64Url.Decode(parts[1]));
        string? x5t = Text(header.RootElement, "x5t");
        string? x5t256 = Text(header.RootElement, "x5t#S256");
        bool named = registered is not null
            && ((x5t is not null && Base64Url.Decode(x5t).AsSpan().SequenceEqual(registered.GetCertHash()))
                || (x5t256 is not null && Base64Url.Decode(x5t256).AsSpan().SequenceEqual(registered.GetCertHash(HashAlgorithmName.SHA256))));
        if (!named)
        {
            return $"The key used to sign it was not found on app '{_clientId}': no registered certificate has that thumbprint.";
        }

        RSASignaturePadding? padding = Text(header.RootElement, "alg") switch
        {
            "RS256" => RSASignaturePadding.Pkcs1,
            "PS256" => RSASignaturePadding.Pss,
            _ => null,
        };
        using RSA? key = registered!.GetRSAPublicKey();
        if (padding is null || key is null
            || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.Decode(parts[2]), HashAlgorithmName.SHA256, padding))
        {
            return "The signature does not verify with the registered certificate.";
        }

        JsonElement claims = payload.RootElement;
        if (!string.Equals(Text(claims, "iss"), _clientId, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(Text(claims, "sub"), _clientId, StringComparison.OrdinalIgnoreCase))
        {
            return "Its iss and sub must both be the client id.";
        }

        if (Text(claims, "aud")?.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal) != true)
        {
            return "Its audience must be the token endpoint.";
        }

        // MSAL writes exp as a string of digits; the JWT spec says number. Accept both.
        return claims.TryGetProperty("exp", out JsonElement exp)
            && (exp.ValueKind == JsonValueKind.Number ? exp.TryGetInt64(out long expires)
                : long.TryParse(exp.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out expires))
            && DateTimeOffset.FromUnixTimeSeconds(expires) > DateTimeOffset.UtcNow
            ? null
            : "It has expired.";
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    /// <summary>
    /// The managed identity endpoint as App Service and Functions run it (api-version 2019-08-01): the host sets
    /// IDENTITY_ENDPOINT and IDENTITY_HEADER, and Azure.Identity's ManagedIdentityCredential calls the endpoint with the
    /// header and a resource. Pointing those two variables at the sandbox rehearses managed-identity sign-in.
    /// </summary>
    private GraphResponse ManagedIdentityToken(GraphRequest request)
    {
        byte[] presented = Encoding.UTF8.GetBytes(request.Header("X-IDENTITY-HEADER") ?? "");
        if (!CryptographicOperations.FixedTimeEquals(presented, _managedIdentityHeader))
        {
            return Json(401, writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("statusCode", 401);
                writer.WriteString("message", "The X-IDENTITY-HEADER is missing or does not match this managed identity endpoint.");
                writer.WriteEndObject();
            });
        }

        string? resource = request.Query.GetValueOrDefault("resource");
        if (string.IsNullOrEmpty(resource))
        {
            return Json(400, writer =>
            {
                writer.WriteStartObject();
                writer.WriteNumber("statusCode", 400);
                writer.WriteString("message", "A resource is required, e.g. resource=https://graph.microsoft.com.");
                writer.WriteEndObject();
            });
        }

        return Json(200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("access_token", _accessToken);
            writer.WriteString("expires_on", DateTimeOffset.UtcNow.AddSeconds(TokenLifetimeSeconds).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
            writer.WriteString("resource", resource);
            writer.WriteString("token_type", "Bearer");
            writer.WriteString("client_id", _clientId);
            writer.WriteEndObject();
        });
    }

    private const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";

    /// <summary>
    /// Starts a device-code sign-in (an admin at a prompt). The sandbox has no browser to visit: its administrator,
    /// the tenant's first user, approves at once, after the client has polled once and been told to wait, so the
    /// client's polling is exercised too.
    /// </summary>
    private GraphResponse DeviceCode(GraphRequest request, string tenant)
    {
        if (!IsTenant(tenant))
        {
            return UnknownTenant(request, tenant);
        }

        Dictionary<string, string> form = ReadForm(request.Body.Span);
        if (!string.Equals(form.GetValueOrDefault("client_id"), _clientId, StringComparison.OrdinalIgnoreCase))
        {
            return Failure(request, 400, "unauthorized_client", 700016,
                $"Application with identifier '{form.GetValueOrDefault("client_id")}' was not found in the directory '{_tenantDomain}'.");
        }

        string deviceCode = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        string userCode = Convert.ToHexString(RandomNumberGenerator.GetBytes(4));
        lock (_deviceCodePolls)
        {
            _deviceCodePolls[deviceCode] = 0;
        }

        return Json(200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("user_code", userCode);
            writer.WriteString("device_code", deviceCode);
            writer.WriteString("verification_uri", "https://microsoft.com/devicelogin");
            writer.WriteNumber("expires_in", 900);
            writer.WriteNumber("interval", 1);
            writer.WriteString("message",
                $"To sign in, use a web browser to open the page https://microsoft.com/devicelogin and enter the code {userCode} to authenticate. (Sandbox: {_signInUser.UserPrincipalName} approves it for you.)");
            writer.WriteEndObject();
        });
    }

    private GraphResponse DeviceCodeToken(GraphRequest request, Dictionary<string, string> form)
    {
        string code = form.GetValueOrDefault("device_code") ?? "";
        int polls;
        lock (_deviceCodePolls)
        {
            if (!_deviceCodePolls.TryGetValue(code, out polls))
            {
                return Failure(request, 400, "expired_token", 70020, "The provided value for the input parameter 'device_code' is not valid or has expired.");
            }

            _deviceCodePolls[code] = polls + 1;
        }

        if (polls == 0)
        {
            return Failure(request, 400, "authorization_pending", 70016, "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");
        }

        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        string issuer = $"{Authority}/{_tenantId}/v2.0";
        string idToken = UnsignedJwt(w =>
        {
            w.WriteString("aud", _clientId);
            w.WriteString("iss", issuer);
            w.WriteNumber("iat", now);
            w.WriteNumber("nbf", now);
            w.WriteNumber("exp", now + TokenLifetimeSeconds);
            w.WriteString("name", _signInUser.DisplayName);
            w.WriteString("oid", _signInUser.Id);
            w.WriteString("preferred_username", _signInUser.UserPrincipalName);
            w.WriteString("sub", _signInUser.Id);
            w.WriteString("tid", _tenantId);
            w.WriteString("ver", "2.0");
        });
        string clientInfo = Base64UrlText($"{{\"uid\":\"{_signInUser.Id}\",\"utid\":\"{_tenantId}\"}}");
        return Json(200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("token_type", "Bearer");
            writer.WriteString("scope", form.GetValueOrDefault("scope") ?? "https://graph.microsoft.com/.default");
            writer.WriteNumber("expires_in", TokenLifetimeSeconds);
            writer.WriteNumber("ext_expires_in", TokenLifetimeSeconds);
            writer.WriteString("access_token", _accessToken);
            writer.WriteString("id_token", idToken);
            writer.WriteString("client_info", clientInfo);
            writer.WriteEndObject();
        });
    }

    /// <summary>An id token as a client reads it; unsigned, since nothing here verifies it (MSAL only reads the claims).</summary>
    private static string UnsignedJwt(Action<Utf8JsonWriter> claims)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            claims(writer);
            writer.WriteEndObject();
        }

        return Base64UrlText("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Base64Url.Encode(buffer.ToArray()) + ".";
    }

    private static string Base64UrlText(string text) => Base64Url.Encode(Encoding.UTF8.GetBytes(text));

    private static GraphResponse UnknownTenant(GraphRequest request, string tenant) =>
        Failure(request, 400, "invalid_request", 90002,
            $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.");

    /// <summary>The identity platform's error shape; the AADSTS code leads error_description, which is what MSAL surfaces.</summary>
    private static GraphResponse Failure(GraphRequest request, int status, string error, int code, string description)
    {
        string timestamp = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        string trace = request.RequestId;
        string correlation = request.ClientRequestId;
        return Json(status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("error", error);
            writer.WriteString("error_description",
                $"AADSTS{code}: {description} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {timestamp}");
            writer.WriteStartArray("error_codes");
            writer.WriteNumberValue(code);
            writer.WriteEndArray();
            writer.WriteString("timestamp", timestamp);
            writer.WriteString("trace_id", trace);
            writer.WriteString("correlation_id", correlation);
            writer.WriteString("error_uri", $"{Authority}/error?code={code}");
            writer.WriteEndObject();
        });
    }

    private static GraphResponse Json(int status, Action<Utf8JsonWriter> write)
    {
        GraphResponse response = GraphResponse.Json(status, write);
        response.Headers["Content-Type"] = "application/json; charset=utf-8";
        return response;
    }

    private static Dictionary<string, string> ReadForm(ReadOnlySpan<byte> body)
    {
        var form = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in Encoding.UTF8.GetString(body).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
            form[Decode(equals < 0 ? pair : pair[..equals])] = equals < 0 ? "" : Decode(pair[(equals + 1)..]);
        }

        return form;
    }
}
