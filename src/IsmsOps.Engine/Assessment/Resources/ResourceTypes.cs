using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Assessment.Resources;

// The resource types conditions evaluate. Each property marked [PolicyField] is a field of the policy language;
// docs/policy-language.md lists them (a test keeps that page and these attributes in step).

/// <summary>A person of the ISMS register, with their screening, acknowledgements, training, role and accounts.</summary>
[PolicyResource("person", "A person in the ISMS register (every status, Candidate to Left).", Evidence = [EvidenceKinds.People])]
public sealed class PersonResource : PolicyResource
{
    [PolicyField("personId", "The HR employee id.", "register")] public string PersonId { get; internal set; } = string.Empty;
    [PolicyField("displayName", "The person's name.", "register")] public string? DisplayName { get; internal set; }
    [PolicyField("userPrincipalName", "The sign-in name recorded for the person.", "register")] public string? UserPrincipalName { get; internal set; }
    [PolicyField("mail", "Work mail address.", "register")] public string? Mail { get; internal set; }
    [PolicyField("department", "Department.", "register")] public string? Department { get; internal set; }
    [PolicyField("jobRole", "The role id of the role catalog the person holds.", "register")] public string? JobRole { get; internal set; }
    [PolicyField("employmentType", "Employee, Contractor, Vendor or Guest.", "register")] public string? EmploymentType { get; internal set; }
    [PolicyField("status", "Candidate, Onboarding, Active, Leaving or Left.", "register")] public string? Status { get; internal set; }
    [PolicyField("startDate", "First working day.", "register")] public DateTimeOffset? StartDate { get; internal set; }
    [PolicyField("endDate", "Last working day (leavers).", "register")] public DateTimeOffset? EndDate { get; internal set; }
    [PolicyField("location", "ISO country code of the place of work.", "register")] public string? Location { get; internal set; }
    [PolicyField("directoryObjectId", "The Entra ID object id of the person's account, when linked.", "register")] public string? DirectoryObjectId { get; internal set; }
    [PolicyField("managerId", "The person id of the line manager.", "register")] public string? ManagerId { get; internal set; }
    [PolicyField("manager", "The line manager (person), when in the register.", "register")] public PersonResource? Manager { get; internal set; }
    [PolicyField("roleKnown", "True when jobRole names a role of the role catalog.", "role catalog")] public bool RoleKnown { get; internal set; }
    [PolicyField("roleTitle", "The title of the catalog role.", "role catalog")] public string? RoleTitle { get; internal set; }
    [PolicyField("privilegedRole", "True when the catalog marks the person's role privileged.", "role catalog")] public bool PrivilegedRole { get; internal set; }
    [PolicyField("requiredScreeningLevel", "Basic, Standard or Enhanced: what the role requires in the person's country; null when the role is unknown.", "role catalog")] public string? RequiredScreeningLevel { get; internal set; }
    [PolicyField("screeningStatus", "Status of the newest screening record (NotStarted, Requested, InProgress, Cleared, Adverse, Expired, Waived); null when there is none.", "register")] public string? ScreeningStatus { get; internal set; }
    [PolicyField("screeningLevel", "Level of the newest screening record.", "register")] public string? ScreeningLevel { get; internal set; }
    [PolicyField("screeningCompletedOn", "When the newest screening completed.", "register")] public DateTimeOffset? ScreeningCompletedOn { get; internal set; }
    [PolicyField("rescreenDueOn", "When the newest cleared screening must be redone.", "register")] public DateTimeOffset? RescreenDueOn { get; internal set; }
    [PolicyField("screeningCleared", "True when a screening record is Cleared and its re-screen is not yet due at evaluation time.", "register, computed")] public bool ScreeningCleared { get; internal set; }
    [PolicyField("screeningWaiverValid", "True when a screening waiver is approved and unexpired at evaluation time.", "register, computed")] public bool ScreeningWaiverValid { get; internal set; }
    [PolicyField("screeningLevelMet", "True when a cleared (unexpired) screening reaches requiredScreeningLevel.", "register, role catalog")] public bool ScreeningLevelMet { get; internal set; }
    [PolicyField("ndaCurrent", "True when the person accepted the NDA version in force and it has not expired.", "register, acknowledgements policy")] public bool NdaCurrent { get; internal set; }
    [PolicyField("ndaAcceptedOn", "When the newest NDA acceptance was made.", "register")] public DateTimeOffset? NdaAcceptedOn { get; internal set; }
    [PolicyField("ndaVersion", "Version of the newest NDA acceptance.", "register")] public string? NdaVersion { get; internal set; }
    [PolicyField("termsCurrent", "True when the person accepted the terms and conditions version in force, unexpired.", "register, acknowledgements policy")] public bool TermsCurrent { get; internal set; }
    [PolicyField("termsAcceptedOn", "When the newest acceptance of terms was made.", "register")] public DateTimeOffset? TermsAcceptedOn { get; internal set; }
    [PolicyField("trainingCurrent", "True when the newest security-training completion has not expired at evaluation time.", "register, acknowledgements policy")] public bool TrainingCurrent { get; internal set; }
    [PolicyField("trainingCompletedOn", "When security training was last completed.", "register")] public DateTimeOffset? TrainingCompletedOn { get; internal set; }
    [PolicyField("trainingExpiresOn", "When the newest training completion stops counting.", "register, acknowledgements policy")] public DateTimeOffset? TrainingExpiresOn { get; internal set; }
    [PolicyField("currentPolicies", "Policies (acknowledgement kind Policy) the person has accepted in the version in force (policies/acknowledgements.yaml, currentVersions.Policy; any version when none is listed), unexpired.", "register, acknowledgements policy")] public IReadOnlyList<string> CurrentPolicies { get; internal set; } = [];
    [PolicyField("missingPolicies", "Policies listed in force in policies/acknowledgements.yaml (currentVersions.Policy) that the person has no current acceptance of.", "register, acknowledgements policy")] public IReadOnlyList<string> MissingPolicies { get; internal set; } = [];
    [PolicyField("sodConflicts", "Segregation-of-duties conflicts of the person's role, as text.", "role catalog")] public IReadOnlyList<string> SodConflicts { get; internal set; } = [];
    [PolicyField("accounts", "The directory accounts of the person (by directoryObjectId, user principal name or employee id).", "snapshot + register", Inverse = "person")] public IReadOnlyList<AccountResource> Accounts { get; internal set; } = [];
    [PolicyField("enabledAccountCount", "How many of the person's accounts are enabled.", "snapshot + register")] public int EnabledAccountCount { get; internal set; }
    [PolicyField("offboardingCases", "The person's offboarding cases.", "register", Inverse = "person")] public IReadOnlyList<OffboardingCaseResource> OffboardingCases { get; internal set; } = [];
}

