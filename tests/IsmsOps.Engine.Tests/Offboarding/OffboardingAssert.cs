using System.Text.Json;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Storage;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.Offboarding;

/// <summary>Checks of a stored case against its audit trail, shared by the crash and fault tests.</summary>
internal static class OffboardingAssert
{
    /// <summary>
    /// One CaseOpened, at most one CaseClosed (one if closed), a StepFailed for each failed step, and for every settled step exactly one event that settled it, matching what is
    /// stored: the StepSettled of the run that settled it, or the CaseOpened event for a manual task the plan itself
    /// settled (the planner hands some work to people from the start). An unsettled step has none.
    /// </summary>
    public static void OneSettlingEventPerStep(IsmsWorkspace workspace, OffboardingCase stored)
    {
        List<AuditEvent> events = workspace.Audit.Find(new AuditEventQuery(), ["Offboarding.*"], [OffboardingRegister.Target(stored.CaseId)], CancellationToken.None).ToList();
        AuditEvent opened = Assert.Single(events, e => e.Action == "Offboarding.CaseOpened");
        Assert.Equal(stored.IsOpen ? 0 : 1, events.Count(e => e.Action == "Offboarding.CaseClosed"));
        var settling = events.Where(e => e.Action == "Offboarding.StepSettled").Select(SequenceAndStatus).ToList();
        Dictionary<int, string> planned = PlannedStatuses(opened);
        var failures = events.Where(e => e.Action == "Offboarding.StepFailed").Select(e => SequenceAndStatus(e).Sequence).ToHashSet();
        foreach (OffboardingStep step in stored.Steps)
        {
            var forStep = settling.Where(s => s.Sequence == step.Sequence).Select(s => s.Status).ToList();
            if (planned[step.Sequence] is "ManualTask" or "Done" or "Skipped")
            {
                forStep.Add(planned[step.Sequence]);
            }

            if (step.IsSettled)
            {
                Assert.True(forStep.Count == 1, $"Case {stored.CaseId} step {step.Sequence} ({step.Kind}) has {forStep.Count} settling events.");
                Assert.Equal(step.Status.ToString(), forStep[0]);
            }
            else
            {
                Assert.True(forStep.Count == 0, $"Case {stored.CaseId} step {step.Sequence} is {step.Status} but has a settling event.");
            }

            if (step.Status == OffboardingStepStatus.Failed)
            {
                Assert.True(failures.Contains(step.Sequence), $"Case {stored.CaseId} step {step.Sequence} is Failed but no StepFailed event records it.");
            }
        }
    }

    /// <summary>
    /// Everything the sandbox still lets <paramref name="leaver"/> do that Graph could take away is listed in
    /// <paramref name="verification"/> as removable: a failed case hides nothing.
    /// </summary>
    public static void EveryRemovableAccessIsListed(Tenant tenant, Leaver leaver, OffboardingVerification verification)
    {
        DirectoryUser user = leaver.User;
        var held = new List<(string Kind, string Id)>();
        held.AddRange(user.MemberOf.Where(g => !g.IsDynamic && g.OnPremisesSyncEnabled != true && !(g.MailEnabled && !g.IsUnified)).Select(g => ("membership", g.Id)));
        held.AddRange(user.OwnedGroups.Select(g => ("ownership", g.Id)));
        held.AddRange(tenant.RoleAssignments.Where(a => a.Principal == user).Select(a => ("role", a.Role.Id)));
        held.AddRange(tenant.RoleEligibilities.Where(e => e.Principal == user).Select(e => ("eligible role", e.Role.Id)));
        held.AddRange(tenant.AppRoleAssignmentsOf(user).Select(a => ("app role", a.Resource.Id)));
        held.AddRange(tenant.OAuth2PermissionGrants.Where(g => string.Equals(g.PrincipalId, user.Id, StringComparison.OrdinalIgnoreCase)).Select(g => ("delegated grant", g.ClientId)));
        held.AddRange(user.DirectLicenses.Select(l => ("licence", l.SkuId.ToString())));
        held.AddRange(user.AuthenticationMethods.Where(m => m is not PasswordMethod).Select(m => ("method", m.Id)));
        held.AddRange(user.DirectReports.Select(r => ("report", r.Id)));
        if (leaver.Device is { AccountEnabled: true } device)
        {
            held.Add(("device", device.Id));
        }

        var listed = verification.Remaining.Where(r => r.RemovableThroughGraph).Select(r => r.ResourceId).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Equal(user.AccountEnabled, verification.AccountEnabled);
        Assert.All(held, h => Assert.True(listed.Contains(h.Id), $"The sandbox still holds the leaver's {h.Kind} {h.Id}, which the verification does not list."));
        Assert.Equal(held.Count == 0 && !user.AccountEnabled, verification.NothingRemovableRemains);
    }

    private static (int Sequence, string? Status) SequenceAndStatus(AuditEvent e)
    {
        using JsonDocument details = JsonDocument.Parse(e.Details);
        JsonElement root = details.RootElement;
        return (root.GetProperty("Sequence").GetInt32(), root.GetProperty("changes").GetProperty("Status").GetProperty("to").ToString());
    }

    // CaseOpened lists every planned step as "Kind resource assignment [Status]" under its three-digit sequence.
    private static Dictionary<int, string> PlannedStatuses(AuditEvent opened)
    {
        using JsonDocument details = JsonDocument.Parse(opened.Details);
        return details.RootElement.GetProperty("Steps").EnumerateObject().ToDictionary(
            p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture),
            p => p.Value.GetString()![(p.Value.GetString()!.LastIndexOf('[') + 1)..^1]);
    }
}

/// <summary>What the sandbox says a leaver still holds, in terms that two leavers built alike can be compared by.</summary>
internal sealed record LeaverFootprint(bool AccountEnabled, bool SessionsRevoked, string Groups, int OwnedGroups, int RoleAssignments, int RoleEligibilities,
    int AppRoles, int DelegatedGrants, int DirectLicences, string Methods, bool? DeviceEnabled, int DirectReports)
{
    public static LeaverFootprint Of(Tenant tenant, Leaver leaver)
    {
        DirectoryUser user = leaver.User;
        return new LeaverFootprint(
            user.AccountEnabled,
            user.SignInSessionsValidFromDateTime is not null,
            string.Join(", ", user.MemberOf.Select(g => g.DisplayName).Order(StringComparer.Ordinal)),
            user.OwnedGroups.Count,
            tenant.RoleAssignments.Count(a => a.Principal == user),
            tenant.RoleEligibilities.Count(e => e.Principal == user),
            tenant.AppRoleAssignmentsOf(user).Count,
            tenant.OAuth2PermissionGrants.Count(g => string.Equals(g.PrincipalId, user.Id, StringComparison.OrdinalIgnoreCase)),
            user.DirectLicenses.Count,
            string.Join(", ", user.AuthenticationMethods.Select(m => m.ODataType).Order(StringComparer.Ordinal)),
            leaver.Device?.AccountEnabled,
            user.DirectReports.Count);
    }
}
