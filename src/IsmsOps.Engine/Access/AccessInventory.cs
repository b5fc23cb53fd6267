using IsmsOps.Engine.People;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Access;

/// <summary>
/// One person's access, worked out from a <see cref="DirectoryIndex"/>: group memberships (direct and through nested
/// groups), group ownerships, directory roles (active, eligible, time-bound, or through a role-assignable group), app
/// roles, their own delegated consents, licences (direct or group-based) and devices. docs/access-inventory.md
/// explains each classification.
/// </summary>
/// <remarks>
/// Left out on purpose: admin consents for all users (consentType AllPrincipals), which belong to the tenant and do not
/// go when a person leaves (<see cref="DirectoryIndex.AllPrincipalsDelegatedGrants"/> lists them); and registered
/// authentication methods, which are credentials, not access to anything.
/// </remarks>
public static class AccessInventory
{
    private const string DefaultAccessRoleId = "00000000-0000-0000-0000-000000000000";

    /// <summary>
    /// The grants of the user with object id or user principal name <paramref name="userIdOrUpn"/>, ordered by kind
    /// and resource name. Fails with <c>IsmsOps.Access.UserNotFound</c> when the index has no such user.
    /// </summary>
    /// <param name="index">The directory to read.</param>
    /// <param name="userIdOrUpn">The user's object id or user principal name.</param>
    /// <param name="snapshotSha256">The digest of the snapshot file the index came from, stamped on each grant; null when live.</param>
    public static IReadOnlyList<AccessGrant> For(DirectoryIndex index, string userIdOrUpn, string? snapshotSha256 = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        SnapshotUser user = index.FindUser(userIdOrUpn) ?? throw UserNotFound(userIdOrUpn, "the directory read");
        var grants = new List<AccessGrant>();
        AccessGrant Grant(AccessKind kind, string resourceId, string resourceName, AssignmentType assignment, RemovalPath removal, string note) => new()
        {
            UserId = user.Id,
            UserPrincipalName = user.UserPrincipalName,
            Kind = kind,
            ResourceId = resourceId,
            ResourceDisplayName = resourceName,
            Assignment = assignment,
            Removal = removal,
            RemovalNote = note,
            SnapshotSha256 = snapshotSha256,
        };

        AccessGrant ThroughGroup(AccessGrant grant, SnapshotGroup group, string what) => grant with
        {
            InheritedFromGroupId = group.Id,
            InheritedFromGroupName = NameOf(group),
            Removal = RemovalPath.ViaGroup,
            RemovalNote = $"{what} group '{NameOf(group)}'; goes when the user leaves that group{HowMembershipGoes(group)}.",
        };

        IReadOnlyList<GroupMembership> memberships = index.TransitiveGroupsOf(user.Id);
        foreach (GroupMembership membership in memberships)
        {
            SnapshotGroup group = membership.Group;
            if (membership.IsDirect)
            {
                (RemovalPath removal, string note) = MembershipRemoval(group, user);
                grants.Add(Grant(AccessKind.GroupMembership, group.Id, NameOf(group), AssignmentType.Direct, removal, note));
                continue;
            }

            SnapshotGroup from = membership.InheritedFrom!;
            string path = string.Join(" > ", membership.Through.Append(group).Select(NameOf));
            grants.Add(ThroughGroup(Grant(AccessKind.GroupMembership, group.Id, NameOf(group), AssignmentType.Inherited, RemovalPath.ViaGroup, ""),
                from, "Inherited through nested groups (" + path + ") from") with { InheritancePath = path });
        }

        foreach (SnapshotGroup ownedGroup in index.GroupsOwnedBy(user.Id))
        {
            (RemovalPath removal, string note) = OwnershipRemoval(ownedGroup, user);
            grants.Add(Grant(AccessKind.GroupOwnership, ownedGroup.Id, NameOf(ownedGroup), AssignmentType.Direct, removal, note));
        }

        foreach (SnapshotRoleAssignment role in index.RoleAssignmentsOf(user.Id))
        {
            grants.Add(RoleGrant(Grant, index, role, role.State == RoleAssignmentState.Eligible ? AssignmentType.Eligible : AssignmentType.Direct) with
            {
                Since = role.StartDateTime,
                RemovalNote = role.FromSchedule
                    ? $"Remove through PIM: a {(role.State == RoleAssignmentState.Eligible ? "roleEligibilityScheduleRequest" : "roleAssignmentScheduleRequest")} with action adminRemove for schedule {role.Id}."
                    : $"DELETE /roleManagement/directory/roleAssignments/{role.Id}.",
            });
        }

        // Roles, app roles and licences reach a group's direct members only: role-assignable groups cannot contain
        // groups, and Entra ID does not pass app role assignments or group-based licences on to nested groups.
        foreach (GroupMembership membership in memberships.Where(m => m.IsDirect))
        {
            SnapshotGroup group = membership.Group;
            foreach (SnapshotRoleAssignment role in index.RoleAssignmentsOf(group.Id))
            {
                AccessGrant grant = RoleGrant(Grant, index, role, role.State == RoleAssignmentState.Eligible ? AssignmentType.Eligible : AssignmentType.Inherited);
                grants.Add(ThroughGroup(grant, group, $"Role {(role.State == RoleAssignmentState.Eligible ? "eligibility" : "assignment")} of role-assignable"));
            }

            foreach (SnapshotAppRoleAssignment app in index.AppRoleAssignmentsOf(group.Id))
            {
                grants.Add(ThroughGroup(AppRoleGrant(Grant, index, app, AssignmentType.Inherited) with { Since = null }, group, "Assigned to"));
            }
        }

        foreach (SnapshotAppRoleAssignment app in index.AppRoleAssignmentsOf(user.Id))
        {
            grants.Add(AppRoleGrant(Grant, index, app, AssignmentType.Direct));
        }

        foreach (SnapshotDelegatedGrant consent in index.DelegatedGrantsOf(user.Id))
        {
            string client = index.ServicePrincipalById(consent.ClientId)?.DisplayName ?? consent.ClientId;
            string api = index.ServicePrincipalById(consent.ResourceId)?.DisplayName ?? consent.ResourceId;
            grants.Add(Grant(AccessKind.DelegatedGrant, consent.ClientId, $"{client}: {consent.Scope?.Trim()} on {api}", AssignmentType.Direct, RemovalPath.Graph,
                $"The user's own consent: DELETE /oauth2PermissionGrants/{consent.Id} (or PATCH it to drop scopes).") with
            {
                AssignmentId = consent.Id,
                Detail = consent.Scope?.Trim(),
            });
        }

        foreach (SnapshotLicenseAssignment licence in user.Licenses)
        {
            string name = index.SkuById(licence.SkuId)?.SkuPartNumber ?? licence.SkuId;
            string? detail = licence.DisabledPlans.Count == 0 ? licence.State : $"{licence.State}; {licence.DisabledPlans.Count} plan(s) disabled";
            if (licence.AssignedByGroupId is null)
            {
                grants.Add(Grant(AccessKind.License, licence.SkuId, name, AssignmentType.Direct, RemovalPath.Graph,
                    $"POST /users/{user.Id}/assignLicense with {licence.SkuId} in removeLicenses.") with { Detail = detail });
                continue;
            }

            SnapshotGroup group = index.GroupById(licence.AssignedByGroupId)
                ?? new SnapshotGroup { Id = licence.AssignedByGroupId, DisplayName = licence.AssignedByGroupId };
            grants.Add(ThroughGroup(Grant(AccessKind.License, licence.SkuId, name, AssignmentType.Inherited, RemovalPath.ViaGroup, "") with { Detail = detail },
                group, "Group-based licence from"));
        }

        IReadOnlyList<SnapshotDevice> owned = index.DevicesOwnedBy(user.Id);
        IReadOnlyList<SnapshotDevice> used = index.DevicesRegisteredTo(user.Id);
        foreach (SnapshotDevice device in owned.Concat(used).Distinct())
        {
            bool isOwner = owned.Contains(device);
            bool isUser = used.Contains(device);
            string how = isOwner && isUser ? "registered owner and user" : isOwner ? "registered owner" : "registered user";
            string note = (isOwner ? $"DELETE /devices/{device.Id}/registeredOwners/{user.Id}/$ref" : "")
                + (isOwner && isUser ? " and " : "")
                + (isUser ? $"DELETE /devices/{device.Id}/registeredUsers/{user.Id}/$ref" : "")
                + "; or disable or delete the device.";
            grants.Add(Grant(AccessKind.Device, device.Id, device.DisplayName ?? device.DeviceId ?? device.Id, AssignmentType.Direct, RemovalPath.Graph, note) with
            {
                Detail = device.OperatingSystem is null ? how : $"{how}; {device.OperatingSystem}",
            });
        }

        return grants
            .OrderBy(g => g.Kind)
            .ThenBy(g => g.ResourceDisplayName, StringComparer.OrdinalIgnoreCase)
            .ThenBy(g => g.Assignment)
            .ThenBy(g => g.InheritedFromGroupName, StringComparer.OrdinalIgnoreCase)
            .ToList();
    }

