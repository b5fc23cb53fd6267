using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.AccessReviews;

/// <summary>Guest sponsors, from the sandbox tenant through a live collection to the campaign's recommendations.</summary>
public sealed class AccessReviewSponsorTests
{
    [Fact]
    public async Task A_live_collection_brings_every_guests_sponsors_and_the_campaign_recommends_removing_only_guests_nobody_answers_for()
    {
        // Without P1 there is no sign-in evidence, so sponsors are the only ground a guest can be recommended on.
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 300, PremiumP1 = false });
        Tenant tenant = graph.Sandbox.Tenant;
        List<DirectoryUser> guests = tenant.Users.Where(u => u.UserType == "Guest").ToList();
        List<DirectoryUser> members = tenant.Users.Where(u => u.UserType == "Member" && u.AccountEnabled).ToList();
        // More sponsors than Graph expands (20): the collector must read the rest.
        DirectoryUser crowded = guests.First(g => g.Sponsors.Count > 0);
        foreach (DirectoryUser member in members.Take(25))
        {
            crowded.AddSponsor(member);
        }

        // A sponsor deleted from the directory leaves the guest unsponsored, as in Graph.
        DirectoryUser orphaned = guests.Last(g => g.Sponsors.Count == 1 && g != crowded);
        DirectoryUser leaver = orphaned.Sponsors[0];
        foreach (DirectoryUser other in leaver.SponsorOf.Where(g => g != orphaned).ToList())
        {
            other.RemoveSponsor(leaver.Id);
            other.AddSponsor(members[0] == leaver ? members[1] : members[0]);
        }

        tenant.Remove(leaver);
        string[] unsponsored = guests.Where(g => g.Sponsors.Count == 0).Select(g => g.Id).Order().ToArray();

        // A sponsor whose account is disabled no longer answers for the guests it sponsors.
        DirectoryUser disabled = guests.First(g => g.Sponsors.Count == 1 && g != crowded).Sponsors[0];
        disabled.AccountEnabled = false;
        string[] inactive = guests.Where(g => g.Sponsors.Count > 0 && g.Sponsors.All(s => !s.AccountEnabled)).Select(g => g.Id).Order().ToArray();

        DirectorySnapshot snapshot = await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None);
        AccessReviewContent content = AccessReviewCampaignBuilder.Build("AR-LIVE", new AccessReviewDefinition
        {
            Name = "Guests",
            Scope = new AccessReviewScope { Guests = true },
            Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.Manager, Fallback = [members[2].UserPrincipalName, members[3].UserPrincipalName] },
        }, DirectoryIndex.Build(snapshot), RoleCatalog.Empty, [], snapshot.CollectedAt);

        Assert.True(snapshot.SponsorsCollected);
        Assert.Contains(orphaned.Id, unsponsored);
        Assert.True(unsponsored.Length >= 2 && unsponsored.Length < guests.Count - 1, $"{unsponsored.Length} of {guests.Count} guests are unsponsored");
        foreach (DirectoryUser guest in guests)
        {
            Assert.Equal(guest.Sponsors.Select(s => s.Id).Order(StringComparer.Ordinal), snapshot.Users.Single(u => u.Id == guest.Id).SponsorIds);
        }

        Assert.True(crowded.Sponsors.Count > 20);
        Assert.Equal(crowded.Sponsors.Count, snapshot.Users.Single(u => u.Id == crowded.Id).SponsorIds.Count);
        Assert.All(snapshot.Users.Where(u => u.UserType == "Member"), u => Assert.Empty(u.SponsorIds));
        List<AccessReviewItem> items = content.Items.ToList();
        Assert.Equal(guests.Count, items.Count);
        Assert.NotEmpty(inactive);
        Assert.Equal(unsponsored.Concat(inactive).Order(), items.Where(i => i.Recommendation == AccessReviewRecommendation.Deny).Select(i => i.PrincipalId).Order());
        Assert.All(items.Where(i => unsponsored.Contains(i.PrincipalId)),
            i => Assert.Equal([AccessReviewReason.SignInUnknown, AccessReviewReason.GuestWithoutSponsor], i.Reasons));
        Assert.All(items.Where(i => inactive.Contains(i.PrincipalId)), i =>
        {
            Assert.Equal([AccessReviewReason.SignInUnknown, AccessReviewReason.SponsorInactive], i.Reasons);
            Assert.True(i.ReviewedByFallback);
        });
        Assert.DoesNotContain(items, i => i.Reasons.Contains(AccessReviewReason.SponsorUnknown));
        // A sponsored guest without a manager is reviewed by its sponsors, not the fallback.
        AccessReviewItem sponsored = items.Single(i => i.PrincipalId == crowded.Id);
        Assert.Equal(crowded.Sponsors.Select(s => s.Id).Order(), sponsored.ReviewerIds.Order());
        Assert.False(sponsored.ReviewedByFallback);
    }
}
