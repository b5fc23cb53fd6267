using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Tests.Roles;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>Runs every fixture in policies/tests against the shipped controls, and checks every control has a passing and a failing fixture.</summary>
public sealed class ControlFixtureTests
{
    private static readonly string Root = RoleCatalogFileTests.RepoRoot();
    private static readonly Lazy<ControlSet> Shipped = new(() => ControlReader.Load([Path.Combine(Root, "policies", "controls")], Path.Combine(Root, "policies")));

    public static TheoryData<string> FixtureFiles() =>
        new(Directory.GetFiles(Path.Combine(Root, "policies", "tests"), "*.yaml").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(FixtureFiles))]
    public void Every_expectation_of_the_fixture_file_holds(string file)
    {
        IReadOnlyList<ControlTestResult> results = ControlFixtures.Run(Path.Combine(Root, "policies", "tests", file), Shipped.Value);

        Assert.NotEmpty(results);
        Assert.Empty(results.Where(r => !r.Passed).Select(r => $"{r.Location}: {r.Target} {r.ResourceId} expected {r.Expected}, got {r.Actual} ({r.Message})"));
    }

    [Fact]
    public void The_shipped_controls_all_read_and_compile()
    {
        Assert.Empty(Shipped.Value.Errors.Select(e => e.Error.ToString()));
        Assert.All(ControlFixtures.Check(Shipped.Value, DateTimeOffset.UtcNow), r => Assert.True(r.Passed, $"{r.Location}: {r.Message}"));
    }

    [Fact]
    public void Every_shipped_control_has_a_pass_and_a_fail_expectation()
    {
        var expectations = Directory.GetFiles(Path.Combine(Root, "policies", "tests"), "*.yaml").SelectMany(ControlFixtures.Expectations).ToArray();

        var missing = Shipped.Value.Controls
            .Where(c => !expectations.Any(e => e.ControlId == c.Id && e.Outcome == "Pass") || !expectations.Any(e => e.ControlId == c.Id && e.Outcome == "Fail"))
            .Select(c => c.Id).ToArray();

        Assert.Empty(missing);
    }
}
