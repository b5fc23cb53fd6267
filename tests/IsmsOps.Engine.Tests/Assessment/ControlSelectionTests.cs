using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Tests.Roles;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>-Control: files and folders load those files; ids (with wildcards) and tag:name select from the policy folder.</summary>
public sealed class ControlSelectionTests
{
    private static readonly string Policies = Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies");
    private static readonly string Controls = Path.Combine(Policies, "controls");

    private static string[] Ids(params string[] selectors) => ControlSelection.Resolve(selectors, Controls, Policies).Controls.Select(c => c.Id).Order().ToArray();

    [Fact]
    public void Ids_with_wildcards_tags_and_paths_select_controls_and_nothing_selects_all()
    {
        // Expectations come from the shipped files themselves, so the test holds as the baseline grows.
        var all = ControlSelection.Resolve([], Controls, Policies).Controls;
        string[] Where(Func<ControlDefinition, bool> keep) => all.Where(keep).Select(c => c.Id).Order().ToArray();

        Assert.Contains("ISMS-ACC-001", Ids("ISMS-ACC-*"));
        Assert.Equal(Where(c => c.Id.StartsWith("ISMS-ACC-", StringComparison.Ordinal)), Ids("ISMS-ACC-*"));
        Assert.Contains("ISMS-PRV-001", Ids("tag:privileged"));
        Assert.Equal(Where(c => c.Tags.Contains("privileged", StringComparer.OrdinalIgnoreCase)), Ids("tag:privileged"));
        Assert.Equal(Where(c => c.Id == "ISMS-AUD-001" || c.SourcePath.StartsWith("controls/privileged/", StringComparison.Ordinal)),
            Ids(Path.Combine(Controls, "privileged"), "ISMS-AUD-001"));
        Assert.Equal(ControlReader.Load([Controls]).Controls.Select(c => c.Id).Order(), Ids());
        Assert.Equal("controls/access/exit-review.yaml", ControlSelection.Resolve(["ISMS-ACC-001"], Controls, Policies).Controls.Single().SourcePath);
    }

    [Fact]
    public void A_selector_that_matches_nothing_is_an_error_saying_how_controls_are_named()
    {
        IsmsException error = Assert.Throws<IsmsException>(() => Ids("ISMS-NOPE-*"));

        Assert.Equal("IsmsOps.Assessment.NoSuchControl", error.ErrorId);
        Assert.Contains("tag:<name>", error.Message, StringComparison.Ordinal);
    }
}
