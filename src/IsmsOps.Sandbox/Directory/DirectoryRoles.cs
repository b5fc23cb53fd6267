namespace IsmsOps.Sandbox.Directory;

/// <summary>An Entra ID role: Graph's unifiedRoleDefinition. Built-in roles use Microsoft's template ids as their ids.</summary>
public sealed class RoleDefinition
{
    public required string Id { get; init; }
    public required string DisplayName { get; init; }
    public required string Description { get; init; }
    public bool IsBuiltIn { get; init; } = true;
    public bool IsEnabled { get; init; } = true;
    public required IReadOnlyList<string> AllowedResourceActions { get; init; }

    /// <summary>Built-in roles carry their template id; custom roles have none until someone sets one.</summary>
    public string? TemplateId => IsBuiltIn ? Id : null;
}

/// <summary>
/// What an active role assignment and a PIM eligibility both record: who holds which role, over which scope, from
/// when until when.
/// </summary>
public abstract class RoleSchedule
{
    public required string Id { get; init; }
    public required DirectoryObject Principal { get; init; }
    public required RoleDefinition Role { get; init; }
    public string DirectoryScopeId { get; init; } = "/";
    public required DateTimeOffset StartDateTime { get; init; }

    /// <summary>Null for a permanent schedule; set for a time-bound or activated one.</summary>
    public DateTimeOffset? EndDateTime { get; init; }

    public required DateTimeOffset CreatedDateTime { get; init; }
}

/// <summary>
/// An active role assignment. Graph shows the same fact three ways: as a unifiedRoleAssignment (what is in force), as a
/// unifiedRoleAssignmentSchedule (how long it lasts) and as a schedule instance; the sandbox keeps one record for all
/// three, under one id.
/// </summary>
public sealed class RoleAssignment : RoleSchedule
{
    /// <summary>"Assigned" (by an administrator) or "Activated" (by the principal, from an eligibility).</summary>
    public string AssignmentType { get; init; } = "Assigned";
}

/// <summary>A PIM eligibility: the principal may activate <see cref="RoleSchedule.Role"/> but does not hold it yet.</summary>
public sealed class RoleEligibility : RoleSchedule
{
}
