using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Assessment;

/// <summary>
/// Builds a run's resources once: the directory snapshot's users, groups, role and app role assignments and service
/// principals, the register's people, cases and campaigns, and the links between them (a person's accounts, an
/// account's person, a group's members and owners, an assignment's principal).
/// </summary>
public static class ResourceBuilder
{
    /// <summary>Builds the resources of a run.</summary>
    /// <param name="directory">The directory, or null when the run has neither a snapshot nor a connection.</param>
    /// <param name="register">The register's records.</param>
    /// <param name="catalog">The role catalog.</param>
    /// <param name="evaluatedAt">The evaluation time computed fields (overdue, current) are relative to.</param>
    public static ResourceSet Build(DirectoryIndex? directory, RegisterEvidence register, RoleCatalog catalog, DateTimeOffset evaluatedAt)
    {
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(catalog);
        var missing = new Dictionary<string, AssessmentSkipReason>(StringComparer.Ordinal);
        var byType = new Dictionary<string, IReadOnlyList<PolicyResource>>(StringComparer.Ordinal);
        var directoryPart = directory is null ? null : new DirectoryPart(directory);
        if (directoryPart is null)
        {
            foreach (string kind in EvidenceKinds.All.Where(EvidenceKinds.IsDirectoryArea))
            {
                missing[kind] = AssessmentSkipReason.NotConnected;
            }
        }
        else
        {
            foreach (EvidenceGap gap in directory!.Snapshot.EvidenceGaps)
            {
                missing[gap.Area] = gap.Reason switch
                {
                    EvidenceGapReason.NotLicensed => AssessmentSkipReason.NotLicensed,
                    EvidenceGapReason.MissingPermission => AssessmentSkipReason.MissingPermission,
                    _ => AssessmentSkipReason.NoEvidence,
                };
            }

            if (!directory.Snapshot.SponsorsCollected)
            {
                missing[EvidenceKinds.GuestSponsors] = AssessmentSkipReason.NoEvidence;
            }

            byType["account"] = directoryPart.Accounts;
            byType["group"] = directoryPart.Groups;
            byType["roleAssignment"] = directoryPart.RoleAssignments;
            byType["appRoleAssignment"] = directoryPart.AppRoleAssignments;
            byType["servicePrincipal"] = directoryPart.ServicePrincipals;
            byType["device"] = directoryPart.Devices;
            byType["tenant"] = [directoryPart.Tenant];
        }

        var registerPart = new RegisterPart(register, catalog, evaluatedAt, directoryPart);
        byType["person"] = registerPart.People;
        byType["offboardingCase"] = registerPart.Cases;
        byType["accessReview"] = registerPart.Reviews;
        byType["register"] = [registerPart.Register];
        // An empty trail has nothing to verify: controls on it are Skipped (NoEvidence), not passed on an empty chain.
        if (register.AuditVerification is { EventCount: > 0 })
        {
            byType["auditTrail"] = [registerPart.AuditTrail()];
        }
        else
        {
            missing[EvidenceKinds.AuditTrail] = AssessmentSkipReason.NoEvidence;
        }

        void NeedRecords(string kind, bool present)
        {
            if (!present)
            {
                missing.TryAdd(kind, AssessmentSkipReason.NoEvidence);
            }
        }

        NeedRecords(EvidenceKinds.People, register.People.Count > 0);
        NeedRecords(EvidenceKinds.Screening, register.Screenings.Count > 0);
        NeedRecords(EvidenceKinds.Acknowledgements, register.Acknowledgements.Any(a => a.Kind != AcknowledgementKind.SecurityTraining));
        NeedRecords(EvidenceKinds.Training, register.Acknowledgements.Any(a => a.Kind == AcknowledgementKind.SecurityTraining));
        NeedRecords(EvidenceKinds.Offboarding, register.OffboardingCases.Count > 0);
        NeedRecords(EvidenceKinds.AccessReviews, register.AccessReviews.Count > 0);
        return new ResourceSet(byType, missing);
    }