/// <summary>A user account of the directory, member or guest.</summary>
[PolicyResource("account", "A user account in the directory, member or guest (guests have userType Guest).", Evidence = [EvidenceKinds.Directory])]
public sealed class AccountResource : PolicyResource
{
    [PolicyField("userPrincipalName", "Sign-in name.", "snapshot")] public string UserPrincipalName { get; internal set; } = string.Empty;
    [PolicyField("displayName", "Display name.", "snapshot")] public string? DisplayName { get; internal set; }
    [PolicyField("mail", "Mail address.", "snapshot")] public string? Mail { get; internal set; }
    [PolicyField("accountEnabled", "True when the account can sign in.", "snapshot")] public bool AccountEnabled { get; internal set; }
    [PolicyField("userType", "Member or Guest.", "snapshot")] public string? UserType { get; internal set; }
    [PolicyField("isGuest", "True when userType is Guest.", "snapshot")] public bool IsGuest { get; internal set; }
    [PolicyField("employeeId", "HR employee id on the account.", "snapshot")] public string? EmployeeId { get; internal set; }
    [PolicyField("department", "Department on the account.", "snapshot")] public string? Department { get; internal set; }
    [PolicyField("jobTitle", "Job title on the account.", "snapshot")] public string? JobTitle { get; internal set; }
    [PolicyField("createdDateTime", "When the account was created.", "snapshot")] public DateTimeOffset? CreatedDateTime { get; internal set; }
    [PolicyField("onPremisesSyncEnabled", "True when synced from on-premises AD.", "snapshot")] public bool OnPremisesSyncEnabled { get; internal set; }
    [PolicyField("manager", "The manager's account.", "snapshot")] public AccountResource? Manager { get; internal set; }
    [PolicyField("lastSignIn", "Latest sign-in of any kind; null when never signed in or when the snapshot lacks sign-in evidence (declare evidence signInActivity).", "snapshot (signInActivity)")] public DateTimeOffset? LastSignIn { get; internal set; }
    [PolicyField("neverSignedIn", "True when sign-in evidence exists and the account never signed in.", "snapshot (signInActivity)")] public bool NeverSignedIn { get; internal set; }
    [PolicyField("mfaRegistered", "True when MFA is registered; false when not or when unknown (declare evidence authenticationRegistration).", "snapshot (authenticationRegistration)")] public bool MfaRegistered { get; internal set; }
    [PolicyField("mfaCapable", "True when the registered methods satisfy MFA.", "snapshot (authenticationRegistration)")] public bool MfaCapable { get; internal set; }
    [PolicyField("passwordlessCapable", "True when a passwordless method is registered.", "snapshot (authenticationRegistration)")] public bool PasswordlessCapable { get; internal set; }
    [PolicyField("authenticationMethods", "Registered method names (microsoftAuthenticatorPush, fido2, mobilePhone, ...).", "snapshot (authenticationRegistration)")] public IReadOnlyList<string> AuthenticationMethods { get; internal set; } = [];
    [PolicyField("licenses", "Licence SKU part numbers (or SKU ids) assigned to the account.", "snapshot")] public IReadOnlyList<string> Licenses { get; internal set; } = [];
    [PolicyField("person", "The register's person for this account (by directoryObjectId, user principal name or employee id).", "snapshot + register", Inverse = "accounts")] public PersonResource? Person { get; internal set; }
    [PolicyField("hasPerson", "True when the account belongs to a person of the register.", "snapshot + register")] public bool HasPerson { get; internal set; }
    [PolicyField("groups", "Groups the account is a direct member of.", "snapshot", Inverse = "members")] public IReadOnlyList<GroupResource> Groups { get; internal set; } = [];
    [PolicyField("ownedGroups", "Groups the account owns.", "snapshot", Inverse = "owners")] public IReadOnlyList<GroupResource> OwnedGroups { get; internal set; } = [];
    [PolicyField("roleAssignments", "Directory role assignments of the account, active and eligible.", "snapshot", Inverse = "principal")] public IReadOnlyList<RoleAssignmentResource> RoleAssignments { get; internal set; } = [];
    [PolicyField("appRoleAssignments", "App role assignments granted directly to the account.", "snapshot", Inverse = "principal")] public IReadOnlyList<AppRoleAssignmentResource> AppRoleAssignments { get; internal set; } = [];
    [PolicyField("privileged", "True when the account holds a privileged directory role (active or eligible), directly or as a member of a role-assignable group.", "snapshot, computed")] public bool Privileged { get; internal set; }
    [PolicyField("sponsors", "The guest's sponsors that are user accounts (declare evidence guestSponsors: snapshots written before sponsors were collected cannot tell none from unknown).", "snapshot (guestSponsors)")] public IReadOnlyList<AccountResource> Sponsors { get; internal set; } = [];
    [PolicyField("sponsorCount", "Sponsors of every kind (users and groups), including any no longer in the snapshot (declare evidence guestSponsors).", "snapshot (guestSponsors)")] public int SponsorCount { get; internal set; }
    [PolicyField("groupSponsorCount", "Sponsors that are groups in the snapshot (declare evidence guestSponsors).", "snapshot (guestSponsors)")] public int GroupSponsorCount { get; internal set; }
    [PolicyField("ownedDevices", "Devices the account is a registered owner of (declare evidence devices).", "snapshot (devices)", Inverse = "owners")] public IReadOnlyList<DeviceResource> OwnedDevices { get; internal set; } = [];
}

