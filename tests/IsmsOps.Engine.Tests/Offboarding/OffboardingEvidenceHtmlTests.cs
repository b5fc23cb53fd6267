using System.Net;
using System.Text.RegularExpressions;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Tests.Browser;

namespace IsmsOps.Engine.Tests.Offboarding;

/// <summary>The evidence page as a real browser builds it: headless Chromium, not string matching on our own output.</summary>
public sealed class OffboardingEvidenceHtmlTests(EvidenceFixture fixture) : IClassFixture<EvidenceFixture>
{
    private EvidenceScenario S => fixture.Scenario;

    [Fact]
    public void Chromium_builds_a_row_for_every_step_and_shows_a_hostile_group_name_as_text_not_markup()
    {
        OffboardingEvidence record = OffboardingEvidenceFile.Read(S.Export.JsonPath).Record;

        string dom = HeadlessChromium.DumpDom(S.Export.HtmlPath);

        foreach (OffboardingEvidenceStep step in record.Steps)
        {
            Assert.Matches($"<tr id=\"step-{step.Sequence}\">\\s*<td>{step.Sequence}</td>\\s*<td>{step.Kind}</td>", dom);
        }

        // The browser's DOM holds the name as one text node (re-escaped when serialized), and no element it could have made.
        Assert.Contains(WebUtility.HtmlEncode(EvidenceScenario.HostileName).Replace("&#39;", "'", StringComparison.Ordinal).Replace("&quot;", "\"", StringComparison.Ordinal), dom,
            StringComparison.Ordinal);
        Assert.DoesNotMatch("(?i)<(script|img|iframe|object|embed|link)\\b", dom);
        Assert.Contains($"<h1>Offboarding evidence: {record.Case.CaseId}</h1>", dom, StringComparison.Ordinal);
        Assert.Matches("<td id=\"verification\"><span class=\"ok\">Verified: nothing removable remains</span>", dom);
        Assert.Matches("<td id=\"deadline\"><span class=\"ok\">Met</span>", dom);
        Assert.Matches($"<tr id=\"task-{S.ConfirmedSequence}\">.*?<span class=\"ok\">Done</span></td><td>service\\.desk@host</td>", dom);
        foreach (var group in new[] { S.Leaver.DynamicGroup, S.Leaver.SyncedGroup, S.Leaver.MailEnabledGroup })
        {
            Assert.Contains($"<td class=\"mono\">{group.Id}</td>", dom, StringComparison.Ordinal);
        }

        Assert.Contains($"{record.Events[0].Sequence}  {record.Events[0].Hash}", dom, StringComparison.Ordinal);
        Assert.Contains($"{record.Trail.Checkpoint.Sequence}  {record.Trail.Checkpoint.HeadHash}", dom, StringComparison.Ordinal);
        Assert.Contains(S.Export.JsonSha256, dom, StringComparison.Ordinal);
    }

    [Fact]
    public void The_page_is_self_contained_with_no_script_no_external_reference_and_a_policy_that_forbids_both()
    {
        string html = File.ReadAllText(S.Export.HtmlPath);

        Assert.DoesNotMatch("(?i)<(script|link|img|iframe|object|embed|base)\\b", html);
        Assert.DoesNotMatch("(?i)<[^>]*\\s(src|href|action|on[a-z]+)\\s*=", html);
        Assert.DoesNotMatch("(?i)url\\(|@import", html);
        Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Chromium_renders_the_page_to_a_picture()
    {
        byte[] png = HeadlessChromium.Screenshot(S.Export.HtmlPath);

        Assert.True(png.Length > 10_000, $"a {png.Length}-byte screenshot is too small to hold the page");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [Fact]
    public async Task A_missed_deadline_shows_as_breached_by_how_long()
    {
        using EvidenceScenario late = await EvidenceScenario.CreateAsync(OffboardingUrgency.Immediate, DateTimeOffset.UtcNow.AddHours(-3));

        string dom = HeadlessChromium.DumpDom(late.Export.HtmlPath);

        Assert.Matches("<td id=\"deadline\"><span class=\"bad\">Breached by 3 h( \\d+ min)?</span>", dom);
    }
}