    /// <summary>
    /// The directory key of a registered person: their DirectoryObjectId, else their UserPrincipalName. Fails with
    /// <c>IsmsOps.Access.PersonNotLinked</c> when they have neither.
    /// </summary>
    public static string DirectoryKeyOf(Person person)
    {
        ArgumentNullException.ThrowIfNull(person);
        return person.DirectoryObjectId ?? person.UserPrincipalName
            ?? throw new IsmsException("IsmsOps.Access.PersonNotLinked", IsmsErrorKind.InvalidData,
                $"Person '{person.PersonId}' has neither a DirectoryObjectId nor a UserPrincipalName, so their directory account is unknown.",
                $"Link the account: Set-IsmsPerson {person.PersonId} -DirectoryObjectId <Entra object id> (or -UserPrincipalName).", person.PersonId);
    }

    /// <summary>The error for a user that <paramref name="source"/> (a description such as "the snapshot 'x.json.gz'") does not hold.</summary>
    public static IsmsException UserNotFound(string userIdOrUpn, string source) => new("IsmsOps.Access.UserNotFound", IsmsErrorKind.NotFound,
        $"No user with object id or user principal name '{userIdOrUpn}' is in {source}.",
        "Check the id or UPN. If the account is newer than the snapshot, collect a new snapshot; a snapshot scoped to another user holds only that user.",
        userIdOrUpn);