    private static DateTimeOffset? Utc(DateTime? day) => day is DateTime d ? new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)) : null;

    private sealed class DirectoryPart
    {
        public readonly List<PolicyResource> Accounts = [];
        public readonly List<PolicyResource> Groups = [];
        public readonly List<PolicyResource> RoleAssignments = [];
        public readonly List<PolicyResource> AppRoleAssignments = [];
        public readonly List<PolicyResource> ServicePrincipals = [];
        public readonly List<PolicyResource> Devices = [];
        public readonly TenantResource Tenant = new() { Id = "tenant" };
        public readonly Dictionary<string, AccountResource> AccountsById = new(StringComparer.OrdinalIgnoreCase);
        public readonly Dictionary<string, AccountResource> AccountsByUpn = new(StringComparer.OrdinalIgnoreCase);
        public readonly Dictionary<string, AccountResource> AccountsByEmployeeId = new(StringComparer.OrdinalIgnoreCase);
        public readonly Dictionary<string, GroupResource> GroupsById = new(StringComparer.OrdinalIgnoreCase);

        public DirectoryPart(DirectoryIndex index)
        {
            DirectorySnapshot snapshot = index.Snapshot;
            bool signIns = !snapshot.IsMissing(EvidenceAreas.SignInActivity);
            var groupsOf = new Dictionary<AccountResource, List<GroupResource>>();
            var ownedBy = new Dictionary<AccountResource, List<GroupResource>>();
            var rolesOf = new Dictionary<AccountResource, List<RoleAssignmentResource>>();
            var appRolesOf = new Dictionary<AccountResource, List<AppRoleAssignmentResource>>();
            foreach (SnapshotUser user in snapshot.Users)
            {
                SnapshotAuthenticationRegistration? mfa = index.AuthenticationRegistrationOf(user.Id);
                var account = new AccountResource
                {
                    Id = user.Id,
                    Name = user.UserPrincipalName,
                    UserPrincipalName = user.UserPrincipalName,
                    DisplayName = user.DisplayName,
                    Mail = user.Mail,
                    AccountEnabled = user.AccountEnabled,
                    UserType = user.UserType,
                    IsGuest = string.Equals(user.UserType, "Guest", StringComparison.OrdinalIgnoreCase),
                    EmployeeId = user.EmployeeId,
                    Department = user.Department,
                    JobTitle = user.JobTitle,
                    CreatedDateTime = user.CreatedDateTime,
                    OnPremisesSyncEnabled = user.OnPremisesSyncEnabled,
                    LastSignIn = user.SignInActivity?.Latest,
                    NeverSignedIn = signIns && user.SignInActivity?.Latest is null,
                    MfaRegistered = mfa?.IsMfaRegistered ?? false,
                    MfaCapable = mfa?.IsMfaCapable ?? false,
                    PasswordlessCapable = mfa?.IsPasswordlessCapable ?? false,
                    AuthenticationMethods = mfa?.MethodsRegistered ?? [],
                    Licenses = user.Licenses.Select(l => index.SkuById(l.SkuId)?.SkuPartNumber ?? l.SkuId).ToArray(),
                };
                Accounts.Add(account);
                AccountsById[user.Id] = account;
                AccountsByUpn.TryAdd(user.UserPrincipalName, account);
                if (!string.IsNullOrWhiteSpace(user.EmployeeId))
                {
                    AccountsByEmployeeId.TryAdd(user.EmployeeId, account);
                }
            }

            var groupIds = snapshot.Groups.Select(g => g.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (SnapshotUser user in snapshot.Users)
            {
                AccountResource account = AccountsById[user.Id];
                if (user.ManagerId is not null && AccountsById.TryGetValue(user.ManagerId, out AccountResource? manager))
                {
                    account.Manager = manager;
                }

                if (user.SponsorIds.Count > 0)
                {
                    account.SponsorCount = user.SponsorIds.Count;
                    account.GroupSponsorCount = user.SponsorIds.Count(groupIds.Contains);
                    account.Sponsors = user.SponsorIds.Select(id => AccountsById.GetValueOrDefault(id)).OfType<AccountResource>().ToList();
                }
            }

            foreach (SnapshotGroup g in snapshot.Groups)
            {
                var group = new GroupResource
                {
                    Id = g.Id,
                    Name = g.DisplayName ?? g.Id,
                    DisplayName = g.DisplayName,
                    Description = g.Description,
                    Mail = g.Mail,
                    MailEnabled = g.MailEnabled,
                    SecurityEnabled = g.SecurityEnabled,
                    GroupTypes = g.GroupTypes,
                    IsMicrosoft365 = g.IsMicrosoft365,
                    IsDynamic = g.IsDynamic,
                    IsRoleAssignable = g.IsAssignableToRole,
                    OnPremisesSyncEnabled = g.OnPremisesSyncEnabled,
                    CreatedDateTime = g.CreatedDateTime,
                    MemberCount = g.Members.Count,
                    OwnerCount = g.Owners.Count,
                    Members = Users(g.Members),
                    Owners = Users(g.Owners),
                };
                foreach (AccountResource member in group.Members)
                {
                    Add(groupsOf, member, group);
                }

                foreach (AccountResource owner in group.Owners)
                {
                    Add(ownedBy, owner, group);
                }

                Groups.Add(group);
                GroupsById[g.Id] = group;
            }

            var servicePrincipals = new Dictionary<string, ServicePrincipalResource>(StringComparer.OrdinalIgnoreCase);
            var assignmentsOn = new Dictionary<ServicePrincipalResource, List<AppRoleAssignmentResource>>();
            foreach (SnapshotServicePrincipal sp in snapshot.ServicePrincipals)
            {
                var resource = new ServicePrincipalResource
                {
                    Id = sp.Id,
                    Name = sp.DisplayName ?? sp.AppId ?? sp.Id,
                    AppId = sp.AppId,
                    DisplayName = sp.DisplayName,
                    ServicePrincipalType = sp.ServicePrincipalType,
                    AppRoles = sp.AppRoles.Select(r => r.Value ?? r.DisplayName ?? r.Id).ToArray(),
                    TenantWideDelegatedScopes = index.AllPrincipalsDelegatedGrants.Where(d => string.Equals(d.ClientId, sp.Id, StringComparison.OrdinalIgnoreCase))
                        .SelectMany(d => (d.Scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
                };
                servicePrincipals[sp.Id] = resource;
                ServicePrincipals.Add(resource);
            }

            var devicesOf = new Dictionary<AccountResource, List<DeviceResource>>();
            foreach (SnapshotDevice d in snapshot.Devices)
            {
                var device = new DeviceResource
                {
                    Id = d.Id,
                    Name = d.DisplayName ?? d.DeviceId ?? d.Id,
                    DeviceId = d.DeviceId,
                    DisplayName = d.DisplayName,
                    AccountEnabled = d.AccountEnabled,
                    OperatingSystem = d.OperatingSystem,
                    TrustType = d.TrustType,
                    LastSignIn = d.ApproximateLastSignInDateTime,
                    OwnerCount = d.RegisteredOwnerIds.Count,
                    Owners = d.RegisteredOwnerIds.Select(id => AccountsById.GetValueOrDefault(id)).OfType<AccountResource>().ToArray(),
                    Users = d.RegisteredUserIds.Select(id => AccountsById.GetValueOrDefault(id)).OfType<AccountResource>().ToArray(),
                };
                foreach (AccountResource owner in device.Owners)
                {
                    Add(devicesOf, owner, device);
                }

                Devices.Add(device);
            }

            foreach ((AccountResource owner, List<DeviceResource> owned) in devicesOf)
            {
                owner.OwnedDevices = owned;
            }

            var privilegedUsers = new HashSet<AccountResource>();
            var globalActive = new HashSet<AccountResource>();
            var globalStanding = new HashSet<AccountResource>();
            var globalEligible = new HashSet<AccountResource>();
            foreach (SnapshotRoleAssignment a in snapshot.RoleAssignments)
            {
                SnapshotRoleDefinition? role = index.RoleDefinitionById(a.RoleDefinitionId);
                AccountResource? user = AccountsById.GetValueOrDefault(a.PrincipalId);
                GroupResource? group = user is null ? GroupsById.GetValueOrDefault(a.PrincipalId) : null;
                ServicePrincipalResource? sp = user is null && group is null ? servicePrincipals.GetValueOrDefault(a.PrincipalId) : null;
                bool privileged = PrivilegedDirectoryRoles.IsPrivileged(role?.TemplateId, role?.DisplayName);
                bool global = PrivilegedDirectoryRoles.IsGlobalAdministrator(role?.TemplateId, role?.DisplayName);
                var assignment = new RoleAssignmentResource
                {
                    Id = a.Id,
                    Name = $"{role?.DisplayName ?? a.RoleDefinitionId} ({user?.UserPrincipalName ?? group?.DisplayName ?? sp?.DisplayName ?? a.PrincipalId})",
                    RoleName = role?.DisplayName,
                    RoleTemplateId = role?.TemplateId ?? a.RoleDefinitionId,
                    State = a.State.ToString(),
                    Privileged = privileged,
                    IsGlobalAdministrator = global,
                    Permanent = a.EndDateTime is null,
                    StartDateTime = a.StartDateTime,
                    EndDateTime = a.EndDateTime,
                    DirectoryScopeId = a.DirectoryScopeId,
                    FromSchedule = a.FromSchedule,
                    PrincipalId = a.PrincipalId,
                    PrincipalType = user is not null ? "User" : group is not null ? "Group" : sp is not null ? "ServicePrincipal" : "Other",
                    Principal = user,
                    PrincipalGroup = group,
                };
                RoleAssignments.Add(assignment);
                if (user is not null)
                {
                    Add(rolesOf, user, assignment);
                }

                // A role held through a role-assignable group is held by each of its direct members (Entra allows no nesting there).
                foreach (AccountResource holder in user is not null ? [user] : group?.Members ?? [])
                {
                    if (privileged)
                    {
                        holder.Privileged = true;
                        privilegedUsers.Add(holder);
                    }

                    if (global && a.State == RoleAssignmentState.Active)
                    {
                        globalActive.Add(holder);
                        if (a.EndDateTime is null)
                        {
                            globalStanding.Add(holder);
                        }
                    }
                    else if (global)
                    {
                        globalEligible.Add(holder);
                    }
                }

                if (sp is not null && privileged)
                {
                    sp.PrivilegedRoleCount++;
                }
            }

            foreach (SnapshotAppRoleAssignment a in snapshot.AppRoleAssignments)
            {
                ServicePrincipalResource? app = servicePrincipals.GetValueOrDefault(a.ResourceId);
                AccountResource? user = a.PrincipalKind == DirectoryObjectKind.User ? AccountsById.GetValueOrDefault(a.PrincipalId) : null;
                string? value = index.ServicePrincipalById(a.ResourceId)?.AppRoles.FirstOrDefault(r => string.Equals(r.Id, a.AppRoleId, StringComparison.OrdinalIgnoreCase))?.Value;
                var assignment = new AppRoleAssignmentResource
                {
                    Id = a.Id,
                    Name = $"{value ?? "default access"} of {app?.DisplayName ?? a.ResourceId} ({user?.UserPrincipalName ?? a.PrincipalId})",
                    PrincipalId = a.PrincipalId,
                    PrincipalType = a.PrincipalKind.ToString(),
                    Principal = user,
                    Application = app,
                    ApplicationName = app?.DisplayName,
                    AppRoleId = a.AppRoleId,
                    AppRoleValue = value,
                    CreatedDateTime = a.CreatedDateTime,
                };
                AppRoleAssignments.Add(assignment);
                if (user is not null)
                {
                    Add(appRolesOf, user, assignment);
                }

                if (app is not null)
                {
                    Add(assignmentsOn, app, assignment);
                }
            }

            foreach ((AccountResource account, List<GroupResource> list) in groupsOf) account.Groups = list;
            foreach ((AccountResource account, List<GroupResource> list) in ownedBy) account.OwnedGroups = list;
            foreach ((AccountResource account, List<RoleAssignmentResource> list) in rolesOf) account.RoleAssignments = list;
            foreach ((AccountResource account, List<AppRoleAssignmentResource> list) in appRolesOf) account.AppRoleAssignments = list;
            foreach ((ServicePrincipalResource app, List<AppRoleAssignmentResource> list) in assignmentsOn) app.Assignments = list;

            Tenant.Name = snapshot.Tenant.DisplayName ?? snapshot.Tenant.TenantId;
            Tenant.TenantId = snapshot.Tenant.TenantId;
            Tenant.DisplayName = snapshot.Tenant.DisplayName;
            Tenant.VerifiedDomains = snapshot.Tenant.VerifiedDomains;
            Tenant.CollectedAt = snapshot.CollectedAt;
            Tenant.EvidenceGaps = snapshot.EvidenceGaps.Select(g => g.Area).ToArray();
            Tenant.GlobalAdministratorCount = globalActive.Count;
            Tenant.StandingGlobalAdministratorCount = globalStanding.Count;
            Tenant.EligibleGlobalAdministratorCount = globalEligible.Count;
            Tenant.PrivilegedUserCount = privilegedUsers.Count;
            Tenant.PrivilegedUsersWithoutMfaCount = privilegedUsers.Count(u => !u.MfaRegistered);
            Tenant.EnabledAccountCount = Accounts.Count(a => ((AccountResource)a).AccountEnabled);
            Tenant.GuestCount = Accounts.Count(a => ((AccountResource)a).IsGuest);
            Tenant.Accounts = Accounts.Cast<AccountResource>().ToArray();
            Tenant.RoleAssignments = RoleAssignments.Cast<RoleAssignmentResource>().ToArray();
            Tenant.Groups = Groups.Cast<GroupResource>().ToArray();
            Tenant.ServicePrincipals = servicePrincipals.Values.ToArray();
        }

        private AccountResource[] Users(IReadOnlyList<DirectoryObjectRef> refs)
        {
            var users = new List<AccountResource>(refs.Count);
            foreach (DirectoryObjectRef r in refs)
            {
                if (r.Kind == DirectoryObjectKind.User && AccountsById.TryGetValue(r.Id, out AccountResource? account))
                {
                    users.Add(account);
                }
            }

            return users.ToArray();
        }

        public AccountResource[] AccountsOf(Person person) =>
            new[]
            {
                person.DirectoryObjectId is string id ? AccountsById.GetValueOrDefault(id) : null,
                person.UserPrincipalName is string upn ? AccountsByUpn.GetValueOrDefault(upn) : null,
                AccountsByEmployeeId.GetValueOrDefault(person.PersonId),
            }.OfType<AccountResource>().Distinct().ToArray();
    }

    private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> lists, TKey key, TValue value) where TKey : notnull
    {
        if (!lists.TryGetValue(key, out List<TValue>? list))
        {
            lists[key] = list = [];
        }

        list.Add(value);
    }

    private sealed class RegisterPart
    {
        public readonly List<PolicyResource> People = [];
        public readonly List<PolicyResource> Cases = [];
        public readonly List<PolicyResource> Reviews = [];
        public readonly RegisterResource Register = new() { Id = "register", Name = "ISMS register" };
        private readonly RegisterEvidence _register;
        private readonly DateTimeOffset _now;
        private readonly string[] _policiesInForce;

        public RegisterPart(RegisterEvidence register, RoleCatalog catalog, DateTimeOffset now, DirectoryPart? directory)
        {
            _register = register;
            _now = now;
            _policiesInForce = register.AcknowledgementPolicy.CurrentVersions.Where(v => v.Kind == AcknowledgementKind.Policy)
                .Select(v => v.Name).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToArray();
            ILookup<string, ScreeningRecord> screenings = register.Screenings.ToLookup(s => s.PersonId, StringComparer.OrdinalIgnoreCase);
            ILookup<string, Acknowledgements.Acknowledgement> acknowledgements = register.Acknowledgements.ToLookup(a => a.PersonId, StringComparer.OrdinalIgnoreCase);
            var byId = new Dictionary<string, PersonResource>(StringComparer.OrdinalIgnoreCase);
            var personOfAccount = new Dictionary<AccountResource, PersonResource>();
            foreach (Person p in register.People)
            {
                RoleDefinition? role = catalog.FindJobRole(p.JobRole);
                var person = new PersonResource
                {
                    Id = p.PersonId,
                    Name = p.DisplayName,
                    PersonId = p.PersonId,
                    DisplayName = p.DisplayName,
                    UserPrincipalName = p.UserPrincipalName,
                    Mail = p.Mail,
                    Department = p.Department,
                    JobRole = p.JobRole,
                    EmploymentType = p.EmploymentType.ToString(),
                    Status = p.Status.ToString(),
                    StartDate = Utc(p.StartDate),
                    EndDate = Utc(p.EndDate),
                    Location = p.Location,
                    DirectoryObjectId = p.DirectoryObjectId,
                    ManagerId = p.ManagerId,
                    RoleKnown = role is not null,
                    RoleTitle = role?.Title,
                    PrivilegedRole = role?.Privileged ?? false,
                    RequiredScreeningLevel = role?.ScreeningLevelFor(p.Location).ToString(),
                };
                Screening(person, screenings[p.PersonId].ToArray(), role?.ScreeningLevelFor(p.Location));
                Agreements(person, acknowledgements[p.PersonId].ToArray());
                if (directory?.AccountsOf(p) is { Length: > 0 } accounts)
                {
                    person.Accounts = accounts;
                    person.EnabledAccountCount = accounts.Count(a => a.AccountEnabled);
                    foreach (AccountResource account in accounts)
                    {
                        personOfAccount.TryAdd(account, person);
                    }
                }

                if (role is not null)
                {
                    person.SodConflicts = Conflicts(catalog, role, person.Accounts);
                }

                People.Add(person);
                byId.TryAdd(p.PersonId, person);
            }

            foreach (PersonResource person in People.Cast<PersonResource>())
            {
                if (person.ManagerId is not null)
                {
                    person.Manager = byId.GetValueOrDefault(person.ManagerId);
                }
            }

            foreach ((AccountResource account, PersonResource person) in personOfAccount)
            {
                account.Person = person;
                account.HasPerson = true;
            }

            var casesOf = new Dictionary<PersonResource, List<OffboardingCaseResource>>();
            foreach (Offboarding.OffboardingCase c in register.OffboardingCases)
            {
                PersonResource? person = c.PersonId is null ? null : byId.GetValueOrDefault(c.PersonId);
                var resource = new OffboardingCaseResource
                {
                    Id = c.CaseId,
                    Name = c.UserPrincipalName,
                    PersonId = c.PersonId,
                    UserId = c.UserId,
                    UserPrincipalName = c.UserPrincipalName,
                    Status = c.Status.ToString(),
                    Urgency = c.Urgency.ToString(),
                    EffectiveDate = c.EffectiveDate,
                    DueAt = c.DueAt,
                    ClosedAt = c.ClosedAt,
                    Open = c.IsOpen,
                    Overdue = c.IsOverdue(now),
                    ClosedWithinSla = c.ClosedAt is DateTimeOffset closed && closed <= c.DueAt,
                    ManualTaskCount = c.Steps.Count(s => s.Status == Offboarding.OffboardingStepStatus.ManualTask),
                    FailedStepCount = c.Steps.Count(s => s.Status == Offboarding.OffboardingStepStatus.Failed),
                    Person = person,
                    Account = directory?.AccountsById.GetValueOrDefault(c.UserId),
                };
                Cases.Add(resource);
                if (person is not null)
                {
                    Add(casesOf, person, resource);
                }
            }

            foreach ((PersonResource person, List<OffboardingCaseResource> list) in casesOf)
            {
                person.OffboardingCases = list;
            }

            foreach (AccessReviewEvidence review in register.AccessReviews)
            {
                AccessReviews.AccessReviewCampaign c = review.Campaign;
                Reviews.Add(new AccessReviewResource
                {
                    Id = c.CampaignId,
                    Name = c.Name,
                    Status = c.Status.ToString(),
                    Completed = c.Status == AccessReviews.AccessReviewCampaignStatus.Completed,
                    StartDate = c.StartDate,
                    DueDate = c.DueDate,
                    Overdue = c.IsOverdueAt(now),
                    Recurrence = c.Recurrence,
                    NextStartDate = c.NextStartDate,
                    ItemCount = c.ItemCount,
                    DecidedCount = (int)review.Decided,
                    UndecidedCount = c.ItemCount - (int)review.Decided,
                    AppliedCount = review.Results.Count(r => r.IsSettled),
                    ApplyFailedCount = review.Results.Count(r => !r.IsSettled),
                    LastAppliedAt = review.Results.Count == 0 ? null : review.Results.Max(r => r.AppliedAt),
                    CoversPrivilegedRoles = c.Scope.PrivilegedDirectoryRoles,
                    CoversGuests = c.Scope.Guests,
                    CoversCatalogPrivileged = c.Scope.CatalogPrivileged,
                    CreatedAt = c.CreatedAt,
                });
            }

            Register.People = People.Cast<PersonResource>().ToArray();
            Register.OffboardingCases = Cases.Cast<OffboardingCaseResource>().ToArray();
            Register.AccessReviews = Reviews.Cast<AccessReviewResource>().ToArray();
            Register.ActivePeopleCount = Register.People.Count(p => p.Status == nameof(PersonStatus.Active));
        }

        private void Screening(PersonResource person, ScreeningRecord[] records, ScreeningLevel? required)
        {
            if (records.Length == 0)
            {
                return;
            }

            ScreeningRecord newest = records.MaxBy(r => r.CreatedAt)!;
            person.ScreeningStatus = newest.Status.ToString();
            person.ScreeningLevel = newest.Level.ToString();
            person.ScreeningCompletedOn = Utc(newest.CompletedOn);
            person.RescreenDueOn = Utc(records.Where(r => r.Status == ScreeningStatus.Cleared).MaxBy(r => r.CompletedOn)?.RescreenDueOn);
            person.ScreeningCleared = records.Any(r => r.IsClearedAt(_now));
            person.ScreeningWaiverValid = records.Any(r => r.HasValidWaiverAt(_now));
            person.ScreeningLevelMet = records.Any(r => r.IsClearedAt(_now) && (required is null || r.Level >= required));
        }

        private void Agreements(PersonResource person, Acknowledgements.Acknowledgement[] records)
        {
            AcknowledgementPolicy policy = _register.AcknowledgementPolicy;
            DateTime today = _now.UtcDateTime;
            Acknowledgements.Acknowledgement? Newest(AcknowledgementKind kind) =>
                records.Where(a => a.Kind == kind && (a.Kind == AcknowledgementKind.SecurityTraining || a.Name == Acknowledgements.Acknowledgement.DefaultName(kind)))
                    .MaxBy(a => a.AcknowledgedOn);
            DateTime? Expiry(Acknowledgements.Acknowledgement a) => a.ExpiresOn ?? policy.Validity.ExpiryFor(a.Kind, a.AcknowledgedOn);
            bool Current(Acknowledgements.Acknowledgement? a) =>
                a is not null && a.AcknowledgedOn <= today.Date && (Expiry(a) is not DateTime e || today.Date < e)
                && (policy.CurrentVersionOf(a.Kind, a.Name) is not string version || string.Equals(version, a.DocumentVersion, StringComparison.OrdinalIgnoreCase));

            Acknowledgements.Acknowledgement? nda = Newest(AcknowledgementKind.NonDisclosureAgreement);
            person.NdaCurrent = Current(nda);
            person.NdaAcceptedOn = Utc(nda?.AcknowledgedOn);
            person.NdaVersion = nda?.DocumentVersion;
            Acknowledgements.Acknowledgement? terms = Newest(AcknowledgementKind.TermsAndConditions);
            person.TermsCurrent = Current(terms);
            person.TermsAcceptedOn = Utc(terms?.AcknowledgedOn);
            Acknowledgements.Acknowledgement? training = records.Where(a => a.Kind == AcknowledgementKind.SecurityTraining).MaxBy(a => a.AcknowledgedOn);
            person.TrainingCompletedOn = Utc(training?.AcknowledgedOn);
            person.TrainingExpiresOn = training is null ? null : Utc(Expiry(training));
            person.TrainingCurrent = training is not null && training.AcknowledgedOn <= today.Date && (Expiry(training) is not DateTime te || today.Date < te);
            // Any current acceptance of a policy counts, not only the newest: re-accepting an older copy by mistake
            // does not undo an acceptance of the version in force.
            string[] current = records.Where(a => a.Kind == AcknowledgementKind.Policy && Current(a)).Select(a => a.Name)
                .Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToArray();
            person.CurrentPolicies = current;
            person.MissingPolicies = _policiesInForce.Length == 0 ? []
                : _policiesInForce.Where(n => !current.Contains(n, StringComparer.OrdinalIgnoreCase)).ToArray();
        }

        private static string[] Conflicts(RoleCatalog catalog, RoleDefinition role, IReadOnlyList<AccountResource> accounts)
        {
            try
            {
                GroupReference[] groups = accounts.SelectMany(a => a.Groups)
                    .Select(g => new GroupReference(Guid.TryParse(g.Id, out Guid id) ? id : null, g.DisplayName)).ToArray();
                return catalog.CheckSegregationOfDuties([role.Id], groups).Select(v => v.ToString()).ToArray();
            }
            catch (IsmsException)
            {
                return [];
            }
        }

        public AuditTrailResource AuditTrail()
        {
            Audit.AuditVerificationResult v = _register.AuditVerification!;
            return new AuditTrailResource
            {
                Id = "audit-trail",
                Name = v.Source,
                ChainValid = v.IsValid,
                Tampering = v.Tampering?.ToString(),
                EventCount = v.EventCount,
                CheckpointCount = v.CheckpointCount,
                LastCheckpointAt = Utc(_register.NewestCheckpoint?.Time ?? v.LastCheckpointTime),
                VerifiedAt = _now,
                Message = v.Message,
            };
        }
    }
}
