namespace IsmsOps.Engine.Roles;

/// <summary>
/// One segregation-of-duties breach found by <see cref="RoleCatalog.CheckSegregationOfDuties"/>: a held role and
/// something it conflicts with that is held too.
/// </summary>
/// <param name="RoleId">The role that declares the conflict.</param>
/// <param name="ConflictsWith">What it conflicts with, readable: <c>role 'payments-operator'</c>, <c>group 'Payments Release'</c>.</param>
/// <param name="Via">
/// The held role whose birthright brings the conflicting group or app role, or null when the role is held itself or the
/// resource was held directly.
/// </param>
/// <param name="Reason">The reason the catalog gives, if any.</param>
/// <param name="Conflict">The conflict as declared.</param>
public sealed record SegregationOfDutiesViolation(string RoleId, string ConflictsWith, string? Via, string? Reason, RoleConflict Conflict)
{
    /// <inheritdoc />
    public override string ToString() =>
        $"role '{RoleId}' conflicts with {ConflictsWith}{(Via is null ? string.Empty : $" (granted by role '{Via}')")}{(Reason is null ? string.Empty : $": {Reason}")}";
}
