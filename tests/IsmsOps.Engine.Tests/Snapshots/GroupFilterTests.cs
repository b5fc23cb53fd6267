using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Tests.Snapshots;

public sealed class GroupFilterTests
{
    private static readonly SnapshotGroup[] Groups =
    [
        new() { Id = "11111111-0000-0000-0000-000000000001", DisplayName = "Finance Approvers", SecurityEnabled = true, Description = "Approves invoices" },
        new() { Id = "11111111-0000-0000-0000-000000000002", DisplayName = "Finance Team", GroupTypes = ["Unified"], MailEnabled = true, Mail = "finance@contoso.com" },
        new() { Id = "11111111-0000-0000-0000-000000000003", DisplayName = "Dynamic - Sales", SecurityEnabled = true, GroupTypes = ["DynamicMembership"], MembershipRule = "(user.department -eq \"Sales\")" },
        new() { Id = "11111111-0000-0000-0000-000000000004", DisplayName = "Tier 0 Admins", SecurityEnabled = true, IsAssignableToRole = true },
        new() { Id = "11111111-0000-0000-0000-000000000005", DisplayName = "Dept - HR", SecurityEnabled = true, OnPremisesSyncEnabled = true },
        new() { Id = "11111111-0000-0000-0000-000000000006", DisplayName = "O'Brien's Team", GroupTypes = ["Unified"], MailEnabled = true },
    ];

    private static string[] Matching(string filter)
    {
        GroupFilter parsed = GroupFilter.Parse(filter);
        return Groups.Where(parsed.Matches).Select(g => g.DisplayName!).ToArray();
    }

