using IsmsOps.Sandbox.Directory;
using IsmsOps.Sandbox.Http;
using IsmsOps.Sandbox.Http.Query;

namespace IsmsOps.Sandbox.Tests;

public sealed class ODataFilterTests
{
    private static readonly DirectoryUser OBrien = User("O'Brien", "Siobhán O'Brien", enabled: true);
    private static readonly DirectoryUser Zoe = User("Ødegaard", "Zoë Ødegaard", enabled: false);

    [Fact]
    public void A_doubled_quote_inside_a_string_is_one_apostrophe()
    {
        var filter = ODataFilter.Parse("surname eq 'O''Brien'");

        Assert.Equal(new ODataFilter.Equal("surname", "O'Brien"), filter);
    }

    [Fact]
    public void Equality_on_a_string_ignores_case_as_the_directory_does()
    {
        var matches = ODataFilter.Parse("displayName eq 'siobhán o''brien'").Bind(GraphShapes.User);

        Assert.True(matches(OBrien));
        Assert.False(matches(Zoe));
    }

    [Fact]
    public void Startswith_keeps_non_ascii_letters_intact()
    {
        var matches = ODataFilter.Parse("startswith(displayName,'Zoë Ø')").Bind(GraphShapes.User);

        Assert.True(matches(Zoe));
        Assert.False(matches(OBrien));
        Assert.False(ODataFilter.Parse("startswith(displayName,'Zoe')").Bind(GraphShapes.User)(Zoe));
    }

    [Fact]
    public void In_matches_any_listed_value()
    {
        var filter = ODataFilter.Parse($"id in ('{Guid.Empty}', '{Zoe.Id}')");
        var matches = filter.Bind(GraphShapes.User);

        Assert.Equal(new[] { Guid.Empty.ToString(), Zoe.Id }, ((ODataFilter.In)filter).Values);
        Assert.True(matches(Zoe));
        Assert.False(matches(OBrien));
    }

    [Fact]
    public void And_needs_both_sides_and_parentheses_group()
    {
        var both = ODataFilter.Parse("(accountEnabled eq true) and startswith(displayName,'Siobhán')").Bind(GraphShapes.User);
        var disabled = ODataFilter.Parse("accountEnabled eq false and userType eq 'Member'").Bind(GraphShapes.User);

        Assert.True(both(OBrien));
        Assert.False(both(Zoe));
        Assert.True(disabled(Zoe));
        Assert.False(disabled(OBrien));
    }

    [Fact]
    public void Null_matches_a_missing_value()
    {
        var noMail = ODataFilter.Parse("mail eq null").Bind(GraphShapes.User);

        Assert.True(noMail(OBrien));
    }

    [Theory]
    [InlineData("displayName eq 'unterminated", "BadRequest", "unterminated")]
    [InlineData("displayName eq", "BadRequest", "expected a quoted string")]
    [InlineData("displayName 'x'", "BadRequest", "expected eq or in")]
    [InlineData("displayName eq 'a' displayName", "BadRequest", "unexpected 'displayName'")]
    [InlineData("displayName eq 'a' or displayName eq 'b'", "Request_UnsupportedQuery", "'or'")]
    [InlineData("displayName ne 'a'", "Request_UnsupportedQuery", "'ne'")]
    [InlineData("endswith(mail,'@x.com')", "Request_UnsupportedQuery", "'endswith()'")]
    [InlineData("not accountEnabled eq true", "Request_UnsupportedQuery", "'not'")]
    [InlineData("displayName eq 5 ", "BadRequest", "expected a quoted string")]
    [InlineData("displayName eq 'a' ;", "BadRequest", "unexpected ';'")]
    public void Syntax_the_sandbox_cannot_take_is_refused_by_name(string text, string code, string named)
    {
        var error = Assert.Throws<FilterException>(() => ODataFilter.Parse(text));

        Assert.Equal(code, error.Code);
        Assert.Contains(named, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_or_unfilterable_property_is_refused_naming_it_and_the_resource()
    {
        var unknown = Assert.Throws<FilterException>(() => ODataFilter.Parse("favouriteColour eq 'red'").Bind(GraphShapes.User));
        var complex = Assert.Throws<FilterException>(() => ODataFilter.Parse("signInActivity eq 'x'").Bind(GraphShapes.User));

        Assert.Equal("Request_UnsupportedQuery", unknown.Code);
        Assert.Contains("'favouriteColour'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("'User'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("'signInActivity'", complex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("accountEnabled eq 'yes'")]
    [InlineData("displayName eq true")]
    public void Comparing_a_property_with_a_value_of_another_type_is_a_bad_request(string text)
    {
        var error = Assert.Throws<FilterException>(() => ODataFilter.Parse(text).Bind(GraphShapes.User));

        Assert.Equal("BadRequest", error.Code);
    }

    private static DirectoryUser User(string surname, string displayName, bool enabled) =>
        new(Guid.NewGuid().ToString(), $"{surname.ToLowerInvariant().Replace("'", "", StringComparison.Ordinal)}@example.test")
        {
            DisplayName = displayName,
            Surname = surname,
            UserType = "Member",
            AccountEnabled = enabled,
        };
}