    private static AccessGrant RoleGrant(Func<AccessKind, string, string, AssignmentType, RemovalPath, string, AccessGrant> grant, DirectoryIndex index,
        SnapshotRoleAssignment role, AssignmentType assignment) =>
        grant(AccessKind.DirectoryRole, role.RoleDefinitionId, index.RoleDefinitionById(role.RoleDefinitionId)?.DisplayName ?? role.RoleDefinitionId,
            assignment, RemovalPath.Graph, "") with
        {
            Until = role.EndDateTime,
            AssignmentId = role.Id,
            Detail = role.DirectoryScopeId is "/" or "" ? null : "scope " + role.DirectoryScopeId,
        };

    private static AccessGrant AppRoleGrant(Func<AccessKind, string, string, AssignmentType, RemovalPath, string, AccessGrant> grant, DirectoryIndex index,
        SnapshotAppRoleAssignment app, AssignmentType assignment) =>
        grant(AccessKind.AppRole, app.ResourceId, AppRoleName(index, app), assignment, RemovalPath.Graph,
            $"DELETE /servicePrincipals/{app.ResourceId}/appRoleAssignedTo/{app.Id}.") with
        {
            Since = app.CreatedDateTime,
            AssignmentId = app.Id,
        };

    /// <summary>An app role assignment's name as a grant shows it: "App name: role value" ("default access" for the all-zero role).</summary>
    internal static string AppRoleName(DirectoryIndex index, SnapshotAppRoleAssignment app)
    {
        SnapshotServicePrincipal? resource = index.ServicePrincipalById(app.ResourceId);
        string role = app.AppRoleId == DefaultAccessRoleId
            ? "default access"
            : resource?.AppRoles.FirstOrDefault(r => string.Equals(r.Id, app.AppRoleId, StringComparison.OrdinalIgnoreCase)) is SnapshotAppRole r
                ? r.Value ?? r.DisplayName ?? r.Id
                : app.AppRoleId;
        return $"{resource?.DisplayName ?? app.ResourceId}: {role}";
    }

