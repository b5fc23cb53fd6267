namespace IsmsOps.Sandbox.Directory;

/// <summary>A role an application defines for users, groups or other applications: Graph's appRole.</summary>
public sealed record AppRole(Guid Id, string Value, string DisplayName, string Description, IReadOnlyList<string> AllowedMemberTypes);

/// <summary>A delegated permission an API publishes: Graph's permissionScope.</summary>
public sealed record PermissionScope(Guid Id, string Value, string Type, string AdminConsentDisplayName, string AdminConsentDescription);

/// <summary>An application's identity in this tenant: Graph's servicePrincipal.</summary>
public sealed class ServicePrincipal : DirectoryObject
{
    public ServicePrincipal(string id) : base(id) { }

    public override string ODataType => "#microsoft.graph.servicePrincipal";

    public required string AppId { get; init; }
    public required string DisplayName { get; init; }

    /// <summary>Application, ManagedIdentity or Legacy.</summary>
    public string ServicePrincipalType { get; init; } = "Application";

    public bool AccountEnabled { get; init; } = true;
    public bool AppRoleAssignmentRequired { get; init; }
    public string? AppOwnerOrganizationId { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<AppRole> AppRoles { get; init; } = [];
    public IReadOnlyList<PermissionScope> OAuth2PermissionScopes { get; init; } = [];

    public AppRole? FindAppRole(Guid id) => AppRoles.FirstOrDefault(r => r.Id == id);
}

/// <summary>A user, group or service principal holding one app role of a resource application.</summary>
public sealed class AppRoleAssignment
{
    /// <summary>Graph's "default access" role: assignment to an application that defines no roles.</summary>
    public static readonly Guid DefaultAccessRoleId = Guid.Empty;

    public required string Id { get; init; }
    public required Guid AppRoleId { get; init; }
    public required DirectoryObject Principal { get; init; }
    public required ServicePrincipal Resource { get; init; }
    public required DateTimeOffset CreatedDateTime { get; init; }

    /// <summary>User, Group or ServicePrincipal, as Graph spells principalType.</summary>
    public string PrincipalType => Principal switch
    {
        DirectoryUser => "User",
        DirectoryGroup => "Group",
        _ => "ServicePrincipal",
    };

    public string PrincipalDisplayName => Principal switch
    {
        DirectoryUser user => user.DisplayName,
        DirectoryGroup group => group.DisplayName,
        ServicePrincipal app => app.DisplayName,
        _ => Principal.Id,
    };
}

/// <summary>
/// Delegated consent: <see cref="ClientId"/> may call <see cref="ResourceId"/> with <see cref="Scope"/> on behalf of
/// every user (AllPrincipals) or of one user (Principal).
/// </summary>
public sealed class OAuth2PermissionGrant
{
    public required string Id { get; init; }
    public required string ClientId { get; init; }
    public required string ConsentType { get; init; }
    public string? PrincipalId { get; init; }
    public required string ResourceId { get; init; }

    /// <summary>Space-separated scope values, e.g. "User.Read Mail.Read".</summary>
    public required string Scope { get; set; }
}