/// <summary>A directory group.</summary>
[PolicyResource("group", "A group in the directory (security, Microsoft 365, mail-enabled, dynamic).", Evidence = [EvidenceKinds.Directory])]
public sealed class GroupResource : PolicyResource
{
    [PolicyField("displayName", "Display name.", "snapshot")] public string? DisplayName { get; internal set; }
    [PolicyField("description", "Description.", "snapshot")] public string? Description { get; internal set; }
    [PolicyField("mail", "Mail address.", "snapshot")] public string? Mail { get; internal set; }
    [PolicyField("mailEnabled", "True when mail-enabled.", "snapshot")] public bool MailEnabled { get; internal set; }
    [PolicyField("securityEnabled", "True when a security group.", "snapshot")] public bool SecurityEnabled { get; internal set; }
    [PolicyField("groupTypes", "Graph's groupTypes (Unified, DynamicMembership).", "snapshot")] public IReadOnlyList<string> GroupTypes { get; internal set; } = [];
    [PolicyField("isMicrosoft365", "True for a Microsoft 365 group.", "snapshot")] public bool IsMicrosoft365 { get; internal set; }
    [PolicyField("isDynamic", "True when membership is rule-based.", "snapshot")] public bool IsDynamic { get; internal set; }
    [PolicyField("isRoleAssignable", "True when directory roles can be assigned to the group.", "snapshot")] public bool IsRoleAssignable { get; internal set; }
    [PolicyField("onPremisesSyncEnabled", "True when synced from on-premises AD.", "snapshot")] public bool OnPremisesSyncEnabled { get; internal set; }
    [PolicyField("createdDateTime", "When the group was created.", "snapshot")] public DateTimeOffset? CreatedDateTime { get; internal set; }
    [PolicyField("members", "Direct members that are user accounts.", "snapshot", Inverse = "groups")] public IReadOnlyList<AccountResource> Members { get; internal set; } = [];
    [PolicyField("memberCount", "Direct members of every kind (users, groups, devices, service principals).", "snapshot")] public int MemberCount { get; internal set; }
    [PolicyField("owners", "Owners that are user accounts.", "snapshot", Inverse = "ownedGroups")] public IReadOnlyList<AccountResource> Owners { get; internal set; } = [];
    [PolicyField("ownerCount", "Owners of every kind.", "snapshot")] public int OwnerCount { get; internal set; }
}

