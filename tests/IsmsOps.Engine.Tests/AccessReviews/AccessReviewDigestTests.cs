using System.Security.Cryptography;
using System.Text;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Offboarding;

namespace IsmsOps.Engine.Tests.AccessReviews;

/// <summary>
/// The campaign digest's line format is a record kept in stores and audit trails: a faster writer must not change it.
/// These lines are spelled out by hand, so a change to the format fails here rather than going unnoticed by tests that
/// recompute the digest with the same code that made it.
/// </summary>
public sealed class AccessReviewDigestTests
{
    private static AccessReviewItem Item(long id) => new()
    {
        CampaignId = "AR-1",
        ItemId = id,
        PrincipalId = "u-1",
        PrincipalName = "zoë@contoso.com",
        ResourceId = "g-1",
        ResourceDisplayName = "Finance – Łódź",
        ResourceKind = AccessReviewResourceKind.Group,
        AccessKind = AccessReviewAccessKind.GroupMembership,
        Assignment = AssignmentType.Inherited,
        InheritedFromGroupId = "g-0",
        Recommendation = AccessReviewRecommendation.Deny,
        Reasons = [AccessReviewReason.NoRecentSignIn, AccessReviewReason.GuestWithoutSponsor],
        ReviewerIds = ["r-1", "r-ü"],
        Privileged = true,
        RemovalStepKind = OffboardingStepKind.ManualTask,
        Removal = RemovalPath.ViaGroup,
        RemovalNote = "not part of the line",
        Justification = "nor is a decision",
    };

    [Fact]
    public void An_item_line_holds_its_ids_and_codes_in_a_fixed_order_and_nothing_of_its_decision()
    {
        var line = new StringBuilder();
        Item(7).AppendCanonical(line);
        (Item(8) with { InheritedFromGroupId = null, Assignment = AssignmentType.Direct, AssignmentId = "a-9", Reasons = [], ReviewerIds = [], Privileged = false })
            .AppendCanonical(line);

        Assert.Equal("7|u-1|g-1|GroupMembership|Inherited|g-0||ManualTask|Deny|NoRecentSignIn,GuestWithoutSponsor|r-1,r-ü|1\n"
            + "8|u-1|g-1|GroupMembership|Direct||a-9|ManualTask|Deny|||0\n", line.ToString());
    }

    [Fact]
    public void The_digest_is_SHA256_of_the_UTF8_lines_in_item_order_however_many_items_there_are()
    {
        // Enough items that the hashing batches its lines more than once.
        AccessReviewItem[] items = Enumerable.Range(1, 5_000).Select(i => Item(i)).ToArray();
        string lines = string.Concat(items.Select(i => $"{i.ItemId}|u-1|g-1|GroupMembership|Inherited|g-0||ManualTask|Deny|NoRecentSignIn,GuestWithoutSponsor|r-1,r-ü|1\n"));

        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(lines))).ToLowerInvariant(), AccessReviewRegister.Digest(items));
        Assert.NotEqual(AccessReviewRegister.Digest(items), AccessReviewRegister.Digest(items.Reverse()));
    }

    [Fact]
    public void Characters_outside_the_basic_plane_hash_as_themselves_wherever_the_hashing_batches_split_the_text()
    {
        // Long lines of four-byte characters after lines of every length: somewhere a batch's internal buffer ends
        // between the two halves of a surrogate pair, which must still hash as one character.
        for (int pad = 5_990; pad < 6_400; pad += 3)
        {
            AccessReviewItem[] items =
            [
                Item(1) with { PrincipalId = new string('a', pad) },
                Item(2) with { ReviewerIds = [string.Concat(Enumerable.Repeat("\U0001F600", 800))] },
            ];
            var lines = new StringBuilder();
            Array.ForEach(items, i => i.AppendCanonical(lines));

            Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(lines.ToString()))).ToLowerInvariant(), AccessReviewRegister.Digest(items));
        }
    }
}
