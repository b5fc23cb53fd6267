using System.Collections.Concurrent;
using System.Text.Json;
using IsmsOps.Engine.Snapshots;
using Microsoft.Graph.Models.ODataErrors;

namespace IsmsOps.Engine.Graph.Collection;

/// <summary>How far a collection has got, for progress bars.</summary>
/// <param name="Stage">What is being read, e.g. "Users" or "Group members".</param>
/// <param name="Completed">Objects (or requests, for fan-out stages) done so far in that stage.</param>
/// <param name="Total">The stage's total when known in advance.</param>
public sealed record SnapshotProgress(string Stage, long Completed, long? Total);

/// <summary>
/// Collects a whole-tenant <see cref="DirectorySnapshot"/> from Graph with close to the fewest requests the API allows:
/// collections are listed 999 at a time with <c>$select</c>, per-object relationships (group members and owners, app
/// role assignments) go 20 to a <c>$batch</c>, and transitive membership is derived rather than requested. See
/// docs/directory-snapshot.md for the request budget.
/// </summary>
/// <remarks>
/// Evidence that needs a licence the tenant may lack (sign-in activity and MFA registration need Entra ID P1, PIM
/// schedules need P2) is probed or read separately, and its absence is recorded as an <see cref="EvidenceGap"/>
/// instead of failing the run. Anything else that fails fails the whole collection: a partial snapshot must never pass
/// for a complete one.
/// </remarks>
public sealed class DirectorySnapshotCollector
{
    internal const string UserProperties =
        "id,userPrincipalName,displayName,mail,accountEnabled,userType,employeeId,employeeHireDate,employeeLeaveDateTime,"
        + "department,jobTitle,onPremisesSyncEnabled,createdDateTime,licenseAssignmentStates";

    internal const string GroupProperties =
        "id,displayName,description,mail,mailEnabled,securityEnabled,groupTypes,membershipRule,onPremisesSyncEnabled,"
        + "isAssignableToRole,createdDateTime,assignedLicenses";

    private const string PageSize = "$top=999";

    private readonly GraphReader _reader;
    private readonly string? _collectorVersion;
    private readonly ConcurrentDictionary<string, string> _ids = new(StringComparer.Ordinal);

    public DirectorySnapshotCollector(GraphReader reader, string? collectorVersion = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _collectorVersion = collectorVersion;
    }

    /// <summary>Reads the whole tenant. Throws on anything but a licence gap; never returns a partial snapshot.</summary>
    public async Task<DirectorySnapshot> CollectAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        DateTimeOffset started = DateTimeOffset.UtcNow;
        var gaps = new ConcurrentBag<EvidenceGap>();

        SnapshotTenant tenant = await ReadTenantAsync(cancellationToken).ConfigureAwait(false);
        bool signIns = await ProbeSignInActivityAsync(gaps, cancellationToken).ConfigureAwait(false);

        Task<List<SnapshotUser>> users = ReadUsersAsync(signIns, progress, cancellationToken);
        Task<List<SnapshotGroup>> groups = ReadGroupsAsync(progress, cancellationToken);
        Task<(List<SnapshotRoleDefinition>, List<SnapshotRoleAssignment>)> roles = ReadRolesAsync(gaps, cancellationToken);
        Task<(List<SnapshotServicePrincipal>, List<SnapshotAppRoleAssignment>)> apps = ReadApplicationsAsync(progress, cancellationToken);
        Task<List<SnapshotDelegatedGrant>> grants = ReadDelegatedGrantsAsync(cancellationToken);
        Task<List<SnapshotSku>> skus = ReadSkusAsync(cancellationToken);
        Task<List<SnapshotAuthenticationRegistration>> registrations = ReadRegistrationsAsync(gaps, progress, cancellationToken);
        Task<List<SnapshotDevice>> devices = ReadDevicesAsync(progress, cancellationToken);

        await Task.WhenAll(users, groups, roles, apps, grants, skus, registrations, devices).ConfigureAwait(false);