/// <summary>A directory role granted to a principal, active or PIM-eligible.</summary>
[PolicyResource("roleAssignment", "A directory role granted to a user, group or service principal, active or PIM-eligible.", Evidence = [EvidenceKinds.Directory])]
public sealed class RoleAssignmentResource : PolicyResource
{
    [PolicyField("roleName", "The role's display name (Global Administrator, ...).", "snapshot")] public string? RoleName { get; internal set; }
    [PolicyField("roleTemplateId", "The role's template id (the same in every tenant).", "snapshot")] public string? RoleTemplateId { get; internal set; }
    [PolicyField("state", "Active or Eligible.", "snapshot")] public string State { get; internal set; } = "Active";
    [PolicyField("privileged", "True for the privileged built-in roles listed in docs/policy-language.md.", "computed")] public bool Privileged { get; internal set; }
    [PolicyField("isGlobalAdministrator", "True for the Global Administrator role.", "snapshot")] public bool IsGlobalAdministrator { get; internal set; }
    [PolicyField("permanent", "True when the assignment has no end date.", "snapshot")] public bool Permanent { get; internal set; }
    [PolicyField("startDateTime", "When a time-bound assignment starts.", "snapshot")] public DateTimeOffset? StartDateTime { get; internal set; }
    [PolicyField("endDateTime", "When a time-bound assignment ends.", "snapshot")] public DateTimeOffset? EndDateTime { get; internal set; }
    [PolicyField("directoryScopeId", "'/' for the whole tenant, else an administrative unit or object.", "snapshot")] public string DirectoryScopeId { get; internal set; } = "/";
    [PolicyField("fromSchedule", "True when the assignment comes from a PIM schedule.", "snapshot")] public bool FromSchedule { get; internal set; }
    [PolicyField("principalId", "The object id of the principal.", "snapshot")] public string PrincipalId { get; internal set; } = string.Empty;
    [PolicyField("principalType", "User, Group, ServicePrincipal or Other.", "snapshot")] public string PrincipalType { get; internal set; } = "Other";
    [PolicyField("principal", "The principal's account, when it is a user.", "snapshot", Inverse = "roleAssignments")] public AccountResource? Principal { get; internal set; }
    [PolicyField("principalGroup", "The principal group, when it is a group.", "snapshot")] public GroupResource? PrincipalGroup { get; internal set; }
}

