using System.Globalization;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Tests.Roles;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>
/// New-IsmsWaiver's engine: a waiver written is read back by the assessment's own reader and waives what it names
/// until it expires, never after; bad waivers are refused before any file exists; the creation is audited with ids only.
/// </summary>
public sealed class WaiverWriterTests : IDisposable
{
    private static readonly string Policies = Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies");
    private static readonly ControlSet Baseline = ControlReader.Load([Path.Combine(Policies, "controls")], Policies);
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-24T10:00:00Z", CultureInfo.InvariantCulture);

    private readonly TempWorkspace _temp = new();

    private string Folder => Path.Combine(_temp.Home, "policies", "waivers");

    public void Dispose() => _temp.Dispose();

    private static WaiverRequest Request(string? selector = null, params string[] resources) => new()
    {
        ControlId = "ISMS-ACC-003",
        Resources = resources,
        Selector = selector,
        Category = WaiverCategory.CompensatingControl,
        Justification = "Mailbox kept for a legal hold: \"case 42\" # not a comment\nsecond line",
        Approver = "ciso@contoso.com",
        ExpiresOn = Now.AddDays(30),
    };

    private async Task<WaiverFile> WriteAsync(WaiverRequest request) =>
        await WaiverWriter.WriteAsync(WaiverWriter.Prepare(request, Folder, Baseline, Now), _temp.Workspace.Audit, TempWorkspace.Context, CancellationToken.None);

    private static ResourceSet DisabledLicensedAccounts()
    {
        AccountResource held = new() { Id = "u-held", Name = "held@contoso.com", UserPrincipalName = "held@contoso.com", AccountEnabled = false, Licenses = ["ENTERPRISEPACK"] };
        AccountResource other = new() { Id = "u-other", Name = "other@contoso.com", UserPrincipalName = "other@contoso.com", AccountEnabled = false, Licenses = ["ENTERPRISEPACK"] };
        return new ResourceSet(new Dictionary<string, IReadOnlyList<PolicyResource>> { ["account"] = [held, other] }, new Dictionary<string, AssessmentSkipReason>());
    }

    private AssessmentOutput Assess(DateTimeOffset at)
    {
        ControlSet one = new() { Controls = Baseline.Controls.Where(c => c.Id == "ISMS-ACC-003").ToArray(), Errors = [], Files = [] };
        return AssessmentEvaluator.Evaluate(one, DisabledLicensedAccounts(), WaiverReader.Load(Folder), new Dictionary<string, object?>(),
            new AssessmentRunInfo { RunId = "r", EvaluatedAt = at, Source = "test" });
    }

    [Fact]
    public async Task A_written_waiver_is_read_back_by_the_assessment_and_waives_only_the_resource_it_names()
    {
        WaiverFile written = await WriteAsync(Request(null, "held@contoso.com"));

        ControlResult result = Assert.Single(Assess(Now.AddDays(1)).Results);
        WaiverDefinition read = Assert.Single(WaiverReader.Load(Folder).Waivers);

        Assert.Matches("^WVR-20261124-[0-9a-f]{6}$", written.Id);
        Assert.Equal(Path.Combine(Folder, written.Id + ".yaml"), written.Path);
        Assert.Equal(Request().Justification, read.Justification);
        Assert.Equal(Now.AddDays(30), read.ExpiresOn);
        Assert.Equal(Now, read.CreatedOn);
        AssessmentFinding held = result.Findings.Single(f => f.ResourceId == "u-held");
        Assert.Equal(AssessmentOutcome.Waived, held.Outcome);
        Assert.Equal(AssessmentOutcome.Fail, held.OriginalOutcome);
        Assert.Equal(AssessmentOutcome.Fail, result.Findings.Single(f => f.ResourceId == "u-other").Outcome);
    }

    [Fact]
    public async Task A_waiver_written_here_is_never_honoured_once_it_has_expired()
    {
        await WriteAsync(Request(null, "held@contoso.com", "other@contoso.com"));

        ControlResult before = Assert.Single(Assess(Now.AddDays(29)).Results);
        ControlResult atExpiry = Assert.Single(Assess(Now.AddDays(30)).Results);
        ControlResult after = Assert.Single(Assess(Now.AddDays(31)).Results);

        Assert.Equal(AssessmentOutcome.Waived, before.Outcome);
        Assert.All([atExpiry, after], r =>
        {
            Assert.Equal(AssessmentOutcome.Fail, r.Outcome);
            Assert.All(r.Findings, f => Assert.Equal(AssessmentOutcome.Fail, f.Outcome));
            Assert.Single(r.ExpiredWaivers);
            Assert.Empty(r.Waivers);
        });
    }

    [Fact]
    public async Task A_selector_waiver_covers_what_the_condition_picks()
    {
        WaiverFile written = await WriteAsync(Request("{ field: userPrincipalName, like: 'held@*' }"));

        ControlResult result = Assert.Single(Assess(Now).Results);

        Assert.Contains("\"like\":\"held@*\"", written.Selector, StringComparison.Ordinal);
        Assert.Equal(AssessmentOutcome.Waived, result.Findings.Single(f => f.ResourceId == "u-held").Outcome);
        Assert.Equal(AssessmentOutcome.Fail, result.Findings.Single(f => f.ResourceId == "u-other").Outcome);
    }

