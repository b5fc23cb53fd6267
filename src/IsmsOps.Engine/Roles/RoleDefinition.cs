using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Screening;

namespace IsmsOps.Engine.Roles;

/// <summary>
/// One role of the catalog (<c>policies/roles/*.yaml</c>): what screening it needs, the access everyone in it gets from
/// day one (birthright), whether it is privileged, what it must never be combined with, and how often its access is
/// reviewed.
/// </summary>
public sealed record RoleDefinition
{
    /// <summary>The stable id people and HR feeds refer to (<c>finance-controller</c>); unique across the catalog, case-insensitive.</summary>
    public required string Id { get; init; }

    /// <summary>The human title (<c>Financial Controller</c>).</summary>
    public required string Title { get; init; }

    /// <summary>Free text for reviewers, if any.</summary>
    public string? Description { get; init; }

    /// <summary>The screening level the role requires wherever no country override applies.</summary>
    public required ScreeningLevel ScreeningLevel { get; init; }

    /// <summary>Overrides of <see cref="ScreeningLevel"/> by ISO 3166-1 alpha-2 country code (upper case).</summary>
    public IReadOnlyDictionary<string, ScreeningLevel> ScreeningLevelByCountry { get; init; } = new Dictionary<string, ScreeningLevel>();

    /// <summary>
    /// Whether a joiner may get the minimal baseline (account, mail, intranet) before screening clears. When false,
    /// nothing at all is granted until screening is Cleared or validly Waived.
    /// </summary>
    public bool BaselineBeforeScreening { get; init; }

    /// <summary>A privileged role: its holders are reviewed more closely and it usually needs Enhanced screening.</summary>
    public bool Privileged { get; init; }

    /// <summary>How often the access of the role's holders must be reviewed.</summary>
    public required IsoDuration AccessReview { get; init; }

    /// <summary>Groups every holder is made a member of.</summary>
    public IReadOnlyList<GroupReference> Groups { get; init; } = [];

    /// <summary>Licences every holder is assigned.</summary>
    public IReadOnlyList<LicenceReference> Licences { get; init; } = [];

    /// <summary>App roles every holder is assigned.</summary>
    public IReadOnlyList<AppRoleReference> AppRoles { get; init; } = [];

    /// <summary>Segregation-of-duties conflicts this role declares (each also binds the other side: see <see cref="RoleCatalog.CheckSegregationOfDuties"/>).</summary>
    public IReadOnlyList<RoleConflict> Conflicts { get; init; } = [];

    /// <summary>Where the role is defined: <c>file:line:column</c>.</summary>
    public required string Source { get; init; }

    /// <summary>The level required for someone working in <paramref name="country"/> (ISO 3166-1 alpha-2, any case, or null).</summary>
    public ScreeningLevel ScreeningLevelFor(string? country) =>
        country is not null && ScreeningLevelByCountry.TryGetValue(country.ToUpperInvariant(), out ScreeningLevel level) ? level : ScreeningLevel;

    /// <inheritdoc />
    public override string ToString() => Id;
}

/// <summary>A group, by object id, display name or both (the object id wins when both are known on each side).</summary>
/// <param name="ObjectId">The group's Entra object id, if given.</param>
/// <param name="DisplayName">The group's display name, if given.</param>
public sealed record GroupReference(Guid? ObjectId, string? DisplayName)
{
    /// <summary>Whether this and <paramref name="other"/> name the same group.</summary>
    public bool Matches(GroupReference other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ObjectId is not null && other.ObjectId is not null
            ? ObjectId == other.ObjectId
            : DisplayName is not null && string.Equals(DisplayName, other.DisplayName, StringComparison.OrdinalIgnoreCase);
    }

    /// <inheritdoc />
    public override string ToString() => DisplayName is not null ? $"group '{DisplayName}'" : $"group {ObjectId}";
}

/// <summary>A licence, by SKU part number (<c>ENTERPRISEPACK</c>), SKU id or both.</summary>
/// <param name="SkuPartNumber">The SKU part number, if given.</param>
/// <param name="SkuId">The SKU id, if given.</param>
public sealed record LicenceReference(string? SkuPartNumber, Guid? SkuId)
{
    /// <inheritdoc />
    public override string ToString() => SkuPartNumber ?? SkuId!.Value.ToString();
}

/// <summary>
/// An app role of an application: the application by its app id (client id) or its service principal's object id,
/// and the role by its value (<c>Approver</c>) or id.
/// </summary>
/// <param name="AppId">The application's app (client) id, if given.</param>
/// <param name="ServicePrincipalId">The service principal's object id, if given.</param>
/// <param name="Value">The app role's value, if given.</param>
/// <param name="AppRoleId">The app role's id, if given.</param>
/// <param name="App">A readable name of the application, for messages only.</param>
public sealed record AppRoleReference(Guid? AppId, Guid? ServicePrincipalId, string? Value, Guid? AppRoleId, string? App = null)
{
    /// <summary>Whether this and <paramref name="other"/> name the same app role of the same application.</summary>
    public bool Matches(AppRoleReference other)
    {
        ArgumentNullException.ThrowIfNull(other);
        bool sameApp = (AppId is not null && AppId == other.AppId) || (ServicePrincipalId is not null && ServicePrincipalId == other.ServicePrincipalId);
        bool sameRole = AppRoleId is not null && other.AppRoleId is not null
            ? AppRoleId == other.AppRoleId
            : Value is not null && string.Equals(Value, other.Value, StringComparison.Ordinal);
        return sameApp && sameRole;
    }

    /// <inheritdoc />
    public override string ToString() => $"app role '{Value ?? AppRoleId?.ToString()}' of {App ?? (AppId ?? ServicePrincipalId)?.ToString()}";
}

/// <summary>
/// A segregation-of-duties conflict: holding the declaring role together with another role, a group or an app role is
/// not allowed. Exactly one of <see cref="Role"/>, <see cref="Group"/> and <see cref="AppRole"/> is set.
/// </summary>
/// <param name="Role">The other role's id.</param>
/// <param name="Group">A group the role's holders must not be in.</param>
/// <param name="AppRole">An app role the role's holders must not hold.</param>
/// <param name="Reason">Why, for the reviewer.</param>
public sealed record RoleConflict(string? Role, GroupReference? Group, AppRoleReference? AppRole, string? Reason)
{
    /// <inheritdoc />
    public override string ToString() => Role is not null ? $"role '{Role}'" : Group?.ToString() ?? AppRole!.ToString();
}