/// <summary>An app role granted to a user, group or service principal.</summary>
[PolicyResource("appRoleAssignment", "An application role granted to a user, group or service principal.", Evidence = [EvidenceKinds.Directory])]
public sealed class AppRoleAssignmentResource : PolicyResource
{
    [PolicyField("principalId", "The object id of the principal.", "snapshot")] public string PrincipalId { get; internal set; } = string.Empty;
    [PolicyField("principalType", "User, Group, ServicePrincipal or Other.", "snapshot")] public string PrincipalType { get; internal set; } = "User";
    [PolicyField("principal", "The principal's account, when it is a user.", "snapshot", Inverse = "appRoleAssignments")] public AccountResource? Principal { get; internal set; }
    [PolicyField("application", "The service principal that defines the role.", "snapshot", Inverse = "assignments")] public ServicePrincipalResource? Application { get; internal set; }
    [PolicyField("applicationName", "The application's display name.", "snapshot")] public string? ApplicationName { get; internal set; }
    [PolicyField("appRoleId", "The app role id (all zeros for default access).", "snapshot")] public string AppRoleId { get; internal set; } = string.Empty;
    [PolicyField("appRoleValue", "The app role's value, such as Admin or Reader.", "snapshot")] public string? AppRoleValue { get; internal set; }
    [PolicyField("createdDateTime", "When it was granted.", "snapshot")] public DateTimeOffset? CreatedDateTime { get; internal set; }
}

/// <summary>An application's identity in the tenant.</summary>
[PolicyResource("servicePrincipal", "An application's identity in the tenant (enterprise application).", Evidence = [EvidenceKinds.Directory])]
public sealed class ServicePrincipalResource : PolicyResource
{
    [PolicyField("appId", "The application (client) id.", "snapshot")] public string? AppId { get; internal set; }
    [PolicyField("displayName", "Display name.", "snapshot")] public string? DisplayName { get; internal set; }
    [PolicyField("servicePrincipalType", "Application, ManagedIdentity, Legacy, SocialIdp.", "snapshot")] public string? ServicePrincipalType { get; internal set; }
    [PolicyField("appRoles", "Values of the app roles the application defines.", "snapshot")] public IReadOnlyList<string> AppRoles { get; internal set; } = [];
    [PolicyField("assignments", "App role assignments granted on this application.", "snapshot", Inverse = "application")] public IReadOnlyList<AppRoleAssignmentResource> Assignments { get; internal set; } = [];
    [PolicyField("tenantWideDelegatedScopes", "Delegated permissions admin-consented for all users of this client (AllPrincipals grants).", "snapshot (delegatedGrants)")] public IReadOnlyList<string> TenantWideDelegatedScopes { get; internal set; } = [];
    [PolicyField("privilegedRoleCount", "Privileged directory roles the service principal holds (active or eligible).", "snapshot")] public int PrivilegedRoleCount { get; internal set; }
}

