namespace IsmsOps.Sandbox.Directory;

/// <summary>One service inside a SKU (Exchange, SharePoint, Entra ID P2 ...), under Microsoft's published ids.</summary>
public sealed record ServicePlan(Guid ServicePlanId, string ServicePlanName, string AppliesTo = "User");

/// <summary>A subscription the tenant has bought: Graph's subscribedSku.</summary>
public sealed class SubscribedSku
{
    public required Guid SkuId { get; init; }
    public required string SkuPartNumber { get; init; }
    public required IReadOnlyList<ServicePlan> ServicePlans { get; init; }

    /// <summary>Seats bought and enabled (prepaidUnits.enabled).</summary>
    public required int EnabledUnits { get; init; }

    public string AppliesTo { get; init; } = "User";
    public string CapabilityStatus { get; init; } = "Enabled";
}

/// <summary>A licence assigned straight to a user (not through a group), with the plans switched off in it.</summary>
public sealed record AssignedLicense(Guid SkuId, IReadOnlyList<Guid> DisabledPlans, DateTimeOffset AssignedDateTime);

/// <summary>
/// One row of a user's licenseAssignmentStates: <see cref="AssignedByGroup"/> is null for a direct licence and the
/// group's id for an inherited one, which is how Graph tells a caller which licences it may remove from the user.
/// </summary>
public sealed record LicenseAssignmentState(Guid SkuId, IReadOnlyList<Guid> DisabledPlans, string? AssignedByGroup, DateTimeOffset LastUpdatedDateTime);
