using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Resources;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>Waivers: in force they turn Fail into Waived and keep the original; expired they are never honoured, on any path.</summary>
public sealed class WaiverTests : IDisposable
{
    private static readonly DateTimeOffset Now = ConditionCompilerTests.Now;
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-waivers-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly ResourceSet Accounts = new(new Dictionary<string, IReadOnlyList<PolicyResource>>
    {
        ["account"] =
        [
            new AccountResource { Id = "u1", Name = "svc-scan@contoso.com", UserPrincipalName = "svc-scan@contoso.com", AccountEnabled = false },
            new AccountResource { Id = "u2", Name = "old@contoso.com", UserPrincipalName = "old@contoso.com", AccountEnabled = false },
            new AccountResource { Id = "u3", Name = "ok@contoso.com", UserPrincipalName = "ok@contoso.com", AccountEnabled = true },
        ],
    }, new Dictionary<string, AssessmentSkipReason>());

    private ControlResult Evaluate(string waiverYaml, out AssessmentOutput output)
    {
        File.WriteAllText(Path.Combine(_folder, "control.yaml"), ControlFileTests.GoodControl);
        string waivers = Path.Combine(_folder, "waivers");
        Directory.CreateDirectory(waivers);
        File.WriteAllText(Path.Combine(waivers, "w.yaml"), waiverYaml);
        WaiverSet set = WaiverReader.Load(waivers);
        Assert.Empty(set.Errors);
        output = AssessmentEvaluator.Evaluate(ControlReader.Load([Path.Combine(_folder, "control.yaml")]), Accounts, set, new Dictionary<string, object?>(),
            new AssessmentRunInfo { RunId = "r", EvaluatedAt = Now, Source = "test" });
        return Assert.Single(output.Results);
    }

    private static string Waiver(string target, string expiresOn) => $"""
        waivers:
          - id: WVR-1
            control: TEST-ACC-001
        {target}
            category: CompensatingControl
            justification: Disabled on purpose, reviewed monthly.
            approver: ciso@contoso.com
            createdOn: 2026-01-01
            expiresOn: {expiresOn}
        """;

    public static TheoryData<string> EveryPath() => new()
    {
        "    resources: [u1, old@contoso.com]",
        "    selector: { field: userPrincipalName, in: [svc-scan@contoso.com, old@contoso.com] }",
        "",
    };

    [Theory]
    [MemberData(nameof(EveryPath))]
    public void A_waiver_in_force_turns_fail_into_waived_and_keeps_the_original_outcome(string target)
    {
        ControlResult result = Evaluate(Waiver(target, "2027-01-01"), out _);

        Assert.Equal(AssessmentOutcome.Waived, result.Outcome);
        Assert.All(result.Findings.Where(f => f.ResourceId != "u3"), f =>
        {
            Assert.Equal(AssessmentOutcome.Waived, f.Outcome);
            Assert.Equal(AssessmentOutcome.Fail, f.OriginalOutcome);
            Assert.Equal("WVR-1", f.WaiverId);
        });
        Assert.Equal(AssessmentOutcome.Pass, result.Findings.Single(f => f.ResourceId == "u3").Outcome);
        Assert.Equal("ciso@contoso.com", Assert.Single(result.Waivers).Approver);
        Assert.Empty(result.ExpiredWaivers);
    }

    [Theory]
    [MemberData(nameof(EveryPath))]
    public void An_expired_waiver_is_never_honoured_and_is_reported_as_expired(string target)
    {
        ControlResult result = Evaluate(Waiver(target, "2026-11-24T12:00:00Z"), out AssessmentOutput output);

        Assert.Equal(AssessmentOutcome.Fail, result.Outcome);
        Assert.Equal(2, result.FailCount);
        Assert.All(result.Findings.Where(f => f.Outcome == AssessmentOutcome.Fail), f =>
        {
            Assert.Null(f.OriginalOutcome);
            Assert.Null(f.WaiverId);
            Assert.Contains("Waiver 'WVR-1' expired on 2026-11-24 and was not honoured.", f.Message, StringComparison.Ordinal);
        });
        Assert.Empty(result.Waivers);
        Assert.Equal("WVR-1", Assert.Single(result.ExpiredWaivers).Id);
        Assert.Contains(output.Warnings, w => w.Contains("WVR-1", StringComparison.Ordinal) && w.Contains("expired", StringComparison.Ordinal));
    }

    [Fact]
    public void The_matcher_honours_a_waiver_only_before_its_expiry()
    {
        var waiver = new WaiverDefinition
        {
            Id = "W", ControlId = "C", Justification = "j", Approver = "a", CreatedOn = Now.AddDays(-10), ExpiresOn = Now,
            Node = YamlTree.Parse("x: 1", "w.yaml"),
        };
        var compiled = new CompiledWaiver(waiver, _ => true);
        var resource = new AccountResource { Id = "u" };

        Assert.Null(WaiverMatcher.Match([compiled], resource, Now).Honoured);
        Assert.Single(WaiverMatcher.Match([compiled], resource, Now).Expired);
        Assert.Same(compiled, WaiverMatcher.Match([compiled], resource, Now.AddTicks(-1)).Honoured);
    }

    [Fact]
    public void A_waiver_without_expiresOn_is_an_error_and_is_not_used()
    {
        string waivers = Path.Combine(_folder, "w2");
        Directory.CreateDirectory(waivers);
        File.WriteAllText(Path.Combine(waivers, "w.yaml"), "waivers:\n  - id: W\n    control: TEST-ACC-001\n    category: AcceptedRisk\n    justification: j\n    approver: a\n    createdOn: 2026-01-01\n");

        WaiverSet set = WaiverReader.Load(waivers);

        Assert.Empty(set.Waivers);
        var error = Assert.Single(set.Errors);
        Assert.Equal(2L, error.Line);
        Assert.Contains("has no 'expiresOn'", error.Message, StringComparison.Ordinal);
    }
}
