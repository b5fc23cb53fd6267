using System.Collections.Concurrent;
using System.Text.Json;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Graph.Collection;

/// <summary>
/// Turns Graph's JSON objects into snapshot records, and the <c>$select</c> lists that ask for exactly what they read.
/// One instance per collection, because it interns ids: every reference to a user is the same string instance.
/// </summary>
internal sealed class SnapshotMapper
{
    public const string UserProperties =
        "id,userPrincipalName,displayName,mail,accountEnabled,userType,employeeId,employeeHireDate,employeeLeaveDateTime,"
        + "department,jobTitle,onPremisesSyncEnabled,createdDateTime,licenseAssignmentStates";

    public const string GroupProperties =
        "id,displayName,description,mail,mailEnabled,securityEnabled,groupTypes,membershipRule,onPremisesSyncEnabled,"
        + "isAssignableToRole,createdDateTime,assignedLicenses";

    public const string RoleDefinitionProperties = "id,displayName,templateId,isBuiltIn";

    public const string RoleAssignmentProperties = "id,principalId,roleDefinitionId,directoryScopeId";

    public const string RoleScheduleProperties = "id,principalId,roleDefinitionId,directoryScopeId,scheduleInfo";

    public const string ServicePrincipalProperties = "id,appId,displayName,servicePrincipalType,appRoles";

    public const string AppRoleAssignmentProperties = "id,principalId,principalType,resourceId,appRoleId,createdDateTime";

    public const string DelegatedGrantProperties = "id,clientId,consentType,principalId,resourceId,scope";

    public const string DeviceProperties = "id,deviceId,displayName,accountEnabled,operatingSystem,trustType,approximateLastSignInDateTime";

    public const string RegistrationProperties =
        "id,isAdmin,isMfaCapable,isMfaRegistered,isPasswordlessCapable,methodsRegistered,userPreferredMethodForSecondaryAuthentication,lastUpdatedDateTime";

    private readonly ConcurrentDictionary<string, string> _ids = new(StringComparer.Ordinal);

    /// <summary>One string instance per id, so 500,000 membership references cost pointers, not strings.</summary>
    public string Intern(string id) => _ids.GetOrAdd(id, id);

    public DirectoryObjectRef Reference(JsonElement item) => new(Intern(GraphJson.RequiredString(item, "id")), GraphJson.Kind(item));

    public SnapshotUser User(JsonElement item)
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
                if (GraphJson.String(state, "skuId") is { } sku)
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

