using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Resources;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>How the evaluator turns per-resource findings into a control outcome when some resources cannot be evaluated.</summary>
public sealed class AssessmentEvaluatorTests : IDisposable
{
    private static readonly DateTimeOffset Now = ConditionCompilerTests.Now;
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-evaluator-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    // A member list holding a null makes any condition over the members throw for that group alone.
    private static readonly IReadOnlyList<AccountResource> Unreadable = [null!];

    private ControlResult Evaluate(string condition, IReadOnlyList<PolicyResource> groups, string? waiverYaml = null)
    {
        string control = Path.Combine(_folder, "groups.yaml");
        File.WriteAllText(control, $$"""
            controls:
              - id: TEST-GRP-001
                title: Groups are fine
                objective: Groups are fine.
                severity: Low
                resource: group
                references: { iso27001:2022: [A.5.18] }
                condition: {{condition}}
                remediation: Fix the group.
            """);
        WaiverSet waivers = WaiverSet.Empty;
        if (waiverYaml is not null)
        {
            string folder = Path.Combine(_folder, "waivers");
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "w.yaml"), waiverYaml);
            waivers = WaiverReader.Load(folder);
            Assert.Empty(waivers.Errors);
        }

        var resources = new ResourceSet(new Dictionary<string, IReadOnlyList<PolicyResource>> { ["group"] = groups }, new Dictionary<string, AssessmentSkipReason>());
        AssessmentOutput output = AssessmentEvaluator.Evaluate(ControlReader.Load([control]), resources, waivers, new Dictionary<string, object?>(),
            new AssessmentRunInfo { RunId = "r", EvaluatedAt = Now, Source = "test" });
        return Assert.Single(output.Results);
    }

    private const string NoEnabledMembers = "{ count: { field: members, where: { field: accountEnabled, equals: true } }, equals: 0 }";

    private static string Waiver(string target) => $"""
        waivers:
          - id: WVR-G
            control: TEST-GRP-001
        {target}
            category: AcceptedRisk
            justification: Owner being recruited.
            approver: ciso@contoso.com
            createdOn: 2026-01-01
            expiresOn: 2027-01-01
        """;

    [Fact]
    public void A_control_with_a_resource_that_could_not_be_evaluated_is_Error_not_Pass()
    {
        ControlResult result = Evaluate(NoEnabledMembers,
        [
            new GroupResource { Id = "g-ok", Name = "Ok" },
            new GroupResource { Id = "g-broken", Name = "Broken", Members = Unreadable },
        ]);

        Assert.Equal(AssessmentOutcome.Pass, result.Findings.Single(f => f.ResourceId == "g-ok").Outcome);
        Assert.Equal(AssessmentOutcome.Error, result.Findings.Single(f => f.ResourceId == "g-broken").Outcome);
        Assert.Equal(AssessmentOutcome.Error, result.Outcome);
        Assert.Contains("1 of the 2 selected resource(s)", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_control_whose_failures_are_all_waived_but_with_a_resource_in_error_is_Error_not_Waived()
    {
        ControlResult result = Evaluate(NoEnabledMembers,
        [
            new GroupResource { Id = "g-waived", Name = "Waived", Members = [new AccountResource { Id = "u1", AccountEnabled = true }] },
            new GroupResource { Id = "g-broken", Name = "Broken", Members = Unreadable },
        ], Waiver("    resources: [g-waived]"));

        Assert.Equal(AssessmentOutcome.Waived, result.Findings.Single(f => f.ResourceId == "g-waived").Outcome);
        Assert.Equal(AssessmentOutcome.Error, result.Outcome);
    }

    [Fact]
    public void A_control_with_a_failure_and_a_resource_in_error_is_Fail()
    {
        ControlResult result = Evaluate(NoEnabledMembers,
        [
            new GroupResource { Id = "g-fail", Name = "Fail", Members = [new AccountResource { Id = "u1", AccountEnabled = true }] },
            new GroupResource { Id = "g-broken", Name = "Broken", Members = Unreadable },
        ]);

        Assert.Equal(AssessmentOutcome.Fail, result.Outcome);
    }

    [Fact]
    public void A_waiver_selector_that_throws_for_one_resource_makes_that_finding_Error_and_keeps_the_other_findings()
    {
        ControlResult result = Evaluate("{ field: ownerCount, greaterOrEquals: 1 }",
        [
            new GroupResource { Id = "g-ok", Name = "Ok", OwnerCount = 1 },
            new GroupResource { Id = "g-broken", Name = "Broken", Members = Unreadable },
            new GroupResource { Id = "g-fail", Name = "Fail" },
        ], Waiver("    selector: " + NoEnabledMembers.Replace("equals: 0 }", "equals: 5 }", StringComparison.Ordinal)));

        Assert.Equal(AssessmentOutcome.Pass, result.Findings.Single(f => f.ResourceId == "g-ok").Outcome);
        var broken = result.Findings.Single(f => f.ResourceId == "g-broken");
        Assert.Equal(AssessmentOutcome.Error, broken.Outcome);
        Assert.Null(broken.WaiverId);
        Assert.Equal(AssessmentOutcome.Fail, result.Findings.Single(f => f.ResourceId == "g-fail").Outcome);
        Assert.Equal(AssessmentOutcome.Fail, result.Outcome);
    }
}
