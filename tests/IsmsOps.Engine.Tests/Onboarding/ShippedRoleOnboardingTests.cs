using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Engine.Tests.Roles;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.Onboarding;

/// <summary>
/// The shipped role catalog (policies/roles) against the sandbox's seeded tenant: every role can be onboarded, and
/// each joiner ends up holding exactly what their role file names, read back from the tenant itself.
/// </summary>
public sealed class ShippedRoleOnboardingTests
{
    private static readonly OperationContext Hr = new("hr.officer@host", null, "00000000-0000-0000-0000-00000000000a");

    [Fact]
    public async Task A_joiner_in_every_shipped_role_is_onboarded_against_the_sandbox_and_holds_exactly_the_roles_birthright_access()
    {
        RoleCatalog catalog = RoleCatalog.Load(Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies", "roles"));
        using var store = new TempWorkspace();
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        Tenant tenant = graph.Sandbox.Tenant;
        var service = new OnboardingService(store.Workspace, catalog, graph.Connection, SandboxGraph.FastRetries);
        Assert.True(catalog.Roles.Count >= 9);

        int n = 0;
        foreach (IsmsOps.Engine.Roles.RoleDefinition role in catalog.Roles)
        {
            string personId = $"J{++n:D3}";
            string upn = $"joiner.{role.Id}@{tenant.DefaultDomain}";
            await store.Workspace.People.CreateAsync(new Person
            {
                PersonId = personId,
                DisplayName = "Joiner " + role.Title,
                UserPrincipalName = upn,
                JobRole = role.Id,
                Location = "GB",
                EmploymentType = role.Id.Contains("contractor", StringComparison.Ordinal) || role.Id.Contains("consultant", StringComparison.Ordinal)
                    ? EmploymentType.Contractor : EmploymentType.Employee,
            }, Hr, CancellationToken.None);
            await ClearAsync(store.Workspace, personId, role.ScreeningLevelFor("GB"));

            OnboardingOutcome outcome = await service.StartAsync(personId, issueTemporaryAccessPass: false, Hr, CancellationToken.None);

            Assert.True(outcome.Case.Status == OnboardingCaseStatus.Completed,
                $"{role.Id}: case {outcome.Case.Status}; {string.Join(" ", outcome.Case.Steps.Where(s => !s.IsSettled).Select(s => $"{s.Kind} {s.ResourceDisplayName}: {s.Reason}"))}");
            DirectoryUser user = tenant.FindUser(upn) ?? throw new Xunit.Sdk.XunitException($"{role.Id}: no account {upn} in the tenant");
            Assert.True(user.AccountEnabled, role.Id);

            string[] expectedGroups = role.Groups.Select(g => g.ObjectId?.ToString() ?? tenant.Groups.Single(x => x.DisplayName == g.DisplayName).Id)
                .Order(StringComparer.Ordinal).ToArray();
            string[] heldGroups = tenant.Groups.Where(g => g.HasMember(user.Id)).Select(g => g.Id).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(expectedGroups, heldGroups);

            string[] expectedSkus = role.Licences.Select(l => l.SkuPartNumber!).Order(StringComparer.Ordinal).ToArray();
            string[] heldSkus = user.DirectLicenses.Select(l => tenant.FindSku(l.SkuId)!.SkuPartNumber).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(expectedSkus, heldSkus);

            string[] expectedAppRoles = role.AppRoles.Select(a => $"{a.AppId}/{a.Value}").Order(StringComparer.Ordinal).ToArray();
            string[] heldAppRoles = tenant.AppRoleAssignmentsOf(user)
                .Select(a => $"{a.Resource.AppId}/{a.Resource.FindAppRole(a.AppRoleId)!.Value}")
                .Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(expectedAppRoles, heldAppRoles);
        }
    }

    private static async Task ClearAsync(IsmsWorkspace workspace, string personId, ScreeningLevel level)
    {
        ScreeningRecord s = await workspace.Screening.CreateAsync(new ScreeningRecord { PersonId = personId, Level = level }, Hr, CancellationToken.None);
        await workspace.Screening.UpdateAsync(s.ScreeningId, r => r with { Status = ScreeningStatus.Requested }, null, Hr, CancellationToken.None);
        await workspace.Screening.UpdateAsync(s.ScreeningId, r => r with
        {
            Status = ScreeningStatus.Cleared,
            Identity = ScreeningCheckResult.Clear,
            RightToWork = ScreeningCheckResult.Clear,
            CriminalRecord = ScreeningCheckResult.Clear,
            Credit = ScreeningCheckResult.Clear,
            References = ScreeningCheckResult.Clear,
            Education = ScreeningCheckResult.Clear,
        }, null, Hr, CancellationToken.None);
    }
}
