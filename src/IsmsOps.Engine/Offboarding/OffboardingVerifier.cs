using IsmsOps.Engine.Access;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Offboarding;

/// <summary>One thing a leaver still holds after an offboarding, and why it is still there.</summary>
public sealed record RemainingAccess
{
    /// <summary>An <see cref="AccessKind"/> name, or AuthenticationMethod, or DirectReport.</summary>
    public required string Kind { get; init; }

    public required string ResourceId { get; init; }

    public required string ResourceDisplayName { get; init; }

    /// <summary>Who can remove it, for access-inventory grants; null for methods and reports (always Graph).</summary>
    public RemovalPath? Removal { get; init; }

    /// <summary>True when Graph could have removed it: the offboarding failed to, and should be run again.</summary>
    public required bool RemovableThroughGraph { get; init; }

    /// <summary>The system or person that must act: Microsoft Graph, a dynamic rule, on-premises AD, Exchange Online, a group.</summary>
    public required string ActingSystem { get; init; }

    /// <summary>Why it remains and how it goes, in words an administrator can act on.</summary>
    public required string Why { get; init; }

    /// <summary>The access-inventory grant behind it, when it is one.</summary>
    public AccessGrant? Grant { get; init; }
}

/// <summary>What a live re-read of the leaver found: the account's state, and everything still held.</summary>
public sealed record OffboardingVerification
{
    public required string UserId { get; init; }

    public required string UserPrincipalName { get; init; }

    public required bool AccountEnabled { get; init; }

    /// <summary>Tokens issued before this are refused; it moves forward when sessions are revoked.</summary>
    public DateTimeOffset? SignInSessionsValidFrom { get; init; }

    public required DateTimeOffset VerifiedAt { get; init; }

    public required IReadOnlyList<RemainingAccess> Remaining { get; init; }

    /// <summary>
    /// The proof an auditor asks for: the account is disabled and nothing Graph can remove is left. What remains is
    /// held elsewhere (a dynamic rule, on-premises AD, Exchange Online, or a group so governed) and names who must act.
    /// </summary>
    public bool NothingRemovableRemains => !AccountEnabled && Remaining.All(r => !r.RemovableThroughGraph);
}

/// <summary>
/// Re-reads a leaver live from Graph (<see cref="UserAccessCollector"/>, the access inventory, and in the collector's
/// first $batch the account's sessions, the authentication methods and the direct reports) and reports what remains
/// and why.
/// </summary>
public sealed class OffboardingVerifier
{
    private readonly GraphReader _reader;

    public OffboardingVerifier(GraphReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
    }

    /// <summary>Verifies the user with object id or UPN <paramref name="userIdOrPrincipalName"/>.</summary>
    public async Task<OffboardingVerification> VerifyAsync(string userIdOrPrincipalName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userIdOrPrincipalName);

        // The account's session mark, the methods and the reports ride in the collector's first $batch: no round trip of their own.
        DateTimeOffset? sessions = null;
        var methods = new List<(string Id, string? Type)>();
        var reports = new List<(string Id, string? Name)>();
        UserRead[] alongside =
        [
            new(GraphOperation.ReadUsers, "?$select=id,signInSessionsValidFromDateTime", item => sessions = GraphJson.Date(item, "signInSessionsValidFromDateTime")),
            new(GraphOperation.ReadAuthenticationMethods, "/authentication/methods",
                item => methods.Add((GraphJson.RequiredString(item, "id"), GraphJson.String(item, "@odata.type")))),
            new(GraphOperation.ReadUsers, "/directReports?$select=id,displayName&$top=999",
                item => reports.Add((GraphJson.RequiredString(item, "id"), GraphJson.String(item, "displayName")))),
        ];
        DirectorySnapshot snapshot = await new UserAccessCollector(_reader).CollectAsync(userIdOrPrincipalName, alongside, cancellationToken).ConfigureAwait(false);
        DirectoryIndex index = DirectoryIndex.Build(snapshot);
        SnapshotUser user = snapshot.Users[0];
        string path = $"/users/{Uri.EscapeDataString(user.Id)}";

        var devices = snapshot.Devices.ToDictionary(d => d.Id, StringComparer.Ordinal);
        var remaining = new List<RemainingAccess>();
        foreach (AccessGrant grant in AccessInventory.For(index, user.Id))
        {
            // A disabled device no longer signs anyone in; the ownership tie stays for the asset's return.
            if (grant.Kind == AccessKind.Device && devices.TryGetValue(grant.ResourceId, out SnapshotDevice? device) && !device.AccountEnabled)
            {
                continue;
            }

            remaining.Add(new RemainingAccess
            {
                Kind = grant.Kind.ToString(),
                ResourceId = grant.ResourceId,
                ResourceDisplayName = grant.ResourceDisplayName,
                Removal = grant.Removal,
                RemovableThroughGraph = grant.Removal == RemovalPath.Graph,
                ActingSystem = ActingSystem(grant),
                Why = grant.Removal == RemovalPath.Graph ? $"Graph can remove it and the offboarding did not: {grant.RemovalNote}" : grant.RemovalNote,
                Grant = grant,
            });
        }

        foreach ((string id, string? type) in methods.Where(m => OffboardingStepRunner.MethodSegment(m.Type) is not (null or "passwordMethods")))
        {
            remaining.Add(new RemainingAccess
            {
                Kind = "AuthenticationMethod",
                ResourceId = id,
                ResourceDisplayName = type ?? id,
                RemovableThroughGraph = true,
                ActingSystem = "Microsoft Graph",
                Why = $"The authentication method is still registered: DELETE {path}/authentication/{OffboardingStepRunner.MethodSegment(type)}/{id}.",
            });
        }

        // Reports can move to the leaver's own manager through Graph; a leaver without one (the chief executive, say)
        // leaves a person to choose who the reports go to, which is a manual task rather than a failed removal.
        bool successorKnown = user.ManagerId is not null;
        foreach ((string id, string? name) in reports)
        {
            remaining.Add(new RemainingAccess
            {
                Kind = "DirectReport",
                ResourceId = id,
                ResourceDisplayName = name ?? id,
                RemovableThroughGraph = successorKnown,
                ActingSystem = successorKnown ? "Microsoft Graph" : "a person who chooses the new manager",
                Why = successorKnown
                    ? $"Still reports to the leaver: PUT /users/{id}/manager/$ref with the leaver's manager."
                    : $"Still reports to the leaver, who has no manager to pass the reports to: choose one, then PUT /users/{id}/manager/$ref.",
            });
        }

        return new OffboardingVerification
        {
            UserId = user.Id,
            UserPrincipalName = user.UserPrincipalName,
            AccountEnabled = user.AccountEnabled,
            SignInSessionsValidFrom = sessions,
            VerifiedAt = DateTimeOffset.UtcNow,
            Remaining = remaining,
        };
    }

    private static string ActingSystem(AccessGrant grant) => grant.Removal switch
    {
        RemovalPath.Graph => "Microsoft Graph",
        RemovalPath.DynamicRule => "the group's dynamic membership rule",
        RemovalPath.OnPremisesDirectory => "on-premises Active Directory",
        RemovalPath.ExchangeOnline => "Exchange Online",
        _ => $"the membership of group '{grant.InheritedFromGroupName ?? grant.InheritedFromGroupId}'",
    };
}
