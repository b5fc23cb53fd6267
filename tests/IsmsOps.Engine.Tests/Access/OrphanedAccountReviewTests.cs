using IsmsOps.Engine.Access;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.Access;

public sealed class OrphanedAccountReviewTests
{
    private static readonly DateTime Today = new(2026, 11, 24);

    [Fact]
    public async Task The_exit_review_of_a_sandbox_snapshot_lists_every_enabled_member_without_an_active_person_and_nothing_else()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 120 });
        List<DirectoryUser> members = graph.Sandbox.Tenant.Users.Where(u => u.UserType == "Member" && u.AccountEnabled).ToList();
        Assert.Contains(graph.Sandbox.Tenant.Users, u => u.UserType == "Member" && !u.AccountEnabled);
        members[5].AccountEnabled = false; // disabled by us, and in nobody's name: not an orphan
        DirectorySnapshot snapshot = await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None);

        // Every member but the first six is in the register, alternately linked by object id and by UPN (in other case).
        var people = members.Skip(6).Select((u, i) => new Person
        {
            PersonId = "E" + i,
            DisplayName = u.DisplayName,
            Status = PersonStatus.Active,
            DirectoryObjectId = i % 2 == 0 ? u.Id : null,
            UserPrincipalName = i % 2 == 0 ? null : u.UserPrincipalName.ToUpperInvariant(),
        }).ToList();
        people.Add(new Person { PersonId = "L1", DisplayName = "Left", Status = PersonStatus.Left, DirectoryObjectId = members[0].Id, EndDate = Today.AddDays(-30) });
        people.Add(new Person { PersonId = "L2", DisplayName = "Past", Status = PersonStatus.Leaving, UserPrincipalName = members[1].UserPrincipalName, EndDate = Today.AddDays(-1) });
        people.Add(new Person { PersonId = "L3", DisplayName = "Today", Status = PersonStatus.Leaving, DirectoryObjectId = members[2].Id, EndDate = Today });
        people.Add(new Person { PersonId = "C1", DisplayName = "Candidate", Status = PersonStatus.Candidate, DirectoryObjectId = members[3].Id });

        IReadOnlyList<OrphanedAccount> orphans = OrphanedAccountReview.Find(snapshot.Users, people, Today, "sha");

        Assert.Equal(
            [(members[0].Id, OrphanReason.PersonLeft, "L1"), (members[1].Id, OrphanReason.PastEndDate, "L2"), (members[4].Id, OrphanReason.NoPerson, null)],
            orphans.Select(o => (o.UserId, o.Reason, o.PersonId)).OrderBy(o => o.PersonId ?? "~", StringComparer.Ordinal));
        Assert.All(orphans, o => Assert.Equal("sha", o.SnapshotSha256));
        Assert.DoesNotContain(orphans, o => graph.Sandbox.Tenant.FindUser(o.UserId)!.UserType != "Member");
        Assert.Contains(snapshot.Users, u => u.UserType == "Guest" && u.AccountEnabled);
    }

    [Fact]
    public void A_leaver_whose_account_is_linked_twice_counts_as_active_while_any_linked_person_is()
    {
        SnapshotUser user = new() { Id = "u-1", UserPrincipalName = "ada@contoso.com", AccountEnabled = true, UserType = "Member" };
        Person left = new() { PersonId = "E1", DisplayName = "Ada", Status = PersonStatus.Left, DirectoryObjectId = "u-1" };
        Person rehired = new() { PersonId = "E2", DisplayName = "Ada", Status = PersonStatus.Onboarding, UserPrincipalName = "ada@contoso.com" };

        Assert.Empty(OrphanedAccountReview.Find([user], [left, rehired], Today));
        Assert.Equal(OrphanReason.PersonLeft, Assert.Single(OrphanedAccountReview.Find([user], [left], Today)).Reason);
    }

    [Fact]
    public async Task Read_live_the_review_lists_the_same_accounts_as_from_a_snapshot_of_the_same_tenant()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        DirectorySnapshot snapshot = await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None);
        Person someone = new() { PersonId = "E1", DisplayName = "x", Status = PersonStatus.Active, DirectoryObjectId = snapshot.Users.First(u => u.AccountEnabled).Id };

        IReadOnlyList<SnapshotUser> live = await OrphanedAccountReview.ListUsersAsync(new LiveDirectorySource(graph.Connection), CancellationToken.None);

        Assert.Equal(
            OrphanedAccountReview.Find(snapshot.Users, [someone], Today).Select(o => o.UserId),
            OrphanedAccountReview.Find(live, [someone], Today).Select(o => o.UserId));
        Assert.DoesNotContain(someone.DirectoryObjectId, OrphanedAccountReview.Find(live, [someone], Today).Select(o => o.UserId));
    }
}