/// <summary>A device registered in or joined to the directory, with its registered owners and users.</summary>
[PolicyResource("device", "A device registered in or joined to the directory (Entra registered, joined or hybrid joined).", Evidence = [EvidenceKinds.Directory, EvidenceAreas.Devices])]
public sealed class DeviceResource : PolicyResource
{
    [PolicyField("deviceId", "The device's own id (Graph deviceId), not the directory object id.", "snapshot")] public string? DeviceId { get; internal set; }
    [PolicyField("displayName", "Display name.", "snapshot")] public string? DisplayName { get; internal set; }
    [PolicyField("accountEnabled", "True when the device can be used to sign in.", "snapshot")] public bool AccountEnabled { get; internal set; }
    [PolicyField("operatingSystem", "Operating system (Windows, iOS, Android, MacMDM, ...).", "snapshot")] public string? OperatingSystem { get; internal set; }
    [PolicyField("trustType", "Workplace (registered), AzureAd (joined) or ServerAd (hybrid joined).", "snapshot")] public string? TrustType { get; internal set; }
    [PolicyField("lastSignIn", "Approximate last sign-in with the device.", "snapshot")] public DateTimeOffset? LastSignIn { get; internal set; }
    [PolicyField("owners", "Registered owners that are user accounts.", "snapshot", Inverse = "ownedDevices")] public IReadOnlyList<AccountResource> Owners { get; internal set; } = [];
    [PolicyField("ownerCount", "Registered owners of every kind, including any no longer in the snapshot.", "snapshot")] public int OwnerCount { get; internal set; }
    [PolicyField("users", "Registered users that are user accounts.", "snapshot")] public IReadOnlyList<AccountResource> Users { get; internal set; } = [];
}

/// <summary>An access review campaign of the register.</summary>
[PolicyResource("accessReview", "An access review campaign in the register (New-IsmsAccessReview).", Evidence = [EvidenceKinds.AccessReviews])]
public sealed class AccessReviewResource : PolicyResource
{
    [PolicyField("status", "Active or Completed.", "register")] public string Status { get; internal set; } = "Active";
    [PolicyField("completed", "True when the campaign is completed.", "register")] public bool Completed { get; internal set; }
    [PolicyField("startDate", "When decisions could start.", "register")] public DateTimeOffset? StartDate { get; internal set; }
    [PolicyField("dueDate", "When decisions were due.", "register")] public DateTimeOffset? DueDate { get; internal set; }
    [PolicyField("overdue", "True when still active after the due date at evaluation time.", "register, computed")] public bool Overdue { get; internal set; }
    [PolicyField("recurrence", "ISO 8601 duration the campaign recurs at (P3M), or null.", "register")] public string? Recurrence { get; internal set; }
    [PolicyField("nextStartDate", "When the next campaign should start: the next date of the series' schedule (whole recurrences from its first start).", "register, computed")] public DateTimeOffset? NextStartDate { get; internal set; }
    [PolicyField("itemCount", "Items frozen in the campaign.", "register")] public int ItemCount { get; internal set; }
    [PolicyField("decidedCount", "Items with a decision.", "register")] public int DecidedCount { get; internal set; }
    [PolicyField("undecidedCount", "Items without a decision.", "register")] public int UndecidedCount { get; internal set; }
    [PolicyField("appliedCount", "Denied items whose removal was applied (settled).", "register")] public int AppliedCount { get; internal set; }
    [PolicyField("applyFailedCount", "Denied items whose removal failed.", "register")] public int ApplyFailedCount { get; internal set; }
    [PolicyField("lastAppliedAt", "When the newest removal result was recorded.", "register")] public DateTimeOffset? LastAppliedAt { get; internal set; }
    [PolicyField("coversPrivilegedRoles", "True when the scope includes directory roles.", "register")] public bool CoversPrivilegedRoles { get; internal set; }
    [PolicyField("coversGuests", "True when the scope includes guests.", "register")] public bool CoversGuests { get; internal set; }
    [PolicyField("coversCatalogPrivileged", "True when the scope includes what the catalog marks privileged.", "register")] public bool CoversCatalogPrivileged { get; internal set; }
    [PolicyField("createdAt", "When the campaign was created.", "register")] public DateTimeOffset? CreatedAt { get; internal set; }
}

