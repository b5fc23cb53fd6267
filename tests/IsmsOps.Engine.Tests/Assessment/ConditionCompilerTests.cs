using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>The condition vocabulary, operator by operator, compiled once and run against typed resources.</summary>
public sealed class ConditionCompilerTests
{
    internal static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    internal static CompiledCondition Compile(string yaml, string type = "account", IReadOnlyDictionary<string, object?>? parameters = null,
        IReadOnlyDictionary<string, string>? named = null, DateTimeOffset? now = null)
    {
        var namedNodes = (named ?? new Dictionary<string, string>()).ToDictionary(n => n.Key, n => YamlTree.Parse(n.Value, "named.yaml"));
        return new ConditionCompiler(parameters ?? new Dictionary<string, object?>(), namedNodes, now ?? Now)
            .Compile(YamlTree.Parse(yaml, "condition.yaml"), PolicyResourceCatalog.Find(type)!);
    }

    internal static PolicyError CompileError(string yaml, string type = "account", IReadOnlyDictionary<string, string>? named = null)
    {
        IsmsException error = Assert.Throws<IsmsException>(() => Compile(yaml, type, named: named));
        return PolicyError.From(error) ?? throw new InvalidOperationException("not a policy error: " + error.Message);
    }

    private static AccountResource Account(string upn = "ada@contoso.com", bool enabled = true, DateTimeOffset? lastSignIn = null, PersonResource? person = null,
        string[]? methods = null) =>
        new() { Id = upn, Name = upn, UserPrincipalName = upn, AccountEnabled = enabled, LastSignIn = lastSignIn, Person = person, AuthenticationMethods = methods ?? [] };

    [Theory]
    [InlineData("{ field: userPrincipalName, equals: ADA@contoso.com }", true)]
    [InlineData("{ field: userPrincipalName, notEquals: ada@contoso.com }", false)]
    [InlineData("{ field: userPrincipalName, in: [bob@contoso.com, ada@CONTOSO.com] }", true)]
    [InlineData("{ field: userPrincipalName, notIn: [bob@contoso.com] }", true)]
    [InlineData("{ field: userPrincipalName, contains: '@CONTOSO' }", true)]
    [InlineData("{ field: userPrincipalName, notContains: fabrikam }", true)]
    [InlineData("{ field: userPrincipalName, like: 'ada@*.com' }", true)]
    [InlineData("{ field: userPrincipalName, like: 'a?a@*' }", true)]
    [InlineData("{ field: userPrincipalName, like: 'ada' }", false)]
    [InlineData("{ field: userPrincipalName, notLike: 'svc-*' }", true)]
    [InlineData("{ field: userPrincipalName, match: '^[a-z]+@contoso\\.com$' }", true)]
    [InlineData("{ field: userPrincipalName, notMatch: '^svc-' }", true)]
    [InlineData("{ field: userPrincipalName, exists: true }", true)]
    [InlineData("{ field: mail, exists: false }", true)]
    [InlineData("{ field: mail, equals: x }", false)]
    [InlineData("{ field: mail, notEquals: x }", true)]
    [InlineData("{ field: accountEnabled, equals: true }", true)]
    [InlineData("{ field: accountEnabled, notEquals: true }", false)]
    [InlineData("{ field: authenticationMethods, contains: FIDO2 }", true)]
    [InlineData("{ field: authenticationMethods, notContains: mobilePhone }", true)]
    [InlineData("{ field: authenticationMethods, exists: true }", true)]
    public void String_boolean_and_list_operators_compare_case_insensitively_and_treat_missing_values_as_not_matching(string condition, bool expected)
    {
        CompiledCondition compiled = Compile(condition);

        Assert.Equal(expected, compiled.Test(Account(methods: ["fido2", "microsoftAuthenticatorPush"])));
    }

