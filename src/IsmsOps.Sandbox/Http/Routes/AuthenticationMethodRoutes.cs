using System.Globalization;
using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Http.Routes;

/// <summary>users/{id}/authentication: all methods, the typed collections, deleting a method and issuing a Temporary Access Pass.</summary>
internal static class AuthenticationMethodRoutes
{
    private const int MinimumPassLifetime = 10;
    private const int MaximumPassLifetime = 43_200;

    private static readonly ListingOptions<AuthenticationMethod> AllMethods = new() { WithODataType = true };

    /// <summary>The typed collections Graph files methods under (users/{id}/authentication/{collection}).</summary>
    private static readonly string[] Collections =
    [
        "passwordMethods", "microsoftAuthenticatorMethods", "phoneMethods", "fido2Methods", "emailMethods", "softwareOathMethods",
        "temporaryAccessPassMethods",
    ];

    public static void Map(RouteTable routes)
    {
        routes.Map("GET users/{id}/authentication/methods", call => call.WithUser(user =>
            GraphPayloads.Collection(call, $"users('{user.Id}')/authentication/methods", user.AuthenticationMethods, GraphShapes.AuthenticationMethod, AllMethods)));
        routes.Map("GET users/{id}/authentication/methods/{methodId}", call => call.WithUser(user =>
            FindMethod(user, "methods", call["methodId"]) is { } method
                ? GraphPayloads.Entity(call, $"users('{user.Id}')/authentication/methods/$entity", method, GraphShapes.AuthenticationMethod, AllMethods)
                : call.NotFound(call["methodId"])));
        routes.Map("GET users/{id}/authentication/{collection}", call => WithCollection(call, (user, segment) =>
            GraphPayloads.Collection(call, $"users('{user.Id}')/authentication/{segment}",
                user.AuthenticationMethods.Where(m => m.CollectionSegment == segment).ToList(), GraphShapes.AuthenticationMethod)));
        routes.Map("GET users/{id}/authentication/{collection}/{methodId}", call => WithCollection(call, (user, segment) =>
            FindMethod(user, segment, call["methodId"]) is { } method
                ? GraphPayloads.Entity(call, $"users('{user.Id}')/authentication/{segment}/$entity", method, GraphShapes.AuthenticationMethod)
                : call.NotFound(call["methodId"])));
        routes.Map("DELETE users/{id}/authentication/{collection}/{methodId}", call => WithCollection(call, (user, segment) => Delete(call, user, segment)));
        routes.Map("POST users/{id}/authentication/temporaryAccessPassMethods", call => call.WithUser(user => call.WithBody(body => IssuePass(call, user, body))));
    }

    private static GraphResponse WithCollection(RouteCall call, Func<DirectoryUser, string, GraphResponse> then)
    {
        string requested = call["collection"];
        string? segment = Collections.FirstOrDefault(k => string.Equals(k, requested, StringComparison.OrdinalIgnoreCase));
        if (segment is null)
        {
            return call.Error(400, "BadRequest", $"Resource not found for the segment '{requested}'.");
        }

        return call.WithUser(user => then(user, segment));
    }

    private static AuthenticationMethod? FindMethod(DirectoryUser user, string segment, string methodId) =>
        user.AuthenticationMethods.FirstOrDefault(m => string.Equals(m.Id, methodId, StringComparison.OrdinalIgnoreCase)
            && (segment == "methods" || m.CollectionSegment == segment));

    private static GraphResponse Delete(RouteCall call, DirectoryUser user, string segment)
    {
        // A password is reset, never deleted.
        if (segment == "passwordMethods")
        {
            return call.MethodNotAllowed();
        }

        if (FindMethod(user, segment, call["methodId"]) is not { } method)
        {
            return call.NotFound(call["methodId"]);
        }

        // Entra ID will not delete the default sign-in method while the user has another to fall back on; the user (or
        // an administrator) has to choose a new default first.
        if (ReferenceEquals(user.DefaultMfaMethod, method) && user.AuthenticationMethods.Any(m => m.IsMfa && !ReferenceEquals(m, method)))
        {
            return call.Error(400, "badRequest",
                "The default authentication method cannot be deleted while other methods are registered. Change the user's default method first.");
        }

        user.RemoveMethod(method);
        return GraphResponse.NoContent();
    }

    private static GraphResponse IssuePass(RouteCall call, DirectoryUser user, JsonElement body)
    {
        if (user.AuthenticationMethods.Any(m => m is TemporaryAccessPassMethod))
        {
            return call.Error(400, "badRequest", "The user already has a Temporary Access Pass; delete it before creating another.");
        }

        int lifetime = 60;
        if (body.TryGetProperty("lifetimeInMinutes", out JsonElement lifetimeValue)
            && (!lifetimeValue.TryGetInt32(out lifetime) || lifetime is < MinimumPassLifetime or > MaximumPassLifetime))
        {
            return call.Error(400, "badRequest",
                $"lifetimeInMinutes must be between {MinimumPassLifetime} and {MaximumPassLifetime}; '{lifetimeValue}' is not.");
        }

        DateTimeOffset created = call.Tenant.Stamp();
        DateTimeOffset start = created;
        if (RouteCall.String(body, "startDateTime") is { } startText
            && !DateTimeOffset.TryParse(startText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out start))
        {
            return call.Error(400, "badRequest", $"startDateTime '{startText}' is not a date and time.");
        }

        bool usableOnce = body.TryGetProperty("isUsableOnce", out JsonElement once) && once.ValueKind == JsonValueKind.True;
        string id = call.Tenant.NewId();
        var stored = new TemporaryAccessPassMethod(id) { CreatedDateTime = created, StartDateTime = start, LifetimeInMinutes = lifetime, IsUsableOnce = usableOnce };
        user.AddMethod(stored);

        // The pass is shown once, in this answer; the stored method never carries it.
        string pass = "Tap-" + call.Tenant.NewOpaqueId()[..12];
        var shown = new TemporaryAccessPassMethod(id) { CreatedDateTime = created, StartDateTime = start, LifetimeInMinutes = lifetime, IsUsableOnce = usableOnce, Pass = pass };
        return GraphPayloads.Entity<AuthenticationMethod>(call, $"users('{user.Id}')/authentication/temporaryAccessPassMethods/$entity", shown, GraphShapes.AuthenticationMethod, AllMethods, status: 201);
    }
}