        return new DirectorySnapshot
        {
            Tenant = tenant,
            CollectedAt = started,
            CompletedAt = DateTimeOffset.UtcNow,
            Source = _reader.BaseUrl,
            CollectorVersion = _collectorVersion,
            EvidenceGaps = gaps.OrderBy(g => g.Area, StringComparer.Ordinal).ToList(),
            Users = users.Result,
            Groups = groups.Result,
            RoleDefinitions = roles.Result.Item1,
            RoleAssignments = roles.Result.Item2,
            ServicePrincipals = apps.Result.Item1,
            AppRoleAssignments = apps.Result.Item2,
            DelegatedGrants = grants.Result,
            Skus = skus.Result,
            AuthenticationRegistrations = registrations.Result,
            Devices = devices.Result,
        };
    }

    private Task<SnapshotTenant> ReadTenantAsync(CancellationToken cancellationToken) =>
        _reader.GetAsync("/organization?$select=id,displayName,verifiedDomains", root =>
        {
            JsonElement organisation = root.TryGetProperty("value", out JsonElement values) && values.GetArrayLength() > 0
                ? values[0]
                : throw new InvalidDataException("Graph returned no organization object for this tenant.");
            var domains = new List<string>();
            if (organisation.TryGetProperty("verifiedDomains", out JsonElement verified) && verified.ValueKind == JsonValueKind.Array)
            {
                domains.AddRange(verified.EnumerateArray().Select(d => GraphJson.String(d, "name")).OfType<string>());
            }

            return new SnapshotTenant
            {
                TenantId = GraphJson.RequiredString(organisation, "id"),
                DisplayName = GraphJson.String(organisation, "displayName"),
                VerifiedDomains = domains,
            };
        }, cancellationToken);

    /// <summary>
    /// signInActivity needs Entra ID P1 and AuditLog.Read.All. Asking for it in the main user listing would fail the
    /// whole listing on a tenant without either, so one cheap request finds out first.
    /// </summary>
    private async Task<bool> ProbeSignInActivityAsync(ConcurrentBag<EvidenceGap> gaps, CancellationToken cancellationToken)
    {
        try
        {
            await _reader.GetAsync("/users?$select=id,signInActivity&$top=1", _ => true, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (ODataError error) when (LicenceOrPermissionGap(error, EvidenceAreas.SignInActivity) is { } gap)
        {
            gaps.Add(gap);
            return false;
        }
    }

    private async Task<List<SnapshotUser>> ReadUsersAsync(bool signIns, IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        var users = new List<SnapshotUser>();
        string select = signIns ? UserProperties + ",signInActivity" : UserProperties;
        await _reader.ListAsync($"/users?$select={select}&$expand=manager($select=id)&{PageSize}", item =>
        {
            users.Add(ReadUser(item));
            if (users.Count % 999 == 0)
            {
                progress?.Report(new SnapshotProgress("Users", users.Count, null));
            }
        }, cancellationToken).ConfigureAwait(false);
        progress?.Report(new SnapshotProgress("Users", users.Count, users.Count));
        return users;
    }

    private SnapshotUser ReadUser(JsonElement item)
    {
        SnapshotSignInActivity? signIn = null;
        if (item.TryGetProperty("signInActivity", out JsonElement activity) && activity.ValueKind == JsonValueKind.Object)
        {
            signIn = new SnapshotSignInActivity
            {
                LastSignInDateTime = GraphJson.Date(activity, "lastSignInDateTime"),
                LastNonInteractiveSignInDateTime = GraphJson.Date(activity, "lastNonInteractiveSignInDateTime"),
                LastSuccessfulSignInDateTime = GraphJson.Date(activity, "lastSuccessfulSignInDateTime"),
            };
        }

        var licences = new List<SnapshotLicenseAssignment>();
        if (item.TryGetProperty("licenseAssignmentStates", out JsonElement states) && states.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement state in states.EnumerateArray())
            {
                string? sku = GraphJson.String(state, "skuId");
                if (sku is not null)
                {
                    licences.Add(new SnapshotLicenseAssignment
                    {
                        SkuId = Intern(sku),
                        AssignedByGroupId = GraphJson.String(state, "assignedByGroup") is { } group ? Intern(group) : null,
                        State = GraphJson.String(state, "state"),
                        DisabledPlans = GraphJson.Strings(state, "disabledPlans"),
                    });
                }
            }
        }

        string? manager = item.TryGetProperty("manager", out JsonElement managerObject) && managerObject.ValueKind == JsonValueKind.Object
            ? GraphJson.String(managerObject, "id")
            : null;

        return new SnapshotUser
        {
            Id = Intern(GraphJson.RequiredString(item, "id")),
            UserPrincipalName = GraphJson.RequiredString(item, "userPrincipalName"),
            DisplayName = GraphJson.String(item, "displayName"),
            Mail = GraphJson.String(item, "mail"),
            AccountEnabled = GraphJson.Bool(item, "accountEnabled"),
            UserType = GraphJson.String(item, "userType"),
            EmployeeId = GraphJson.String(item, "employeeId"),
            EmployeeHireDate = GraphJson.Date(item, "employeeHireDate"),
            EmployeeLeaveDateTime = GraphJson.Date(item, "employeeLeaveDateTime"),
            Department = GraphJson.String(item, "department"),
            JobTitle = GraphJson.String(item, "jobTitle"),
            ManagerId = manager is null ? null : Intern(manager),
            OnPremisesSyncEnabled = GraphJson.Bool(item, "onPremisesSyncEnabled"),
            CreatedDateTime = GraphJson.Date(item, "createdDateTime"),
            SignInActivity = signIn,
            Licenses = licences,
        };
    }

    private async Task<List<SnapshotGroup>> ReadGroupsAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        var groups = new List<SnapshotGroup>();
        await _reader.ListAsync($"/groups?$select={GroupProperties}&{PageSize}", item =>
        {
            var licences = new List<string>();
            if (item.TryGetProperty("assignedLicenses", out JsonElement assigned) && assigned.ValueKind == JsonValueKind.Array)
            {
                licences.AddRange(assigned.EnumerateArray().Select(l => GraphJson.String(l, "skuId")).OfType<string>().Select(Intern));
            }

            groups.Add(new SnapshotGroup
            {
                Id = Intern(GraphJson.RequiredString(item, "id")),
                DisplayName = GraphJson.String(item, "displayName"),
                Description = GraphJson.String(item, "description"),
                Mail = GraphJson.String(item, "mail"),
                MailEnabled = GraphJson.Bool(item, "mailEnabled"),
                SecurityEnabled = GraphJson.Bool(item, "securityEnabled"),
                GroupTypes = GraphJson.Strings(item, "groupTypes"),
                MembershipRule = GraphJson.String(item, "membershipRule"),
                OnPremisesSyncEnabled = GraphJson.Bool(item, "onPremisesSyncEnabled"),
                IsAssignableToRole = GraphJson.Bool(item, "isAssignableToRole"),
                CreatedDateTime = GraphJson.Date(item, "createdDateTime"),
                AssignedLicenseSkuIds = licences,
            });
        }, cancellationToken).ConfigureAwait(false);
        progress?.Report(new SnapshotProgress("Groups", groups.Count, groups.Count));

        var members = groups.ToDictionary(g => g.Id, _ => new List<DirectoryObjectRef>(), StringComparer.Ordinal);
        var owners = groups.ToDictionary(g => g.Id, _ => new List<DirectoryObjectRef>(), StringComparer.Ordinal);
        long done = 0;
        var relationships = groups.SelectMany(g => new[]
        {
            ((g.Id, Owners: false), $"/groups/{g.Id}/members?$select=id&{PageSize}"),
            ((g.Id, Owners: true), $"/groups/{g.Id}/owners?$select=id&{PageSize}"),
        });
        IReadOnlyCollection<(string Id, bool Owners)> vanished = await _reader.FanOutAsync(relationships, (key, item) =>
        {
            var reference = new DirectoryObjectRef(Intern(GraphJson.RequiredString(item, "id")), GraphJson.Kind(item));
            (key.Owners ? owners : members)[key.Id].Add(reference);
            if (++done % 10_000 == 0)
            {
                progress?.Report(new SnapshotProgress("Group members and owners", done, null));
            }
        }, cancellationToken).ConfigureAwait(false);

        // A group deleted while we read it is simply not in the snapshot, as if listed a moment later.
        var gone = vanished.Select(v => v.Id).ToHashSet(StringComparer.Ordinal);
        return groups
            .Where(g => !gone.Contains(g.Id))
            .Select(g => g with { Members = members[g.Id], Owners = owners[g.Id] })
            .ToList();
    }

    private async Task<(List<SnapshotRoleDefinition>, List<SnapshotRoleAssignment>)> ReadRolesAsync(
        ConcurrentBag<EvidenceGap> gaps, CancellationToken cancellationToken)
    {
        var definitions = new List<SnapshotRoleDefinition>();
        await _reader.ListAsync("/roleManagement/directory/roleDefinitions?$select=id,displayName,templateId,isBuiltIn", item =>
            definitions.Add(new SnapshotRoleDefinition
            {
                Id = Intern(GraphJson.RequiredString(item, "id")),
                DisplayName = GraphJson.String(item, "displayName") ?? GraphJson.RequiredString(item, "id"),
                TemplateId = GraphJson.String(item, "templateId"),
                IsBuiltIn = GraphJson.Bool(item, "isBuiltIn"),
            }), cancellationToken).ConfigureAwait(false);

        var active = new List<SnapshotRoleAssignment>();
        await _reader.ListAsync("/roleManagement/directory/roleAssignments?$select=id,principalId,roleDefinitionId,directoryScopeId", item =>
            active.Add(new SnapshotRoleAssignment
            {
                Id = GraphJson.RequiredString(item, "id"),
                PrincipalId = Intern(GraphJson.RequiredString(item, "principalId")),
                RoleDefinitionId = Intern(GraphJson.RequiredString(item, "roleDefinitionId")),
                DirectoryScopeId = GraphJson.String(item, "directoryScopeId") ?? "/",
                State = RoleAssignmentState.Active,
            }), cancellationToken).ConfigureAwait(false);

        const string scheduleSelect = "$select=id,principalId,roleDefinitionId,directoryScopeId,scheduleInfo";
        var timeBound = new List<SnapshotRoleAssignment>();
        var eligible = new List<SnapshotRoleAssignment>();
        try
        {
            await _reader.ListAsync($"/roleManagement/directory/roleAssignmentSchedules?{scheduleSelect}",
                item => timeBound.Add(ReadSchedule(item, RoleAssignmentState.Active)), cancellationToken).ConfigureAwait(false);
            await _reader.ListAsync($"/roleManagement/directory/roleEligibilitySchedules?{scheduleSelect}",
                item => eligible.Add(ReadSchedule(item, RoleAssignmentState.Eligible)), cancellationToken).ConfigureAwait(false);
        }
        catch (ODataError error) when (LicenceOrPermissionGap(error, EvidenceAreas.RoleSchedules) is { } gap)
        {
            gaps.Add(gap);
            return (definitions, active);
        }

        // An active assignment that a PIM schedule ends is time-bound: carry the schedule's window and id, because
        // removing it then takes an adminRemove schedule request rather than a DELETE.
        var schedules = timeBound
            .Where(s => s.EndDateTime is not null)
            .GroupBy(s => (s.PrincipalId, s.RoleDefinitionId, s.DirectoryScopeId))
            .ToDictionary(g => g.Key, g => g.First());
        var assignments = active
            .Select(a => schedules.TryGetValue((a.PrincipalId, a.RoleDefinitionId, a.DirectoryScopeId), out SnapshotRoleAssignment? s)
                ? a with { FromSchedule = true, StartDateTime = s.StartDateTime, EndDateTime = s.EndDateTime }
                : a)
            .Concat(eligible)
            .ToList();
        return (definitions, assignments);
    }

    private SnapshotRoleAssignment ReadSchedule(JsonElement item, RoleAssignmentState state)
    {
        DateTimeOffset? start = null;
        DateTimeOffset? end = null;
        if (item.TryGetProperty("scheduleInfo", out JsonElement schedule) && schedule.ValueKind == JsonValueKind.Object)
        {
            start = GraphJson.Date(schedule, "startDateTime");
            if (schedule.TryGetProperty("expiration", out JsonElement expiration) && expiration.ValueKind == JsonValueKind.Object)
            {
                end = GraphJson.Date(expiration, "endDateTime");
            }
        }

        return new SnapshotRoleAssignment
        {
            Id = GraphJson.RequiredString(item, "id"),
            PrincipalId = Intern(GraphJson.RequiredString(item, "principalId")),
            RoleDefinitionId = Intern(GraphJson.RequiredString(item, "roleDefinitionId")),
            DirectoryScopeId = GraphJson.String(item, "directoryScopeId") ?? "/",
            State = state,
            FromSchedule = true,
            StartDateTime = start,
            EndDateTime = end,
        };
    }

    private async Task<(List<SnapshotServicePrincipal>, List<SnapshotAppRoleAssignment>)> ReadApplicationsAsync(
        IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        var principals = new List<SnapshotServicePrincipal>();
        await _reader.ListAsync($"/servicePrincipals?$select=id,appId,displayName,servicePrincipalType,appRoles&{PageSize}", item =>
        {
            var roles = new List<SnapshotAppRole>();
            if (item.TryGetProperty("appRoles", out JsonElement appRoles) && appRoles.ValueKind == JsonValueKind.Array)
            {
                roles.AddRange(appRoles.EnumerateArray().Select(r => new SnapshotAppRole
                {
                    Id = GraphJson.RequiredString(r, "id"),
                    Value = GraphJson.String(r, "value"),
                    DisplayName = GraphJson.String(r, "displayName"),
                }));
            }

            principals.Add(new SnapshotServicePrincipal
            {
                Id = Intern(GraphJson.RequiredString(item, "id")),
                AppId = GraphJson.String(item, "appId"),
                DisplayName = GraphJson.String(item, "displayName"),
                ServicePrincipalType = GraphJson.String(item, "servicePrincipalType"),
                AppRoles = roles,
            });
        }, cancellationToken).ConfigureAwait(false);

        var assignments = new List<SnapshotAppRoleAssignment>();
        await _reader.FanOutAsync(
            principals.Select(p => (p.Id, $"/servicePrincipals/{p.Id}/appRoleAssignedTo?$select=id,principalId,principalType,resourceId,appRoleId,createdDateTime&{PageSize}")),
            (_, item) => assignments.Add(new SnapshotAppRoleAssignment
            {
                Id = GraphJson.RequiredString(item, "id"),
                PrincipalId = Intern(GraphJson.RequiredString(item, "principalId")),
                PrincipalKind = GraphJson.PrincipalKind(GraphJson.String(item, "principalType")),
                ResourceId = Intern(GraphJson.RequiredString(item, "resourceId")),
                AppRoleId = GraphJson.RequiredString(item, "appRoleId"),
                CreatedDateTime = GraphJson.Date(item, "createdDateTime"),
            }),
            cancellationToken).ConfigureAwait(false);
        progress?.Report(new SnapshotProgress("App role assignments", assignments.Count, assignments.Count));
        return (principals, assignments);
    }

    private async Task<List<SnapshotDelegatedGrant>> ReadDelegatedGrantsAsync(CancellationToken cancellationToken)
    {
        var grants = new List<SnapshotDelegatedGrant>();
        await _reader.ListAsync("/oauth2PermissionGrants?$select=id,clientId,consentType,principalId,resourceId,scope&" + PageSize, item =>
            grants.Add(new SnapshotDelegatedGrant
            {
                Id = GraphJson.RequiredString(item, "id"),
                ClientId = Intern(GraphJson.RequiredString(item, "clientId")),
                ConsentType = GraphJson.RequiredString(item, "consentType"),
                PrincipalId = GraphJson.String(item, "principalId") is { } principal ? Intern(principal) : null,
                ResourceId = Intern(GraphJson.RequiredString(item, "resourceId")),
                Scope = GraphJson.String(item, "scope"),
            }), cancellationToken).ConfigureAwait(false);
        return grants;
    }

    private async Task<List<SnapshotSku>> ReadSkusAsync(CancellationToken cancellationToken)
    {
        var skus = new List<SnapshotSku>();
        await _reader.ListAsync("/subscribedSkus?$select=skuId,skuPartNumber", item =>
            skus.Add(new SnapshotSku
            {
                SkuId = Intern(GraphJson.RequiredString(item, "skuId")),
                SkuPartNumber = GraphJson.RequiredString(item, "skuPartNumber"),
            }), cancellationToken).ConfigureAwait(false);
        return skus;
    }

    private async Task<List<SnapshotAuthenticationRegistration>> ReadRegistrationsAsync(
        ConcurrentBag<EvidenceGap> gaps, IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        var registrations = new List<SnapshotAuthenticationRegistration>();
        try
        {
            await _reader.ListAsync(
                "/reports/authenticationMethods/userRegistrationDetails?$select=id,isAdmin,isMfaCapable,isMfaRegistered,"
                + "isPasswordlessCapable,methodsRegistered,defaultMfaMethod,lastUpdatedDateTime&" + PageSize,
                item => registrations.Add(new SnapshotAuthenticationRegistration
                {
                    UserId = Intern(GraphJson.RequiredString(item, "id")),
                    IsAdmin = GraphJson.Bool(item, "isAdmin"),
                    IsMfaCapable = GraphJson.Bool(item, "isMfaCapable"),
                    IsMfaRegistered = GraphJson.Bool(item, "isMfaRegistered"),
                    IsPasswordlessCapable = GraphJson.Bool(item, "isPasswordlessCapable"),
                    MethodsRegistered = GraphJson.Strings(item, "methodsRegistered"),
                    DefaultMfaMethod = GraphJson.String(item, "defaultMfaMethod"),
                    LastUpdatedDateTime = GraphJson.Date(item, "lastUpdatedDateTime"),
                }), cancellationToken).ConfigureAwait(false);
        }
        catch (ODataError error) when (LicenceOrPermissionGap(error, EvidenceAreas.AuthenticationRegistration) is { } gap)
        {
            gaps.Add(gap);
            return [];
        }

        progress?.Report(new SnapshotProgress("MFA registration", registrations.Count, registrations.Count));
        return registrations;
    }

    private async Task<List<SnapshotDevice>> ReadDevicesAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        // Graph expands one relationship per request, so owners and registered users take one listing each.
        var devices = new List<SnapshotDevice>();
        await _reader.ListAsync(
            "/devices?$select=id,deviceId,displayName,accountEnabled,operatingSystem,trustType,approximateLastSignInDateTime"
            + "&$expand=registeredOwners($select=id)&" + PageSize,
            item => devices.Add(new SnapshotDevice
            {
                Id = Intern(GraphJson.RequiredString(item, "id")),
                DeviceId = GraphJson.String(item, "deviceId"),
                DisplayName = GraphJson.String(item, "displayName"),
                AccountEnabled = GraphJson.Bool(item, "accountEnabled"),
                OperatingSystem = GraphJson.String(item, "operatingSystem"),
                TrustType = GraphJson.String(item, "trustType"),
                ApproximateLastSignInDateTime = GraphJson.Date(item, "approximateLastSignInDateTime"),
                RegisteredOwnerIds = ExpandedIds(item, "registeredOwners"),
            }), cancellationToken).ConfigureAwait(false);

        var registeredUsers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        await _reader.ListAsync("/devices?$select=id&$expand=registeredUsers($select=id)&" + PageSize,
            item => registeredUsers[GraphJson.RequiredString(item, "id")] = ExpandedIds(item, "registeredUsers"),
            cancellationToken).ConfigureAwait(false);

        progress?.Report(new SnapshotProgress("Devices", devices.Count, devices.Count));
        return devices
            .Select(d => registeredUsers.TryGetValue(d.Id, out IReadOnlyList<string>? users) ? d with { RegisteredUserIds = users } : d)
            .ToList();
    }

    private IReadOnlyList<string> ExpandedIds(JsonElement item, string relationship)
    {
        if (!item.TryGetProperty(relationship, out JsonElement related) || related.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return related.EnumerateArray().Select(r => GraphJson.String(r, "id")).OfType<string>().Select(Intern).ToList();
    }

    /// <summary>
    /// A 403 or licence error on an optional area becomes a recorded gap. Graph answers a tenant without the licence
    /// with Authentication_RequestFromNonPremiumTenantOrB2CTenant (P1) or a 400/403 mentioning the licence (P2).
    /// </summary>
    private static EvidenceGap? LicenceOrPermissionGap(ODataError error, string area)
    {
        string code = error.Error?.Code ?? "";
        string message = error.Error?.Message ?? error.Message;
        bool licence = code.Contains("NonPremium", StringComparison.OrdinalIgnoreCase)
            || message.Contains("licen", StringComparison.OrdinalIgnoreCase)
            || message.Contains("Premium", StringComparison.OrdinalIgnoreCase);
        if (licence && error.ResponseStatusCode is 400 or 403)
        {
            return new EvidenceGap { Area = area, Reason = EvidenceGapReason.NotLicensed, Detail = $"{code}: {message}" };
        }

        if (error.ResponseStatusCode == 403)
        {
            return new EvidenceGap { Area = area, Reason = EvidenceGapReason.MissingPermission, Detail = $"{code}: {message}" };
        }

        return null;
    }

    /// <summary>One string instance per id, so 500,000 membership references cost pointers, not strings.</summary>
    private string Intern(string id) => _ids.GetOrAdd(id, id);
}