    [Theory]
    [InlineData("{ field: globalAdministratorCount, equals: 3 }", true)]
    [InlineData("{ field: globalAdministratorCount, greater: 3 }", false)]
    [InlineData("{ field: globalAdministratorCount, greaterOrEquals: 3 }", true)]
    [InlineData("{ field: globalAdministratorCount, less: 4 }", true)]
    [InlineData("{ field: globalAdministratorCount, lessOrEquals: 2 }", false)]
    [InlineData("{ field: globalAdministratorCount, in: [1, 3, 5] }", true)]
    [InlineData("{ field: globalAdministratorCount, notIn: [3] }", false)]
    public void Number_operators_compare_numbers(string condition, bool expected)
    {
        Assert.Equal(expected, Compile(condition, "tenant").Test(new TenantResource { Id = "tenant", GlobalAdministratorCount = 3 }));
    }

    [Theory]
    [InlineData("2026-08-25T12:00:00Z", "olderThan", "P90D", true)]
    [InlineData("2026-08-26T12:00:00Z", "olderThan", "P90D", false)]
    [InlineData("2026-08-26T12:00:00Z", "newerThan", "P90D", true)]
    [InlineData("2026-10-24T12:00:00Z", "newerThan", "P1M", true)]
    [InlineData("2026-10-24T11:59:59Z", "newerThan", "P1M", false)]
    [InlineData("2026-12-10T00:00:00Z", "withinDays", "P30D", true)]
    [InlineData("2026-11-01T00:00:00Z", "withinDays", "P30D", true)]
    [InlineData("2027-01-10T00:00:00Z", "withinDays", "P30D", false)]
    [InlineData("2026-12-10T00:00:00Z", "dueWithin", "P30D", true)]
    [InlineData("2026-01-01T00:00:00Z", "dueWithin", "P30D", true)]
    [InlineData("2027-01-10T00:00:00Z", "dueWithin", "P30D", false)]
    [InlineData("2026-11-24T11:00:00Z", "olderThan", "PT0S", true)]
    public void Date_operators_are_relative_to_the_evaluation_time_not_the_clock(string date, string op, string duration, bool expected)
    {
        CompiledCondition compiled = Compile($"{{ field: lastSignIn, {op}: {duration} }}");

        Assert.Equal(expected, compiled.Test(Account(lastSignIn: DateTimeOffset.Parse(date, System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Fact]
    public void A_date_operator_on_a_missing_date_never_holds_and_exists_false_finds_it()
    {
        AccountResource never = Account(lastSignIn: null);

        Assert.False(Compile("{ field: lastSignIn, olderThan: P90D }").Test(never));
        Assert.False(Compile("{ field: lastSignIn, newerThan: P90D }").Test(never));
        Assert.True(Compile("{ field: lastSignIn, exists: false }").Test(never));
    }

    [Fact]
    public void Dates_compare_with_an_iso_date_literal()
    {
        AccountResource account = Account(lastSignIn: new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.True(Compile("{ field: lastSignIn, less: 2026-03-02 }").Test(account));
        Assert.False(Compile("{ field: lastSignIn, greater: '2026-03-01T00:00:00Z' }").Test(account));
    }

    [Fact]
    public void AllOf_anyOf_and_not_combine_and_the_explanation_names_the_deciding_fields()
    {
        CompiledCondition compiled = Compile("""
            allOf:
              - { field: accountEnabled, equals: true }
              - not: { field: userPrincipalName, like: 'svc-*' }
              - anyOf:
                  - { field: mail, exists: true }
                  - { field: lastSignIn, newerThan: P30D }
            """);
        AccountResource stale = Account(lastSignIn: Now.AddDays(-40));

        Assert.False(compiled.Test(stale));
        Assert.True(compiled.Test(Account(lastSignIn: Now.AddDays(-3))));
        string why = compiled.Explain(stale);
        Assert.Contains("lastSignIn = 2026-10-15T12:00:00Z", why, StringComparison.Ordinal);
        Assert.Contains("newerThan P30D: no", why, StringComparison.Ordinal);
        Assert.DoesNotContain("accountEnabled", why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_follows_references_and_a_missing_step_is_a_missing_value()
    {
        var active = new PersonResource { Id = "E1", Status = "Active" };
        CompiledCondition status = Compile("{ field: person.status, equals: Active }");
        CompiledCondition notLeft = Compile("{ field: person.status, notEquals: Left }");

        Assert.True(status.Test(Account(person: active)));
        Assert.False(status.Test(Account(person: null)));
        Assert.True(notLeft.Test(Account(person: null)));
        Assert.Contains("person.status = (none)", status.Explain(Account(person: null)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_role_assignment_reaches_its_principals_person_through_two_references()
    {
        var leaver = new PersonResource { Id = "E2", Status = "Left" };
        var assignment = new RoleAssignmentResource { Id = "ra1", Principal = Account(person: leaver), Privileged = true };

        Assert.True(Compile("{ field: principal.person.status, equals: Left }", "roleAssignment").Test(assignment));
        Assert.False(Compile("{ field: principal.person.status, equals: Left }", "roleAssignment").Test(new RoleAssignmentResource { Id = "ra2" }));
    }

    [Fact]
    public void Count_with_where_counts_the_items_of_a_navigation_that_meet_the_condition()
    {
        var person = new PersonResource { Id = "E1" };
        person.Accounts = [Account("a@x", enabled: true), Account("b@x", enabled: true), Account("c@x", enabled: false)];
        var group = new GroupResource { Id = "g1", Owners = [], Members = [Account("a@x", person: new PersonResource { Id = "P", Status = "Left" })] };

        Assert.True(Compile("{ count: { field: accounts, where: { field: accountEnabled, equals: true } }, equals: 2 }", "person").Test(person));
        Assert.True(Compile("{ count: { field: accounts }, greater: 2 }", "person").Test(person));
        Assert.False(Compile("{ count: { field: accounts, where: { field: accountEnabled, equals: true } }, greater: 2 }", "person").Test(person));
        Assert.True(Compile("{ count: { field: owners }, less: 1 }", "group").Test(group));
        Assert.True(Compile("{ count: { field: members, where: { field: person.status, equals: Left } }, greaterOrEquals: 1 }", "group").Test(group));
        Assert.Contains("count of accounts where … = 2", Compile("{ count: { field: accounts, where: { field: accountEnabled, equals: true } }, equals: 2 }", "person").Explain(person), StringComparison.Ordinal);
    }

    [Fact]
    public void Count_over_a_tenants_accounts_finds_break_glass_accounts_by_a_parameter_pattern()
    {
        var tenant = new TenantResource { Id = "tenant", Accounts = [Account("breakglass1@x"), Account("breakglass2@x"), Account("ada@x")] };
        var parameters = new Dictionary<string, object?> { ["pattern"] = "breakglass*" };

        CompiledCondition compiled = Compile("{ count: { field: accounts, where: { field: userPrincipalName, like: { parameter: pattern } } }, equals: 2 }", "tenant", parameters);

        Assert.True(compiled.Test(tenant));
    }

    [Fact]
    public void A_parameter_supplies_any_operators_value()
    {
        var parameters = new Dictionary<string, object?> { ["maxInactivity"] = "P30D", ["allowed"] = new List<string> { "Active" }, ["limit"] = 2L };

        CompiledCondition inactivity = Compile("{ field: lastSignIn, newerThan: { parameter: maxInactivity } }", parameters: parameters);
        Assert.False(inactivity.Test(Account(lastSignIn: Now.AddDays(-40))));
        Assert.Contains("newerThan P30D (maxInactivity): no", inactivity.Explain(Account(lastSignIn: Now.AddDays(-40))), StringComparison.Ordinal);
        Assert.True(Compile("{ field: status, in: { parameter: allowed } }", "person", parameters).Test(new PersonResource { Id = "E", Status = "active" }));
        Assert.True(Compile("{ field: globalAdministratorCount, lessOrEquals: { parameter: limit } }", "tenant", parameters).Test(new TenantResource { Id = "t", GlobalAdministratorCount = 2 }));
    }

    [Fact]
    public void Named_conditions_expand_where_they_are_used()
    {
        var named = new Dictionary<string, string> { ["enabled"] = "{ field: accountEnabled, equals: true }", ["enabledMember"] = "allOf: [ { condition: enabled }, { field: isGuest, equals: false } ]" };
        var namedNodes = named.ToDictionary(n => n.Key, n => YamlTree.Parse(n.Value, "named.yaml"));
        CompiledCondition compiled = new ConditionCompiler(new Dictionary<string, object?>(), namedNodes, Now).Compile(YamlTree.Parse("{ condition: enabledMember }", "c.yaml"), PolicyResourceCatalog.Find("account")!);

        Assert.True(compiled.Test(Account()));
        Assert.False(compiled.Test(Account(enabled: false)));
    }

    [Fact]
    public void A_cycle_of_named_conditions_is_a_compile_error_naming_the_chain()
    {
        var named = new Dictionary<string, string> { ["a"] = "{ condition: b }", ["b"] = "anyOf: [ { field: accountEnabled, equals: true }, { condition: a } ]" };

        PolicyError error = CompileError("{ condition: a }", named: named);

        Assert.Contains("a -> b -> a", error.Message, StringComparison.Ordinal);
        Assert.Equal("named.yaml", error.File);
    }

    [Fact]
    public void An_unknown_operator_is_an_error_at_its_position_listing_the_valid_operators()
    {
        PolicyError error = CompileError("allOf:\n  - field: accountEnabled\n    equal: true\n");

        Assert.Equal((3L, 5L), (error.Line, error.Column));
        Assert.Contains("'equal'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'equals'", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_field_is_an_error_listing_the_types_fields()
    {
        PolicyError error = CompileError("{ field: lastLogin, olderThan: P90D }");

        Assert.Equal((1L, 10L), (error.Line, error.Column));
        Assert.Contains("'lastLogin' is not a field of account", error.Message, StringComparison.Ordinal);
        Assert.Contains("'lastSignIn'", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ field: userPrincipalName, olderThan: P90D }", "'olderThan' does not apply to 'userPrincipalName', a string")]
    [InlineData("{ field: globalAdministratorCount, greater: many }", "'greater' compares numbers here")]
    [InlineData("{ field: lastSignIn, olderThan: 90 }", "needs an ISO 8601 duration")]
    [InlineData("{ field: accountEnabled, equals: maybe }", "needs true or false")]
    [InlineData("{ field: userPrincipalName, in: ada }", "'in' needs a list")]
    [InlineData("{ field: accounts.accountEnabled, equals: true }", "is a list of account")]
    [InlineData("{ field: lastSignIn, olderThan: { parameter: nope } }", "has no parameter 'nope'")]
    [InlineData("{ field: userPrincipalName, match: '(a)\\1' }", "is not a regular expression this engine runs")]
    [InlineData("{ field: userPrincipalName, match: '([a-z' }", "is not a regular expression this engine runs")]
    [InlineData("{ field: userPrincipalName, equals: a, notEquals: b }", "has 2 operators")]
    [InlineData("{ allOf: [], anyOf: [] }", "holds 'allOf', 'anyOf' together")]
    [InlineData("{ count: { field: displayName }, equals: 1 }", "'count' needs a list")]
    [InlineData("{ count: { field: accounts }, like: x }", "'like' does not apply to a count")]
    public void A_condition_with_the_wrong_type_or_shape_is_a_compile_error(string condition, string expected)
    {
        string type = condition.Contains("globalAdministratorCount", StringComparison.Ordinal) ? "tenant" : condition.Contains("accounts", StringComparison.Ordinal) ? "person" : "account";

        PolicyError error = CompileError(condition, type);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Equal("condition.yaml", error.File);
    }

    [Fact]
    public void A_catastrophic_regex_finishes_with_the_right_answer()
    {
        CompiledCondition compiled = Compile("{ field: userPrincipalName, match: '^(a+)+$' }");
        string hostile = new string('a', 50_000) + "!";

        Assert.False(compiled.Test(Account(hostile)));
        Assert.True(compiled.Test(Account(new string('a', 5_000))));
    }
}