    // Who decides a group's membership: on-premises AD for a synced group (mail-enabled or not: Exchange Online
    // cannot change a synced group either), the rule for a dynamic group, Exchange Online for a cloud distribution list
    // or mail-enabled security group (Graph refuses to change their members), otherwise Graph.
    internal static (RemovalPath Removal, string Note) MembershipRemoval(SnapshotGroup group, SnapshotUser user)
    {
        string name = NameOf(group);
        if (group.OnPremisesSyncEnabled)
        {
            return (RemovalPath.OnPremisesDirectory,
                $"'{name}' is synced from on-premises Active Directory{(group.MailEnabled ? " (it is also mail-enabled, but Exchange Online cannot change a synced group)" : "")}: remove the user from it in AD; Entra Connect brings the change across on its next sync.");
        }

        if (group.IsDynamic)
        {
            return (RemovalPath.DynamicRule,
                $"'{name}' is a dynamic group (rule: {group.MembershipRule ?? "not recorded"}): Graph cannot remove a member. Change the user's attributes the rule tests, or the rule itself.");
        }

        if (group.IsExchangeManaged)
        {
            return (RemovalPath.ExchangeOnline,
                $"'{name}' is a {(group.SecurityEnabled ? "mail-enabled security group" : "distribution list")}: Graph cannot change its members. Remove the user in Exchange Online (Remove-DistributionGroupMember -Identity '{group.Mail ?? name}' -Member '{user.UserPrincipalName}').");
        }

        return (RemovalPath.Graph, $"DELETE /groups/{group.Id}/members/{user.Id}/$ref.");
    }

    private static (RemovalPath Removal, string Note) OwnershipRemoval(SnapshotGroup group, SnapshotUser user)
    {
        string name = NameOf(group);
        if (group.IsExchangeManaged && group.OnPremisesSyncEnabled)
        {
            return (RemovalPath.OnPremisesDirectory, $"'{name}' is a mail-enabled group synced from on-premises AD: change its managedBy there.");
        }

        if (group.IsExchangeManaged)
        {
            return (RemovalPath.ExchangeOnline,
                $"'{name}' is a {(group.SecurityEnabled ? "mail-enabled security group" : "distribution list")}: its owners are its ManagedBy list in Exchange Online (Set-DistributionGroup -ManagedBy).");
        }

        return (RemovalPath.Graph, $"DELETE /groups/{group.Id}/owners/{user.Id}/$ref.");
    }

    private static string HowMembershipGoes(SnapshotGroup group) =>
        group.OnPremisesSyncEnabled ? " (synced from on-premises AD: remove the user there)"
        : group.IsDynamic ? " (a dynamic group: its rule decides)"
        : group.IsExchangeManaged ? " (membership managed in Exchange Online)"
        : string.Empty;

    private static string NameOf(SnapshotGroup group) => group.DisplayName ?? group.Id;
}