    public SnapshotGroup Group(JsonElement item)
    {
        var licences = new List<string>();
        if (item.TryGetProperty("assignedLicenses", out JsonElement assigned) && assigned.ValueKind == JsonValueKind.Array)
        {
            licences.AddRange(assigned.EnumerateArray().Select(l => GraphJson.String(l, "skuId")).OfType<string>().Select(Intern));
        }

        return new SnapshotGroup
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
        };
    }

    public SnapshotRoleDefinition RoleDefinition(JsonElement item) => new()
    {
        Id = Intern(GraphJson.RequiredString(item, "id")),
        DisplayName = GraphJson.String(item, "displayName") ?? GraphJson.RequiredString(item, "id"),
        TemplateId = GraphJson.String(item, "templateId"),
        IsBuiltIn = GraphJson.Bool(item, "isBuiltIn"),
    };

    public SnapshotRoleAssignment RoleAssignment(JsonElement item) => new()
    {
        Id = GraphJson.RequiredString(item, "id"),
        PrincipalId = Intern(GraphJson.RequiredString(item, "principalId")),
        RoleDefinitionId = Intern(GraphJson.RequiredString(item, "roleDefinitionId")),
        DirectoryScopeId = GraphJson.String(item, "directoryScopeId") ?? "/",
        State = RoleAssignmentState.Active,
    };

    public SnapshotRoleAssignment RoleSchedule(JsonElement item, RoleAssignmentState state)
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

        return RoleAssignment(item) with { State = state, FromSchedule = true, StartDateTime = start, EndDateTime = end };
    }

    /// <summary>
    /// The active assignments, with the window of any PIM schedule that ends one (removal then takes an adminRemove
    /// schedule request rather than a DELETE), followed by the eligible ones.
    /// </summary>
    public static List<SnapshotRoleAssignment> MergeRoleSchedules(
        IEnumerable<SnapshotRoleAssignment> active, IEnumerable<SnapshotRoleAssignment> activeSchedules, IEnumerable<SnapshotRoleAssignment> eligible)
    {
        var timeBound = activeSchedules
            .Where(s => s.EndDateTime is not null)
            .GroupBy(s => (s.PrincipalId, s.RoleDefinitionId, s.DirectoryScopeId))
            .ToDictionary(g => g.Key, g => g.First());
        return active
            .Select(a => timeBound.TryGetValue((a.PrincipalId, a.RoleDefinitionId, a.DirectoryScopeId), out SnapshotRoleAssignment? s)
                ? a with { FromSchedule = true, StartDateTime = s.StartDateTime, EndDateTime = s.EndDateTime }
                : a)
            .Concat(eligible)
            .ToList();
    }

    public SnapshotServicePrincipal ServicePrincipal(JsonElement item)
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

        return new SnapshotServicePrincipal
        {
            Id = Intern(GraphJson.RequiredString(item, "id")),
            AppId = GraphJson.String(item, "appId"),
            DisplayName = GraphJson.String(item, "displayName"),
            ServicePrincipalType = GraphJson.String(item, "servicePrincipalType"),
            AppRoles = roles,
        };
    }

    public SnapshotAppRoleAssignment AppRoleAssignment(JsonElement item) => new()
    {
        Id = GraphJson.RequiredString(item, "id"),
        PrincipalId = Intern(GraphJson.RequiredString(item, "principalId")),
        PrincipalKind = GraphJson.PrincipalKind(GraphJson.String(item, "principalType")),
        ResourceId = Intern(GraphJson.RequiredString(item, "resourceId")),
        AppRoleId = GraphJson.RequiredString(item, "appRoleId"),
        CreatedDateTime = GraphJson.Date(item, "createdDateTime"),
    };

    public SnapshotDelegatedGrant DelegatedGrant(JsonElement item) => new()
    {
        Id = GraphJson.RequiredString(item, "id"),
        ClientId = Intern(GraphJson.RequiredString(item, "clientId")),
        ConsentType = GraphJson.RequiredString(item, "consentType"),
        PrincipalId = GraphJson.String(item, "principalId") is { } principal ? Intern(principal) : null,
        ResourceId = Intern(GraphJson.RequiredString(item, "resourceId")),
        Scope = GraphJson.String(item, "scope"),
    };

    public SnapshotSku Sku(JsonElement item) => new()
    {
        SkuId = Intern(GraphJson.RequiredString(item, "skuId")),
        SkuPartNumber = GraphJson.RequiredString(item, "skuPartNumber"),
    };

    public SnapshotAuthenticationRegistration Registration(JsonElement item) => new()
    {
        UserId = Intern(GraphJson.RequiredString(item, "id")),
        IsAdmin = GraphJson.Bool(item, "isAdmin"),
        IsMfaCapable = GraphJson.Bool(item, "isMfaCapable"),
        IsMfaRegistered = GraphJson.Bool(item, "isMfaRegistered"),
        IsPasswordlessCapable = GraphJson.Bool(item, "isPasswordlessCapable"),
        MethodsRegistered = GraphJson.Strings(item, "methodsRegistered"),
        DefaultMfaMethod = GraphJson.String(item, "userPreferredMethodForSecondaryAuthentication"),
        LastUpdatedDateTime = GraphJson.Date(item, "lastUpdatedDateTime"),
    };

    public SnapshotDevice Device(JsonElement item) => new()
    {
        Id = Intern(GraphJson.RequiredString(item, "id")),
        DeviceId = GraphJson.String(item, "deviceId"),
        DisplayName = GraphJson.String(item, "displayName"),
        AccountEnabled = GraphJson.Bool(item, "accountEnabled"),
        OperatingSystem = GraphJson.String(item, "operatingSystem"),
        TrustType = GraphJson.String(item, "trustType"),
        ApproximateLastSignInDateTime = GraphJson.Date(item, "approximateLastSignInDateTime"),
        RegisteredOwnerIds = ExpandedIds(item, "registeredOwners"),
    };

    public IReadOnlyList<string> ExpandedIds(JsonElement item, string relationship)
    {
        if (!item.TryGetProperty(relationship, out JsonElement related) || related.ValueKind != JsonValueKind.Array)
        {
            return [];
        }

        return related.EnumerateArray().Select(r => GraphJson.String(r, "id")).OfType<string>().Select(Intern).ToList();
    }

    public SnapshotTenant Tenant(JsonElement root) =>
        Organization(root.TryGetProperty("value", out JsonElement values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0
            ? values[0]
            : throw new InvalidDataException("Graph returned no organization object for this tenant."));

    /// <summary>The tenant from one element of GET /organization.</summary>
    public SnapshotTenant Organization(JsonElement organisation)
    {
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
    }
}