/// <summary>An offboarding case of the register.</summary>
[PolicyResource("offboardingCase", "An offboarding case in the register (Start-IsmsOffboarding).", Evidence = [EvidenceKinds.Offboarding])]
public sealed class OffboardingCaseResource : PolicyResource
{
    [PolicyField("personId", "The leaver's person id, when known.", "register")] public string? PersonId { get; internal set; }
    [PolicyField("userId", "The leaver's account object id.", "register")] public string UserId { get; internal set; } = string.Empty;
    [PolicyField("userPrincipalName", "The leaver's sign-in name.", "register")] public string? UserPrincipalName { get; internal set; }
    [PolicyField("status", "Planned, Running, Completed, CompletedWithManualTasks or Failed.", "register")] public string Status { get; internal set; } = "Planned";
    [PolicyField("urgency", "Standard or Immediate.", "register")] public string Urgency { get; internal set; } = "Standard";
    [PolicyField("effectiveDate", "When access had to go.", "register")] public DateTimeOffset? EffectiveDate { get; internal set; }
    [PolicyField("dueAt", "The SLA deadline.", "register")] public DateTimeOffset? DueAt { get; internal set; }
    [PolicyField("closedAt", "When the case closed.", "register")] public DateTimeOffset? ClosedAt { get; internal set; }
    [PolicyField("open", "True until the case is Completed or CompletedWithManualTasks.", "register")] public bool Open { get; internal set; }
    [PolicyField("overdue", "True when open past dueAt at evaluation time.", "register, computed")] public bool Overdue { get; internal set; }
    [PolicyField("closedWithinSla", "True when the case closed no later than dueAt.", "register, computed")] public bool ClosedWithinSla { get; internal set; }
    [PolicyField("manualTaskCount", "Steps left to a person (ManualTask).", "register")] public int ManualTaskCount { get; internal set; }
    [PolicyField("failedStepCount", "Steps that failed.", "register")] public int FailedStepCount { get; internal set; }
    [PolicyField("person", "The leaver in the register.", "register", Inverse = "offboardingCases")] public PersonResource? Person { get; internal set; }
    [PolicyField("account", "The leaver's account as the directory shows it now (null when deleted or no directory).", "snapshot + register")] public AccountResource? Account { get; internal set; }
}