    [Theory]
    [InlineData(0, "IsmsOps.Waiver.NotInFuture")]
    [InlineData(-1, "IsmsOps.Waiver.NotInFuture")]
    public void An_expiry_that_is_not_in_the_future_is_refused_and_nothing_is_written(int days, string errorId)
    {
        IsmsException error = Assert.Throws<IsmsException>(() => WaiverWriter.Prepare(Request() with { ExpiresOn = Now.AddDays(days) }, Folder, Baseline, Now));

        Assert.Equal(errorId, error.ErrorId);
        Assert.Contains("never honoured", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Folder));
    }

    [Fact]
    public async Task Bad_waivers_are_refused_before_any_file_is_written_each_with_its_reason()
    {
        await WriteAsync(Request(null, "held@contoso.com") with { Id = "WVR-1" });

        IsmsException unknown = Assert.Throws<IsmsException>(() => WaiverWriter.Prepare(Request() with { ControlId = "ISMS-NOPE-001" }, Folder, Baseline, Now));
        IsmsException taken = Assert.Throws<IsmsException>(() => WaiverWriter.Prepare(Request() with { Id = "wvr-1" }, Folder, Baseline, Now));
        IsmsException badId = Assert.Throws<IsmsException>(() => WaiverWriter.Prepare(Request() with { Id = "../escape" }, Folder, Baseline, Now));
        IsmsException badField = Assert.Throws<IsmsException>(() => WaiverWriter.Prepare(Request("{ field: shoeSize, equals: 3 }"), Folder, Baseline, Now));
        IsmsException notCondition = Assert.Throws<IsmsException>(() => WaiverWriter.Prepare(Request("[a, b]"), Folder, Baseline, Now));
        IsmsException both = Assert.Throws<IsmsException>(() => WaiverWriter.Prepare(Request("{ field: id, equals: x }", "u-held"), Folder, Baseline, Now));
        IsmsException noReason = Assert.Throws<IsmsException>(() => WaiverWriter.Prepare(Request() with { Justification = " " }, Folder, Baseline, Now));

        Assert.Equal("IsmsOps.Waiver.UnknownControl", unknown.ErrorId);
        Assert.Equal("IsmsOps.Waiver.IdTaken", taken.ErrorId);
        Assert.Contains("WVR-1.yaml:3:", taken.Message, StringComparison.Ordinal);
        Assert.Equal("IsmsOps.Waiver.BadId", badId.ErrorId);
        Assert.Equal("IsmsOps.Waiver.BadSelector", badField.ErrorId);
        Assert.Contains("shoeSize", badField.Message, StringComparison.Ordinal);
        Assert.Equal("IsmsOps.Waiver.BadSelector", notCondition.ErrorId);
        Assert.Equal("IsmsOps.Waiver.ResourcesAndSelector", both.ErrorId);
        Assert.Equal("IsmsOps.Waiver.Missing", noReason.ErrorId);
        Assert.Equal(["WVR-1.yaml"], Directory.GetFiles(Folder).Select(Path.GetFileName));
    }

    [Fact]
    public void The_default_folder_is_the_policy_folders_waivers_and_the_installed_module_is_refused()
    {
        string mine = Path.Combine(_temp.Home, "my-policies");
        string module = Path.Combine(_temp.Home, "modules", "IsmsOps", "0.1.0");

        string folder = WaiverWriter.ResolveFolder(null, new PolicyFolder(mine, "$ISMSOPS_POLICIES"), module);
        IsmsException inside = Assert.Throws<IsmsException>(() => WaiverWriter.ResolveFolder(null, new PolicyFolder(Path.Combine(module, "policies"), "the module"), module));
        IsmsException insideByPath = Assert.Throws<IsmsException>(() => WaiverWriter.ResolveFolder(Path.Combine(module, "policies", "waivers"), new PolicyFolder(mine, "x"), module));
        IsmsException none = Assert.Throws<IsmsException>(() => WaiverWriter.ResolveFolder(null, PolicyFolder.BuiltIn, module));

        Assert.Equal(Path.Combine(mine, "waivers"), folder);
        Assert.Equal("IsmsOps.Waiver.InsideModule", inside.ErrorId);
        Assert.Contains("ISMSOPS_POLICIES", inside.RecommendedAction, StringComparison.Ordinal);
        Assert.Contains("-Path", inside.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal("IsmsOps.Waiver.InsideModule", insideByPath.ErrorId);
        Assert.Equal("IsmsOps.Waiver.NoPolicyFolder", none.ErrorId);
    }

    [Fact]
    public async Task The_creation_is_audited_with_ids_and_no_approver_or_justification()
    {
        WaiverFile written = await WriteAsync(Request(null, "held@contoso.com"));

        AuditEvent created = Assert.Single(_temp.Events(), e => e.Action == "Waiver.Created");

        Assert.Equal("waiver:" + written.Id, created.Target);
        Assert.Contains("ISMS-ACC-003", created.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("ciso@", created.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("legal hold", created.Details, StringComparison.Ordinal);
        Assert.DoesNotContain("held@contoso.com", created.Details, StringComparison.Ordinal);
        Assert.True((await _temp.VerifyAsync()).IsValid);
    }
}