    [Theory]
    [InlineData("(", ")")]
    [InlineData("not ", "")]
    [InlineData("not (", ")")]
    public void A_filter_nested_deeper_than_the_cap_is_a_syntax_error_not_a_stack_overflow(string open, string close)
    {
        string Nested(int depth) => string.Concat(Enumerable.Repeat(open, depth)) + "securityEnabled eq true" + string.Concat(Enumerable.Repeat(close, depth));
        int perLevel = open == "not (" ? 2 : 1;

        Assert.NotNull(GroupFilter.Parse(Nested(GroupFilter.MaxDepth / perLevel)));
        IsmsException error = Assert.Throws<IsmsException>(() => GroupFilter.Parse(Nested(100_000)));

        Assert.Equal("IsmsOps.GroupFilter.Syntax", error.ErrorId);
        Assert.Contains("nested", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_whose_snapshot_holds_null_groupTypes_is_treated_as_having_none()
    {
        var group = new SnapshotGroup { Id = "g-old", DisplayName = "Old", GroupTypes = null! };

        Assert.False(GroupFilter.Parse("groupTypes/any(t:t eq 'Unified')").Matches(group));
        Assert.True(GroupFilter.Parse("not groupTypes/any(t:t eq 'Unified')").Matches(group));
        Assert.False(group.IsMicrosoft365);
    }

    [Theory]
    [InlineData("displayName eq 'Finance Team'", new[] { "Finance Team" })]
    [InlineData("displayName eq 'FINANCE TEAM'", new[] { "Finance Team" })]
    [InlineData("startswith(displayName,'Finance')", new[] { "Finance Approvers", "Finance Team" })]
    [InlineData("endswith(displayName, 'team')", new[] { "Finance Team", "O'Brien's Team" })]
    [InlineData("startswith(displayName,'Finance') and securityEnabled eq true", new[] { "Finance Approvers" })]
    [InlineData("isAssignableToRole eq true or onPremisesSyncEnabled eq true", new[] { "Tier 0 Admins", "Dept - HR" })]
    [InlineData("groupTypes/any(t:t eq 'Unified')", new[] { "Finance Team", "O'Brien's Team" })]
    [InlineData("not groupTypes/any(t:t eq 'Unified') and not (isAssignableToRole eq true)", new[] { "Finance Approvers", "Dynamic - Sales", "Dept - HR" })]
    [InlineData("groupTypes/any(x: x eq 'DynamicMembership' or x eq 'Unified') and mailEnabled ne true", new[] { "Dynamic - Sales" })]
    [InlineData("displayName eq 'O''Brien''s Team'", new[] { "O'Brien's Team" })]
    [InlineData("mail eq null and description ne null", new[] { "Finance Approvers" })]
    [InlineData("mail ne 'finance@contoso.com' and mailEnabled eq true", new[] { "O'Brien's Team" })]
    [InlineData("startswith(membershipRule,'(user.department')", new[] { "Dynamic - Sales" })]
    [InlineData("id eq '11111111-0000-0000-0000-000000000004'", new[] { "Tier 0 Admins" })]
    [InlineData("(startswith(displayName,'Dept') or startswith(displayName,'Tier')) and securityEnabled eq true", new[] { "Tier 0 Admins", "Dept - HR" })]
    [InlineData("DisplayName EQ 'Finance Team' AND MailEnabled eq TRUE", new[] { "Finance Team" })]
    public void A_filter_selects_exactly_the_groups_graph_would(string filter, string[] expected) =>
        Assert.Equal(expected, Matching(filter));

    [Fact]
    public void And_binds_tighter_than_or_as_in_OData() =>
        Assert.Equal(["Finance Approvers", "Tier 0 Admins"], Matching("displayName eq 'Finance Approvers' or securityEnabled eq true and isAssignableToRole eq true"));

    [Theory]
    [InlineData("displayName eq", 15, "expected a property name, a quoted string, true, false or null; found the end of the filter")]
    [InlineData("displayName = 'x'", 13, "expected a property name, a quoted string, '(', ')', or an operator")]
    [InlineData("displayName gt 'x'", 13, "expected 'eq' or 'ne' after displayName ('gt' is not supported); found 'gt'")]
    [InlineData("displayName eq 'Finance", 16, "the string that starts there has no closing quote")]
    [InlineData("displayName eq \"Finance\"", 16, "strings are quoted with ', not \"")]
    [InlineData("(displayName eq 'x'", 20, "expected ')' or 'and', 'or'; found the end of the filter")]
    [InlineData("displayName eq 'x')", 19, "expected 'and', 'or' or the end of the filter; found ')'")]
    [InlineData("displayName eq 'x' and", 23, "expected a comparison such as displayName eq 'Finance'")]
    [InlineData("securityEnabled eq 'yes'", 20, "securityEnabled is true or false, but it is compared with the string 'yes'")]
    [InlineData("displayName eq true", 16, "displayName is text, but it is compared with true")]
    [InlineData("startswith(securityEnabled,'x')", 12, "startswith's first argument is securityEnabled")]
    [InlineData("startswith(displayName,true)", 24, "expected a quoted string such as 'Fin'; found 'true'")]
    [InlineData("groupTypes eq 'Unified'", 1, "groupTypes is a collection; test it with groupTypes/any(t:t eq 'Unified')")]
    [InlineData("groupTypes/all(t:t eq 'Unified')", 12, "expected 'any' after 'groupTypes/' ('all' is not supported)")]
    [InlineData("groupTypes/any(t t eq 'Unified')", 18, "expected ':' after the range variable")]
    [InlineData("displayName/any(t:t eq 'x')", 1, "displayName is not a collection")]
    public void A_syntax_error_names_the_column_and_what_was_expected(string filter, int column, string expected)
    {
        IsmsException error = Assert.Throws<IsmsException>(() => GroupFilter.Parse(filter));

        Assert.Equal("IsmsOps.GroupFilter.Syntax", error.ErrorId);
        Assert.Contains($"at column {column}:", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(filter, error.Message, StringComparison.Ordinal);
        Assert.Contains("''", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_property_lists_the_properties_a_filter_can_test()
    {
        IsmsException error = Assert.Throws<IsmsException>(() => GroupFilter.Parse("securityEnabled eq true and visibility eq 'Private'"));

        Assert.Equal("IsmsOps.GroupFilter.UnknownProperty", error.ErrorId);
        Assert.Contains("'visibility' at column 29", error.Message, StringComparison.Ordinal);
        foreach (string property in new[] { "displayName", "description", "mail", "mailEnabled", "securityEnabled", "isAssignableToRole", "onPremisesSyncEnabled", "membershipRule", "groupTypes" })
        {
            Assert.Contains(property, error.RecommendedAction, StringComparison.Ordinal);
        }

        Assert.Equal(GroupFilter.KnownProperties.Order(), new[] { "description", "displayName", "groupTypes", "id", "isAssignableToRole", "mail", "mailEnabled", "membershipRule", "onPremisesSyncEnabled", "securityEnabled" });
    }
}