/// <summary>The tenant as a whole: counts and settings a control checks once.</summary>
[PolicyResource("tenant", "The tenant as one resource (id 'tenant'): counts and settings, and lists to count over.", Evidence = [EvidenceKinds.Directory])]
public sealed class TenantResource : PolicyResource
{
    [PolicyField("tenantId", "The tenant id.", "snapshot")] public string? TenantId { get; internal set; }
    [PolicyField("displayName", "The tenant's name.", "snapshot")] public string? DisplayName { get; internal set; }
    [PolicyField("verifiedDomains", "Verified domain names.", "snapshot")] public IReadOnlyList<string> VerifiedDomains { get; internal set; } = [];
    [PolicyField("collectedAt", "When the directory evidence was collected.", "snapshot")] public DateTimeOffset? CollectedAt { get; internal set; }
    [PolicyField("evidenceGaps", "Evidence areas the snapshot lacks (signInActivity, authenticationRegistration, ...).", "snapshot")] public IReadOnlyList<string> EvidenceGaps { get; internal set; } = [];
    [PolicyField("globalAdministratorCount", "User accounts holding Global Administrator, active (standing or time-bound), directly or through a role-assignable group.", "snapshot")] public int GlobalAdministratorCount { get; internal set; }
    [PolicyField("standingGlobalAdministratorCount", "User accounts holding Global Administrator actively with no end date.", "snapshot")] public int StandingGlobalAdministratorCount { get; internal set; }
    [PolicyField("eligibleGlobalAdministratorCount", "User accounts eligible (PIM) for Global Administrator.", "snapshot (roleSchedules)")] public int EligibleGlobalAdministratorCount { get; internal set; }
    [PolicyField("privilegedUserCount", "Distinct user accounts with a privileged role, active or eligible.", "snapshot")] public int PrivilegedUserCount { get; internal set; }
    [PolicyField("privilegedUsersWithoutMfaCount", "Privileged user accounts without MFA registered (needs evidence authenticationRegistration).", "snapshot (authenticationRegistration)")] public int PrivilegedUsersWithoutMfaCount { get; internal set; }
    [PolicyField("enabledAccountCount", "Enabled user accounts.", "snapshot")] public int EnabledAccountCount { get; internal set; }
    [PolicyField("guestCount", "Guest accounts.", "snapshot")] public int GuestCount { get; internal set; }
    [PolicyField("accounts", "Every user account (count over it, e.g. break-glass accounts by name).", "snapshot")] public IReadOnlyList<AccountResource> Accounts { get; internal set; } = [];
    [PolicyField("roleAssignments", "Every directory role assignment.", "snapshot")] public IReadOnlyList<RoleAssignmentResource> RoleAssignments { get; internal set; } = [];
    [PolicyField("groups", "Every group.", "snapshot")] public IReadOnlyList<GroupResource> Groups { get; internal set; } = [];
    [PolicyField("servicePrincipals", "Every service principal.", "snapshot")] public IReadOnlyList<ServicePrincipalResource> ServicePrincipals { get; internal set; } = [];
}

/// <summary>The ISMS register as a whole: lists and counts for controls about the programme rather than one record.</summary>
[PolicyResource("register", "The ISMS register as one resource (id 'register'): people, campaigns and cases to count over.")]
public sealed class RegisterResource : PolicyResource
{
    [PolicyField("people", "Every person of the register.", "register")] public IReadOnlyList<PersonResource> People { get; internal set; } = [];
    [PolicyField("accessReviews", "Every access review campaign.", "register")] public IReadOnlyList<AccessReviewResource> AccessReviews { get; internal set; } = [];
    [PolicyField("offboardingCases", "Every offboarding case.", "register")] public IReadOnlyList<OffboardingCaseResource> OffboardingCases { get; internal set; } = [];
    [PolicyField("activePeopleCount", "People with status Active.", "register")] public int ActivePeopleCount { get; internal set; }
}

/// <summary>The audit trail, verified during the run.</summary>
[PolicyResource("auditTrail", "The audit trail (id 'audit-trail'), verified during the run.", Evidence = [EvidenceKinds.AuditTrail])]
public sealed class AuditTrailResource : PolicyResource
{
    [PolicyField("chainValid", "True when the hash chain and the newest signed checkpoint verify now.", "audit trail, verified at run time")] public bool ChainValid { get; internal set; }
    [PolicyField("tampering", "The kind of tampering found (Edit, Delete, Insert, Reorder, Truncation, Rewrite, InvalidCheckpoint), or null.", "audit trail")] public string? Tampering { get; internal set; }
    [PolicyField("eventCount", "Events in the trail.", "audit trail")] public long EventCount { get; internal set; }
    [PolicyField("checkpointCount", "Signed checkpoints.", "audit trail")] public int CheckpointCount { get; internal set; }
    [PolicyField("lastCheckpointAt", "When the newest signed checkpoint was made.", "audit trail")] public DateTimeOffset? LastCheckpointAt { get; internal set; }
    [PolicyField("verifiedAt", "When this run verified the trail (the evaluation time).", "computed")] public DateTimeOffset? VerifiedAt { get; internal set; }
    [PolicyField("message", "The verifier's message.", "audit trail")] public string? Message { get; internal set; }
}
